/**
 * The examples under examples/ (see examples/README.md): each C source, rebuilt with
 * examples/build.sh, gives exactly the committed object (clang 14 is deterministic); each
 * object holds the ELF sections of its programs, maps, BTF and licence; and readObject reads
 * it into the programs, map definitions and ring buffer records its README documents, which
 * is the contract the user-space side is written against.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AluOp, HelperId, InsnClass, JmpOp, MapType, ProgType, Source } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ObjectSpec, type ProgramSpec, readObject } from '../src/index.js';

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
  it('examples/README.md indexes every example, and each has its source, object and README', () => {
    const index = readFileSync(join(EXAMPLES_DIR, 'README.md'), 'utf8');
    for (const { name } of EXAMPLES) {
      expect(index, `examples/README.md links ${name}`).toContain(`](${name}/)`);
      for (const file of [`${name}.bpf.c`, `${name}.bpf.o`, 'README.md']) expect(existsSync(join(EXAMPLES_DIR, name, file)), `${name}/${file}`).toBe(true);
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
