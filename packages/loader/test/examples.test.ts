/**
 * The examples under examples/ (see examples/README.md): each C source, rebuilt with
 * examples/build.sh, gives exactly the committed object (clang 14 is deterministic); each
 * object holds the ELF sections of its programs, maps, BTF and licence; and readObject reads
 * it into the programs, map definitions and ring buffer records its README documents, which
 * is the contract the user-space side is written against. Then every example runs as
 * `bpfhive example run NAME` runs it, over a real NATS with the maps-store, the verifier and
 * the kernel-sim each in its own process, and what it observed is checked against the traffic
 * or workload its scenario drove.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AluOp, HelperId, InsnClass, JmpOp, MapType, ProgType, Source } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ObjectSpec, type ProgramSpec, readObject } from '../src/index.js';
import { BpfClient } from '../src/client/index.js';
import { EXAMPLES as RUNNABLE, type Example, runExample } from '../src/examples/index.js';
import type { HttpFilterResult } from '../src/examples/http-filter.js';
import { HTTP_REQUESTS, HTTP_RULES } from '../src/examples/http-filter.js';
import type { L4lbResult } from '../src/examples/l4lb.js';
import type { NetpolicyResult } from '../src/examples/netpolicy.js';
import type { KubeproxyResult } from '../src/examples/kubeproxy.js';
import type { ExecsnoopResult } from '../src/examples/execsnoop.js';
import type { TcpconnectResult } from '../src/examples/tcpconnect.js';
import type { SensitiveOpenResult } from '../src/examples/sensitive-open.js';
import type { PktcountResult } from '../src/examples/pktcount.js';
import type { DdosDropResult } from '../src/examples/ddos-drop.js';
import { type OpenEvent, type OpensnoopResult, decodeOpenEvent } from '../src/examples/opensnoop.js';
import type { SyscountResult } from '../src/examples/syscount.js';
import { collectRingbuf } from '../src/examples/outputs.js';
import { runScenario } from '../src/examples/scenario.js';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { KERNEL_SIM_MAIN, type ServiceProcess, kernelSimBuilt, startMapsStore, startService } from './support/services.js';

const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/', import.meta.url));
const BUILD_SCRIPT = join(EXAMPLES_DIR, 'build.sh');

/** A map as the example's README documents it: type, key and value sizes, max_entries, flags. */
interface MapDoc {
  readonly type: number;
  readonly key: number;
  readonly value: number;
  readonly max: number;
  readonly flags?: number;
}

interface ExampleDoc {
  readonly name: string;
  /** Program function name → [ELF section, program type]. */
  readonly programs: Readonly<Record<string, readonly [string, number]>>;
  readonly maps: Readonly<Record<string, MapDoc>>;
  /** Sizes of the records the programs reserve in ring buffers, ascending. */
  readonly records?: readonly number[];
  /** Whether the object has .rodata options. */
  readonly rodata?: boolean;
}

const NO_PREALLOC = 1;
const RINGBUF_256K: MapDoc = { type: MapType.RINGBUF, key: 0, value: 0, max: 256 * 1024 };

