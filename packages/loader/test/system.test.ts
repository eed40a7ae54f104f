/**
 * The whole system, as a user runs it: NATS (testkit) and every service as its own OS process
 * (`node packages/<svc>/dist/main.js` with NATS_URL: maps-store, the real verifier, jit,
 * kernel-sim compiling through the jit service), driven through the real CLI process
 * (bin/bpfhive.js). Needs `npx turbo run build` first.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KERNEL_SIM_MAIN, type ServiceProcess, startMapsStore, startService } from './support/services.js';

const BIN = fileURLToPath(new URL('../bin/bpfhive.js', import.meta.url));
const main = (pkg: string): string => fileURLToPath(new URL(`../../${pkg}/dist/main.js`, import.meta.url));

let nats: NatsTestServer;
const services: ServiceProcess[] = [];

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `bpfhive ARGS` as its own process, against this test's NATS. */
function bpfhive(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, NATS_URL: nats.url }, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  nats = await startNatsServer();
  const env = { NATS_URL: nats.url };
  services.push(await startMapsStore(nats.url));
  services.push(await startService(main('verifier'), env));
  services.push(await startService(main('jit'), env));
  services.push(await startService(KERNEL_SIM_MAIN, { ...env, KERNEL_SIM_JIT: 'nats' }));
}, 120_000);

afterAll(async () => {
  for (const s of services.reverse()) await s.stop();
  await nats?.stop();
}, 60_000);

describe('the whole system, through the bpfhive CLI', () => {
  it('example run pktcount: XDP counts per protocol, every frame passed', async () => {
    const run = await bpfhive('example', 'run', 'pktcount');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/attached xdp_pktcount \(xdp\): link \d+/);
    for (const [name, nr] of [['ICMP', 1], ['TCP', 6], ['UDP', 17], ['ICMPv6', 58]] as const) {
      expect(run.stdout).toMatch(new RegExp(`^${name}\\s+${nr}\\s+[1-9]\\d*\\s+[1-9]\\d*$`, 'm'));
    }
    // 600 IPv4 + 100 IPv6 frames counted; 5 ARP frames passed uncounted.
    expect(run.stdout).toMatch(/rx_packets 705 {2}xdp_pass 705 {2}xdp_drop 0 {2}\(counted 700;/);
  }, 180_000);

  it('example run opensnoop: one ring buffer event per openat, with fd or error', async () => {
    const run = await bpfhive('example', 'run', 'opensnoop');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PID\s+COMM\s+FD ERR FLAGS\s+PATH$/m);
    expect(run.stdout).toMatch(/^4101\s+cat\s+\d+\s+0 00000000 \/etc\/hosts$/m);
    expect(run.stdout).toMatch(/^4102\s+id\s+\d+\s+0 02000000 \/etc\/passwd$/m);
    expect(run.stdout).toMatch(/^4103\s+myapp\s+-1\s+2 00000000 \/etc\/nonexistent\.conf {2}\(ENOENT\)$/m);
    expect(run.stdout).toMatch(/^4104\s+logger\s+\d+\s+0 00000101 \/tmp\/out\.log$/m);
    expect(run.stdout).toMatch(/^4 events$/m);
  }, 180_000);

  it('example run ddos-drop and syscount', async () => {
    const ddos = await bpfhive('example', 'run', 'ddos-drop');
    expect(ddos.code).toBe(0);
    expect(ddos.stdout).toMatch(/^1\s+203\.0\.113\.0\/24\s+400\s+\d+$/m);
    expect(ddos.stdout).toMatch(/^2\s+198\.51\.100\.0\/24\s+200\s+\d+$/m);
    expect(ddos.stdout).toMatch(/^3\s+2001:db8:bad::\/48\s+150\s+\d+$/m);
    expect(ddos.stdout).toMatch(/passed 350 {2}dropped 750$/m);
    const sys = await bpfhive('example', 'run', 'syscount');
    expect(sys.code).toBe(0);
    expect(sys.stdout).toMatch(/^read\s+12$/m);
    expect(sys.stdout).toMatch(/^openat\s+3$/m);
  }, 180_000);

  it('after example run --keep, prog list, map dump, link list, net and perf show the objects; link detach and net detach let go', async () => {
    const kept = await bpfhive('example', 'run', 'pktcount', '--keep');
    expect(kept.code).toBe(0);
    const linkId = Number(/link (\d+)\n/.exec(kept.stdout)?.[1]);
    const progId = Number(/xdp_pktcount \(prog (\d+)\)/.exec(kept.stdout)?.[1]);
    const mapId = Number(/proto_stats \(map (\d+)\)/.exec(kept.stdout)?.[1]);
    expect(kept.stdout).toContain('--keep: left attached');
    const snoop = await bpfhive('example', 'run', 'opensnoop', '--keep');
    expect(snoop.code).toBe(0);

    const progs = await bpfhive('prog', 'list');
    expect(progs.code).toBe(0);
    expect(progs.stdout).toMatch(new RegExp(`^${progId}: xdp  name xdp_pktcount`, 'm'));
    const dump = await bpfhive('-j', 'map', 'dump', 'id', String(mapId));
    expect(dump.code).toBe(0);
    const entries = JSON.parse(dump.stdout) as { key: string[]; formatted?: { key: unknown } }[];
    expect(entries).toHaveLength(256);
    // The map has BTF, so each entry is also written as its types say, as bpftool does.
    expect(entries[1]!.formatted?.key).toBe(Number(entries[1]!.key[0]));

    const links = await bpfhive('link', 'list');
    expect(links.code).toBe(0);
    expect(links.stdout).toMatch(new RegExp(`^${linkId}: xdp  prog ${progId}  \\n\\tifindex pkt\\d+\\(\\d+\\)  $`, 'm'));
    expect(links.stdout).toMatch(/^\d+: perf_event {2}prog \d+ {2}\n\ttracepoint sys_enter_openat {2}$/m);
    const json = JSON.parse((await bpfhive('-j', 'link', 'show', 'id', String(linkId))).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ id: linkId, type: 'xdp', prog_id: progId });

    const net = await bpfhive('net');
    expect(net.stdout).toMatch(new RegExp(`^pkt\\d+\\(\\d+\\) driver id ${progId}$`, 'm'));
    const perf = await bpfhive('perf');
    expect(perf.stdout).toMatch(/^link \d+: prog_id \d+ {2}tracepoint {2}sys_exit_openat$/m);

    // A pinned link holds its own reference: detach ends the attachment, the pin keeps the object.
    expect((await bpfhive('link', 'pin', 'id', String(linkId), '/sys/fs/bpf/pktcount_link')).code).toBe(0);
    expect((await bpfhive('link', 'show', 'pinned', '/sys/fs/bpf/pktcount_link')).stdout).toMatch(new RegExp(`^${linkId}: xdp  prog ${progId}`));

    expect((await bpfhive('link', 'detach', 'id', String(linkId))).code).toBe(0);
    expect((await bpfhive('link', 'show', 'id', String(linkId))).stdout).toContain('ifindex (detached)');
    const device = /^device (pkt\d+)/m.exec(kept.stdout)![1]!;
    expect((await bpfhive('net', 'attach', 'xdp', 'id', String(progId), 'dev', device)).code).toBe(0);
    expect((await bpfhive('net', 'show', 'dev', device)).stdout).toContain(`${device}(`);
    expect((await bpfhive('net', 'detach', 'xdp', 'dev', device)).code).toBe(0);
    expect((await bpfhive('net', 'show', 'dev', device)).stdout).toBe('xdp:\n\ntc:\n\nflow_dissector:\n\nnetfilter:\n\n');
  }, 300_000);
});