const EXAMPLES: readonly ExampleDoc[] = [
  {
    name: 'pktcount',
    programs: { xdp_pktcount: ['xdp', ProgType.XDP] },
    maps: { proto_stats: { type: MapType.PERCPU_ARRAY, key: 4, value: 16, max: 256 } },
  },
  {
    name: 'http-filter',
    programs: { tc_http_filter: ['tc', ProgType.SCHED_CLS] },
    maps: {
      http_rules: { type: MapType.LPM_TRIE, key: 68, value: 16, max: 1024, flags: NO_PREALLOC },
      http_verdicts: { type: MapType.PERCPU_ARRAY, key: 4, value: 16, max: 2 },
    },
  },
  {
    name: 'ddos-drop',
    programs: { xdp_ddos_drop: ['xdp', ProgType.XDP] },
    maps: {
      drop_v4: { type: MapType.LPM_TRIE, key: 8, value: 8, max: 16384, flags: NO_PREALLOC },
      drop_v6: { type: MapType.LPM_TRIE, key: 20, value: 8, max: 16384, flags: NO_PREALLOC },
      rule_stats: { type: MapType.PERCPU_ARRAY, key: 4, value: 16, max: 1024 },
    },
  },
  {
    name: 'l4lb',
    programs: { xdp_l4lb: ['xdp', ProgType.XDP] },
    maps: {
      vip_map: { type: MapType.HASH, key: 8, value: 8, max: 512 },
      ch_rings: { type: MapType.ARRAY, key: 4, value: 4, max: 16 * 257 },
      reals: { type: MapType.ARRAY, key: 4, value: 8, max: 256 },
      conn_table: { type: MapType.LRU_HASH, key: 16, value: 16, max: 16384 },
      ctl_array: { type: MapType.ARRAY, key: 4, value: 12, max: 1 },
      vip_stats: { type: MapType.PERCPU_ARRAY, key: 4, value: 16, max: 16 },
      lb_counters: { type: MapType.PERCPU_ARRAY, key: 4, value: 8, max: 4 },
    },
  },
  {
    name: 'netpolicy',
    programs: { tc_netpolicy: ['tc', ProgType.SCHED_CLS] },
    maps: {
      ipcache: { type: MapType.LPM_TRIE, key: 8, value: 4, max: 16384, flags: NO_PREALLOC },
      policy: { type: MapType.HASH, key: 12, value: 16, max: 16384 },
      ct: { type: MapType.LRU_HASH, key: 16, value: 24, max: 65536 },
      flow_events: RINGBUF_256K,
    },
    records: [40],
  },
  {
    name: 'kubeproxy',
    programs: { sock4_connect: ['cgroup/connect4', ProgType.CGROUP_SOCK_ADDR] },
    maps: {
      services: { type: MapType.HASH, key: 12, value: 8, max: 65536 },
      backends: { type: MapType.HASH, key: 4, value: 8, max: 65536 },
      lb_stats: { type: MapType.PERCPU_ARRAY, key: 4, value: 8, max: 2 },
    },
  },
  {
    name: 'execsnoop',
    programs: { tracepoint__syscalls__sys_enter_execve: ['tracepoint/syscalls/sys_enter_execve', ProgType.TRACEPOINT] },
    maps: { events: RINGBUF_256K },
    records: [552],
  },
  {
    name: 'opensnoop',
    programs: {
      tracepoint__syscalls__sys_enter_openat: ['tracepoint/syscalls/sys_enter_openat', ProgType.TRACEPOINT],
      tracepoint__syscalls__sys_exit_openat: ['tracepoint/syscalls/sys_exit_openat', ProgType.TRACEPOINT],
    },
    maps: { start: { type: MapType.HASH, key: 4, value: 16, max: 10240 }, events: RINGBUF_256K },
    records: [304],
  },
  {
    name: 'syscount',
    programs: { sys_enter: ['tracepoint/raw_syscalls/sys_enter', ProgType.TRACEPOINT] },
    maps: { counts: { type: MapType.HASH, key: 4, value: 24, max: 10240 } },
    rodata: true,
  },
  {
    name: 'tcpconnect',
    programs: {
      tcp_v4_connect_entry: ['kprobe/tcp_v4_connect', ProgType.KPROBE],
      tcp_v4_connect_exit: ['kretprobe/tcp_v4_connect', ProgType.KPROBE],
    },
    maps: { sockets: { type: MapType.HASH, key: 4, value: 8, max: 10240 }, events: RINGBUF_256K },
    records: [48],
  },
  {
    name: 'sensitive-open',
    programs: { sensitive_openat: ['tracepoint/syscalls/sys_enter_openat', ProgType.TRACEPOINT] },
    maps: {
      rules: { type: MapType.LPM_TRIE, key: 132, value: 8, max: 256, flags: NO_PREALLOC },
      exempt: { type: MapType.HASH, key: 16, value: 4, max: 64 },
      alerts: RINGBUF_256K,
    },
    records: [176],
  },
];

const objectPath = (name: string): string => join(EXAMPLES_DIR, name, `${name}.bpf.o`);

/** The ELF section names and the licence string, read straight from the section headers. */
function elfSections(bytes: Buffer): { names: string[]; license: string | undefined } {
  const shoff = Number(bytes.readBigUInt64LE(0x28));
  const shentsize = bytes.readUInt16LE(0x3a);
  const shnum = bytes.readUInt16LE(0x3c);
  const shstrndx = bytes.readUInt16LE(0x3e);
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return { name: bytes.readUInt32LE(at), offset: Number(bytes.readBigUInt64LE(at + 0x18)), size: Number(bytes.readBigUInt64LE(at + 0x20)) };
  };
  const strtab = header(shstrndx);
  const cString = (at: number): string => bytes.toString('latin1', at, bytes.indexOf(0, at));
  const sections = Array.from({ length: shnum }, (_, i) => header(i));
  const names = sections.map((s) => cString(strtab.offset + s.name));
  const license = sections.find((_, i) => names[i] === 'license');
  return { names, license: license && cString(license.offset) };
}

const CALL = InsnClass.JMP | JmpOp.CALL;
const MOV64_IMM = InsnClass.ALU64 | AluOp.MOV | Source.K;

/** The size argument (r2, a constant) of every bpf_ringbuf_reserve call in a program. */
function ringbufReserveSizes(program: ProgramSpec): number[] {
  const sizes: number[] = [];
  program.instructions.forEach((insn, i) => {
    if (insn.opcode !== CALL || insn.src !== 0 || insn.imm !== HelperId.ringbuf_reserve) return;
    const setR2 = program.instructions
      .slice(0, i)
      .reverse()
      .find((prev) => prev.dst === 2 && prev.opcode !== CALL);
    sizes.push(setR2?.opcode === MOV64_IMM ? setR2.imm : -1);
  });
  return sizes;
}

/** The major version of the clang examples/build.sh would run, or undefined when none runs. */
function clangMajor(): number | undefined {
  const run = spawnSync(process.env.CLANG ?? 'clang', ['--version'], { encoding: 'utf8' });
  const match = run.status === 0 ? /clang version (\d+)\./.exec(run.stdout) : null;
  return match ? Number(match[1]) : undefined;
}

describe('examples', () => {
  it('examples/README.md indexes every example, and each has its source, object, scenario and README', () => {
    const index = readFileSync(join(EXAMPLES_DIR, 'README.md'), 'utf8');
    for (const { name } of EXAMPLES) {
      expect(index, `examples/README.md links ${name}`).toContain(`](${name}/)`);
      for (const file of [`${name}.bpf.c`, `${name}.bpf.o`, 'scenario.yaml', 'README.md']) expect(existsSync(join(EXAMPLES_DIR, name, file)), `${name}/${file}`).toBe(true);
      const readme = readFileSync(join(EXAMPLES_DIR, name, 'README.md'), 'utf8');
      expect(readme, `${name}/README.md gives the run command`).toContain(`npx bpfhive example run ${name}`);
    }
  });

  it('examples/build.sh builds the examples of this table and no others', () => {
    const script = readFileSync(BUILD_SCRIPT, 'utf8');
    const listed = /EXAMPLES=\(([^)]*)\)/.exec(script)?.[1]?.split(/\s+/).filter(Boolean);
    expect(listed).toEqual(EXAMPLES.map((e) => e.name));
  });

  describe.each(EXAMPLES)('example $name', (example) => {
    const bytes = readFileSync(objectPath(example.name));

    it('has the ELF sections of its programs, maps, BTF and a GPL-compatible licence', () => {
      const { names, license } = elfSections(bytes);
      const expected = [...new Set(Object.values(example.programs).map(([section]) => section))];
      expected.push('.maps', '.BTF', '.BTF.ext', 'license', ...(example.rodata ? ['.rodata'] : []));
      for (const section of expected) expect(names, `${example.name}.bpf.o section ${section}`).toContain(section);
      expect(['GPL', 'Dual BSD/GPL']).toContain(license);
    });

    it('reads with readObject into the programs and maps its README documents', () => {
      const spec: ObjectSpec = readObject(bytes, { path: `${example.name}.bpf.o` });
      const programs = Object.fromEntries(spec.programs.map((p) => [p.name, [p.sectionName, p.type]]));
      expect(programs).toEqual(example.programs);

      const maps = Object.fromEntries(
        spec.maps
          .filter((m) => m.origin === 'btf')
          .map((m) => [m.name, { type: m.type, key: m.keySize, value: m.valueSize, max: m.maxEntries, ...(m.flags ? { flags: m.flags } : {}) }]),
      );
      expect(maps).toEqual(example.maps);
      expect(spec.maps.some((m) => m.origin === 'rodata')).toBe(example.rodata ?? false);

      const records = [...new Set(spec.programs.flatMap(ringbufReserveSizes))].sort((a, b) => a - b);
      expect(records, 'ring buffer record sizes').toEqual(example.records ?? []);
    });
  });

  const major = clangMajor();
  describe.skipIf(major !== 14)(`rebuilt by examples/build.sh with clang ${major ?? '(not found)'}`, () => {
    let outDir = '';

    beforeAll(() => {
      outDir = mkdtempSync(join(tmpdir(), 'bpfhive-examples-'));
      const run = spawnSync('bash', [BUILD_SCRIPT, outDir], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`examples/build.sh failed (${run.status}):\n${run.stderr}`);
    }, 180_000);

    afterAll(() => {
      if (outDir) rmSync(outDir, { recursive: true, force: true });
    });

    it.each(EXAMPLES.map((e) => e.name))('examples/%s: the committed object equals a fresh build', (name) => {
      const fresh = readFileSync(join(outDir, `${name}.bpf.o`));
      const committed = readFileSync(objectPath(name));
      expect(fresh.equals(committed), `examples/${name}/${name}.bpf.o is stale: run examples/build.sh and commit the objects`).toBe(true);
    });
  });
});

const VERIFIER_MAIN = fileURLToPath(new URL('../../verifier/dist/main.js', import.meta.url));

describe.skipIf(!kernelSimBuilt() || !existsSync(VERIFIER_MAIN))('every example, run over NATS (needs the services built: npx turbo run build)', () => {
  let nats: NatsTestServer;
  const services: ServiceProcess[] = [];
  let client: BpfClient;

  beforeAll(async () => {
    nats = await startNatsServer();
    const env = { NATS_URL: nats.url };
    services.push(await startMapsStore(nats.url));
    services.push(await startService(VERIFIER_MAIN, env));
    services.push(await startService(KERNEL_SIM_MAIN, { ...env, KERNEL_SIM_JIT: 'local' }));
    client = await BpfClient.connect({ servers: nats.url, timeoutMs: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    for (const s of services.reverse()) await s.stop();
    await nats?.stop();
  }, 60_000);

  /** Runs the example `name` as `bpfhive example run` does; returns what it printed and observed. */
  async function run<R>(name: string): Promise<{ out: string; result: R }> {
    const example = RUNNABLE.find((e) => e.name === name) as Example<R> | undefined;
    if (!example) throw new Error(`no runnable example ${name}`);
    let out = '';
    const result = await runExample(example, { client, print: (t) => (out += `${t}\n`) });
    return { out, result };
  }

  it('bpfhive example run knows every example of examples/', () => {
    expect(RUNNABLE.map((e) => e.name)).toEqual(EXAMPLES.map((e) => e.name));
  });

  it('pktcount: every frame of the scenario counted under its protocol, ARP passed uncounted', async () => {
    const { result } = await run<PktcountResult>('pktcount');
    // 600 IPv4 frames (TCP, UDP, ICMP) and 100 ICMPv6 echoes; 5 ARP frames injected after.
    expect((result.packets[6] ?? 0) + (result.packets[17] ?? 0) + (result.packets[1] ?? 0)).toBe(600);
    for (const proto of [1, 6, 17]) expect(result.packets[proto]).toBeGreaterThan(0);
    expect(result.packets[58]).toBe(100);
    expect(Object.keys(result.packets).sort()).toEqual(['1', '17', '58', '6']);
    expect(result).toMatchObject({ rxPackets: 705, xdpPass: 705, xdpDrop: 0 });
  }, 120_000);

  it('http-filter: the server gets exactly the requests a rule allows; the rest are dropped and counted', async () => {
    const { out, result } = await run<HttpFilterResult>('http-filter');
    // The rules' meaning, independently of the program: method equal, and the path (before
    // any query) equal to an exact rule's or starting with a prefix rule's.
    const allows = (method: string, target: string): string | undefined => {
      const path = target.split('?')[0]!;
      return HTTP_RULES.find((r) => r.method === method && (r.exact ? path === r.path : path.startsWith(r.path)))?.id;
    };
    const perRule: Record<string, number> = Object.fromEntries(HTTP_RULES.map((r) => [r.id, 0]));
    let allowed = 0;
    let dropped = 0;
    for (const flow of result.flows) {
      const req = HTTP_REQUESTS.get(flow.sport)!;
      // Each connection: a SYN (always passes), then three segments carrying the request.
      if (req.dport !== 80) {
        expect(flow, flow.request).toMatchObject({ passed: 4, dropped: 0 });
        continue;
      }
      const rule = allows(req.method, req.target);
      if (rule) {
        expect(flow, flow.request).toMatchObject({ passed: 4, dropped: 0 });
        perRule[rule]! += 3;
        allowed += 3;
      } else {
        expect(flow, flow.request).toMatchObject({ passed: 1, dropped: 3 });
        dropped += 3;
      }
    }
    expect(result.flows.map((f) => f.sport).sort()).toEqual([...HTTP_REQUESTS.keys()].sort());
    expect(allowed).toBeGreaterThan(0);
    expect(dropped).toBeGreaterThan(0);
    expect(result.rules).toEqual(perRule);
    expect(result).toMatchObject({ allowed, dropped });
    expect(out).toMatch(/^10\.0\.0\.1:40004\s+GET \/admin\s+1\s+3\s+no$/m);
  }, 120_000);

  it('ddos-drop: each flood dropped by its rule, the legitimate and the TCP DNS traffic passed', async () => {
    const { result } = await run<DdosDropResult>('ddos-drop');
    expect(result.dropped).toEqual({ 1: 400, 2: 200, 3: 150 });
    expect(result).toMatchObject({ xdpPass: 300 + 50, xdpDrop: 400 + 200 + 150 });
  }, 120_000);

  it('l4lb: flows spread over every real by the ring, sent back encapsulated, and a flow always lands on the same real', async () => {
    const { result } = await run<L4lbResult>('l4lb');
    const flows = result.flowsPerReal.reduce((a, b) => a + b, 0);
    expect(flows).toBe(result.misses);
    expect(flows).toBeGreaterThan(200);
    // Maglev gives each of the three reals about a third of the ring, and so of the flows.
    for (const slots of result.slotsPerReal) expect(Math.abs(slots - 257 / 3)).toBeLessThanOrEqual(1);
    for (const n of result.flowsPerReal) expect(n / flows).toBeGreaterThan(0.2);
    expect(result).toMatchObject({ vipPackets: 1200, xdpTx: 1200, xdpPass: 20 });
    expect(result.hits + result.misses).toBe(1200);
    // conn_table cleared, the same clients again: the ring puts every flow where it was.
    expect(result.replayed).toBe(flows);
    expect(result.moved).toBe(0);
  }, 120_000);

  it('netpolicy: the flow log has each allowed flow once and every denied packet, with identities', async () => {
    const { out, result } = await run<NetpolicyResult>('netpolicy');
    const summary = result.events.map((e) => `${e.verdict} ${e.src}:${e.sport} ${e.srcIdentity} -> ${e.dst}:${e.dport} ${e.dstIdentity} proto ${e.protocol} (${e.reason})`);
    expect(summary.sort()).toEqual(
      [
        'FORWARDED 10.0.0.1:41000 1001 -> 10.0.0.2:8080 1002 proto 6 (policy allowed)',
        'FORWARDED 10.0.0.2:42000 1002 -> 10.0.0.3:5432 1003 proto 6 (policy allowed)',
        ...Array<string>(3).fill('DROPPED 10.0.0.1:43000 1001 -> 10.0.0.3:5432 1003 proto 6 (policy denied)'),
        ...Array<string>(2).fill('DROPPED 10.0.0.1:0 1001 -> 10.0.0.2:0 1002 proto 1 (policy denied)'),
      ].sort(),
    );
    // In the scenario's time order (one frame per batch).
    expect(result.events.map((e) => `${e.src}:${e.sport}`)).toEqual(['10.0.0.1:41000', '10.0.0.2:42000', ...Array<string>(3).fill('10.0.0.1:43000'), '10.0.0.1:0', '10.0.0.1:0']);
    // Each allowed flow's later packets and the backend's replies pass through ct, unlogged.
    expect(result.policyPackets).toEqual([1, 1]);
    expect(result.tracked).toBe(2);
    expect(out).toMatch(/ct: 10\.0\.0\.1:41000 -> 10\.0\.0\.2:8080 TCP {2}packets 9$/m);
  }, 120_000);

  it('kubeproxy: connects to a service are translated, a service without backends is refused, others untouched', async () => {
    const { result } = await run<KubeproxyResult>('kubeproxy');
    // 9 connects to 10.96.0.10:80, 1 to a plain address, 1 to 10.96.0.11:80 (no backends).
    const { connects, ...counts } = result;
    expect(counts).toEqual({ translated: 9, refused: 1, runs: 11, allow: 10, deny: 1 });
    // Each connect to the service went to one of its backends; the plain one where it asked; the refused one nowhere, EPERM.
    const backends = ['10.0.1.1:8080', '10.0.1.2:8080', '10.0.1.3:8080'];
    expect(connects.slice(0, 9).map((c) => [c.addr, c.ret, backends.includes(c.peer ?? '')])).toEqual(Array(9).fill(['10.96.0.10:80', 0, true]));
    expect(connects.slice(9)).toEqual([{ addr: '10.0.0.5:443', ret: 0, peer: '10.0.0.5:443' }, { addr: '10.96.0.11:80', ret: -1 }]);
  }, 120_000);

  it('execsnoop: one event per execve, with its filename and arguments', async () => {
    const { result } = await run<ExecsnoopResult>('execsnoop');
    expect(result.events.map((e) => [e.pid, e.ppid, e.uid, e.filename, ...e.args])).toEqual([
      [6001, 6000, 1000, '/usr/bin/ls', 'ls', '-l', '/tmp'],
      [6002, 6000, 1000, '/usr/bin/cat', 'cat', '/etc/hostname'],
      [6003, 6000, 1000, '/bin/sh', 'sh', '-c', 'sleep 1'],
      [6004, 6003, 1000, '/usr/bin/sleep', 'sleep', '1'],
      [6000, 1, 1000, '/opt/nothing/here', 'here', '--version'],
    ]);
    // comm is the caller's at entry: a forked bash child, or the sh that forked sleep.
    expect(result.events.map((e) => e.comm)).toEqual(['bash', 'bash', 'bash', 'sh', 'bash']);
  }, 120_000);

  it('opensnoop and syscount: one event per openat; system calls counted by number; their scenarios are the same workloads', async () => {
    const snoop = await run<OpensnoopResult>('opensnoop');
    expect(snoop.out).toMatch(/^4103\s+myapp\s+-1\s+2 00000000 \/etc\/nonexistent\.conf {2}\(ENOENT\)$/m);
    const opens = (events: readonly OpenEvent[]) => events.map((e) => [e.pid, e.comm, e.fname, e.flags, e.ret < 0 ? e.ret : 'fd']);
    expect(opens(snoop.result.events)).toEqual([
      [4101, 'cat', '/etc/hosts', 0, 'fd'],
      [4102, 'id', '/etc/passwd', 0o2000000, 'fd'],
      [4103, 'myapp', '/etc/nonexistent.conf', 0, -2],
      [4104, 'logger', '/tmp/out.log', 0o101, 'fd'],
    ]);
    const sys = await run<SyscountResult>('syscount');
    const syscalls = (counts: ReadonlyMap<number, number>) => Object.fromEntries([0, 1, 3, 59, 257].map((nr) => [nr, counts.get(nr)]));
    // 3 × (openat, 4 reads, close), 5 writes, 1 execve.
    expect(syscalls(sys.result.counts)).toEqual({ 0: 12, 1: 5, 3: 3, 59: 1, 257: 3 });

    // The same programs on examples/opensnoop/scenario.yaml and examples/syscount/scenario.yaml.
    const fromScenario = await runExample<OpenEvent[]>(
      {
        name: 'opensnoop',
        summary: 'opensnoop on its scenario',
        async run({ client: c, attach, mapId, scenario }) {
          await attach('tracepoint__syscalls__sys_enter_openat');
          await attach('tracepoint__syscalls__sys_exit_openat');
          const events = await collectRingbuf(c, mapId('events'), decodeOpenEvent);
          await runScenario(c, await scenario());
          await events.settle();
          events.stop();
          return events.items;
        },
      },
      { client, print: () => undefined },
    );
    expect(opens(fromScenario)).toEqual(opens(snoop.result.events));
    const countsFromScenario = await runExample<Map<number, number>>(
      {
        name: 'syscount',
        summary: 'syscount on its scenario',
        async run({ client: c, attach, mapId, scenario }) {
          await attach('sys_enter');
          await runScenario(c, await scenario());
          const counts = new Map<number, number>();
          for await (const [key, value] of c.mapEntries(mapId('counts'))) counts.set(new DataView(key.buffer, key.byteOffset).getUint32(0, true), Number(new DataView(value.buffer, value.byteOffset).getBigUint64(0, true)));
          return counts;
        },
      },
      { client, print: () => undefined },
    );
    expect(syscalls(countsFromScenario)).toEqual(syscalls(sys.result.counts));
  }, 120_000);

  it('tcpconnect: an event for each successful connect, none for the one that failed', async () => {
    const { result } = await run<TcpconnectResult>('tcpconnect');
    // Addresses and ports come from struct sock (CO-RE); the source is eth0's, the port ephemeral.
    expect(result.events.map((e) => [e.pid, e.tid, e.uid, e.comm, e.saddr, e.daddr, e.dport])).toEqual([
      [7001, 7001, 1000, 'curl', '10.0.0.20', '93.184.216.34', 80],
      [7002, 7002, 1000, 'ssh', '10.0.0.20', '10.0.0.5', 22],
    ]);
    for (const e of result.events) expect(e.sport).toBeGreaterThanOrEqual(1024);
  }, 120_000);

  it('sensitive-open: an alert for each open that breaks a rule, none for exempt processes or other files', async () => {
    const { result } = await run<SensitiveOpenResult>('sensitive-open');
    expect(result.alerts.map((a) => [a.pid, a.ppid, a.comm, a.uid, a.ruleId, a.path, a.flags & 3])).toEqual([
      [8001, 8000, 'cat', 1000, 1, '/etc/shadow', 0],
      [8004, 1, 'backup.sh', 0, 3, '/etc/passwd', 1],
      [8005, 8002, 'cat', 0, 4, '/root/.ssh/id_ed25519', 0],
    ]);
  }, 120_000);
});
