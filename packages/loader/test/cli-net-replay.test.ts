/**
 * `bpfhive net replay` over a real NATS server (max_payload lowered to 128 KiB, so a capture
 * of a few hundred KiB goes in several pieces) with the maps-store, the verifier and the
 * kernel-sim as their own processes: examples/ddos-drop loaded and attached with the CLI, a
 * drop rule put in its LPM trie, a pcap written here replayed into a simulated device, and
 * the verdicts and the per-rule counters checked against the frames of the capture. Also:
 * broken captures are refused before anything is sent, progress shows on a terminal only, and
 * `prog loadall` of a CO-RE fentry object works with the kernel BTF that loadCollection
 * fetches by itself.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { type SimDevInfoReply, type SimTrafficStatusReply, SimSubjects } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/test-io.js';
import { BpfClient } from '../src/client/index.js';
import { readCapture, splitCapture } from '../src/cli/commands/pcap-capture.js';
import { replayCapture } from '../src/cli/commands/pcap-replay.js';
import { simRequest } from '../src/examples/sim.js';
import { OBJECTS_DIR } from './objects/fixtures.js';
import { KERNEL_SIM_MAIN, type ServiceProcess, kernelSimBuilt, startMapsStore, startService } from './support/services.js';

const VERIFIER_MAIN = fileURLToPath(new URL('../../verifier/dist/main.js', import.meta.url));
const DDOS_DROP = fileURLToPath(new URL('../../../examples/ddos-drop/ddos-drop.bpf.o', import.meta.url));
const MAX_PAYLOAD = 128 * 1024;
const DEVICE = 'replay0';

/** An Ethernet + IPv4 + UDP frame of `size` bytes from `src` to 10.0.0.1:`dport` (checksums left 0: XDP does not check them). */
function udpFrame(src: string, dport: number, size = 100): Uint8Array {
  const f = new Uint8Array(size);
  const v = new DataView(f.buffer);
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 1, 1], 0);
  v.setUint16(12, 0x0800);
  f[14] = 0x45;
  v.setUint16(16, size - 14);
  f[22] = 64;
  f[23] = 17;
  f.set(src.split('.').map(Number), 26);
  f.set([10, 0, 0, 1], 30);
  v.setUint16(34, 40000);
  v.setUint16(36, dport);
  v.setUint16(38, size - 34);
  return f;
}

/** A little-endian microsecond pcap file of `frames`, one every millisecond (libpcap's layout, written out by hand). */
function pcapFile(frames: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(24 + frames.reduce((n, f) => n + 16 + f.length, 0));
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, 1, true);
  let at = 24;
  frames.forEach((f, i) => {
    v.setUint32(at, 1_700_000_000 + Math.floor(i / 1000), true);
    v.setUint32(at + 4, (i % 1000) * 1000, true);
    v.setUint32(at + 8, f.length, true);
    v.setUint32(at + 12, f.length, true);
    out.set(f, at + 16);
    at += 16 + f.length;
  });
  return out;
}

/** Frame i of the flood: every third one from the blocked prefix to UDP 53 (dropped), the others to port 123 from it or from elsewhere (passed). */
const floodFrame = (i: number): Uint8Array => (i % 3 === 0 ? udpFrame(`203.0.113.${i % 250}`, 53) : i % 3 === 1 ? udpFrame(`203.0.113.${i % 250}`, 123) : udpFrame(`198.51.100.${i % 250}`, 53));

describe.skipIf(!kernelSimBuilt() || !existsSync(VERIFIER_MAIN))('bpfhive net replay (needs the services built: npx turbo run build)', () => {
  let nats: NatsTestServer;
  const services: ServiceProcess[] = [];
  let client: BpfClient;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bpfhive-net-replay-'));
    const config = join(dir, 'nats.conf');
    writeFileSync(config, `max_payload: ${MAX_PAYLOAD}\n`);
    nats = await startNatsServer({ config });
    const env = { NATS_URL: nats.url };
    services.push(await startMapsStore(nats.url));
    services.push(await startService(VERIFIER_MAIN, env));
    services.push(await startService(KERNEL_SIM_MAIN, { ...env, KERNEL_SIM_JIT: 'local' }));
    client = await BpfClient.connect({ servers: nats.url });
    await simRequest(client, SimSubjects.devCreate, { name: DEVICE, kind: 'ether', addresses: ['10.0.0.1/24'] });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    for (const s of services.reverse()) await s.stop();
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function bpfhive(line: string, tty = false): Promise<{ status: number; out: string; err: string }> {
    const io = memoryIo('', { tty });
    const status = await runCli([...line.split(' '), '--nats', nats.url], io);
    return { status, out: io.out(), err: io.err() };
  }

  const sources = async (): Promise<number> => (await simRequest<SimTrafficStatusReply>(client, SimSubjects.trafficStatus, {})).sources.length;
  const rxPackets = async (): Promise<number> => (await simRequest<SimDevInfoReply>(client, SimSubjects.devInfo, { name: DEVICE })).stats.rx_packets ?? 0;

  it('net replay - a flood replayed twice in pieces through ddos-drop: the blocked third dropped and counted against its rule, the rest passed', async () => {
    expect(await bpfhive(`prog load ${DDOS_DROP} /sys/fs/bpf/replay/ddos pinmaps /sys/fs/bpf/replay/maps`)).toMatchObject({ status: 0, err: '' });
    expect(await bpfhive(`net attach xdp pinned /sys/fs/bpf/replay/ddos dev ${DEVICE}`)).toMatchObject({ status: 0 });
    // 203.0.113.0/24 → rule 7: UDP (17) to port 53 (network order).
    expect(await bpfhive('map update pinned /sys/fs/bpf/replay/maps/drop_v4 key 24 0 0 0 203 0 113 0 value 7 0 0 0 17 0 0 53')).toMatchObject({ status: 0, err: '' });

    const frames = Array.from({ length: 3000 }, (_, i) => floodFrame(i));
    const file = join(dir, 'flood.pcap');
    writeFileSync(file, pcapFile(frames));
    expect(readFileSync(file).length).toBeGreaterThan(2 * MAX_PAYLOAD);
    const rxBefore = await rxPackets();

    const run = await bpfhive(`net replay ${file} dev ${DEVICE} topspeed loop 2 -j`);
    expect(run).toMatchObject({ status: 0, err: '' });
    const summary = JSON.parse(run.out) as Record<string, unknown>;
    expect(summary).toMatchObject({
      devname: DEVICE, packets: 6000, total: 6000, bytes: 6000 * 100, loops: 2, interrupted: false,
      verdicts: { xdp_drop: 2000, xdp_pass: 4000, xdp_tx: 0, xdp_redirect: 0, xdp_aborted: 0 },
    });
    // 3000 frames of 116 bytes in the file do not fit one 128 KiB message: several pieces, each replayed twice.
    expect(summary.requests).toBeGreaterThanOrEqual(2 * Math.ceil((3000 * 116) / MAX_PAYLOAD));
    // Only what XDP passed reached the stack, which counts rx_packets.
    expect(await rxPackets()).toBe(rxBefore + 4000);

    // rule_stats[7], summed over the CPUs: the dropped frames and their bytes.
    const stats = await client.objGet('/sys/fs/bpf/replay/maps/rule_stats');
    if (!('map_id' in stats)) throw new Error('rule_stats is not pinned as a map');
    const statsId = stats.map_id;
    const perCpu = await client.mapLookup(statsId, Uint8Array.of(7, 0, 0, 0));
    const view = new DataView(perCpu.buffer, perCpu.byteOffset, perCpu.byteLength);
    let packets = 0n;
    let bytes = 0n;
    for (let at = 0; at < perCpu.length; at += 16) {
      packets += view.getBigUint64(at, true);
      bytes += view.getBigUint64(at + 8, true);
    }
    expect({ packets, bytes }).toEqual({ packets: 2000n, bytes: 200_000n });
  }, 120_000);

  it('net replay - at a packet rate: progress on a terminal only, a plain summary with the verdicts', async () => {
    const file = join(dir, 'few.pcap');
    writeFileSync(file, pcapFile(Array.from({ length: 20 }, (_, i) => floodFrame(i))));
    const tty = await bpfhive(`net replay ${file} dev ${DEVICE} rate 400`, true);
    expect(tty.status).toBe(0);
    expect(tty.err).toMatch(new RegExp(`\\r\\u001b\\[Kreplaying ${file} on ${DEVICE}: \\d+/20 packets, \\d+ pps`));
    expect(tty.err.endsWith('\r\u001b[K')).toBe(true);
    expect(tty.out).toMatch(new RegExp(`^${DEVICE}\\(\\d+\\): replayed 20 packets, 2000 bytes in \\d+\\.\\d{3} s \\(\\d+ pps\\)\\nxdp: pass 13  drop 7  tx 0  redirect 0  aborted 0\\n$`));
    const piped = await bpfhive(`net replay ${file} dev ${DEVICE} rate 400`);
    expect(piped).toMatchObject({ status: 0, err: '' });
    // The recorded timing (a frame every millisecond), four times faster.
    expect(JSON.parse((await bpfhive(`net replay ${file} dev ${DEVICE} speed 4 -j`)).out)).toMatchObject({ packets: 20, verdicts: { xdp_drop: 7, xdp_pass: 13 } });
    // A capture that fits one message loops in the kernel-sim: one request.
    const json = await bpfhive(`net replay ${file} dev ${DEVICE} rate 400 loop 2 -j`, true);
    expect(json).toMatchObject({ status: 0, err: '' });
    expect(JSON.parse(json.out)).toMatchObject({ packets: 40, total: 40, bytes: 4000, requests: 1, verdicts: { xdp_drop: 14, xdp_pass: 26 } });
  }, 60_000);

  it('net replay - told to stop (Ctrl-C), the replay stops its source in the kernel-sim and says how far it got', async () => {
    const capture = readCapture(pcapFile(Array.from({ length: 200 }, (_, i) => floodFrame(i))));
    const ifindex = (await simRequest<SimDevInfoReply>(client, SimSubjects.devInfo, { name: DEVICE })).ifindex;
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const seen: number[] = [];
    // 200 frames at 50 per second would take 4 s; the first progress report stops it.
    const result = await replayCapture(client, { ifindex, pieces: splitCapture(capture, 1 << 20), loops: 1, pacing: { rate: 50 } }, {
      stop: stopped,
      onProgress: (sent) => {
        seen.push(sent);
        stop();
      },
    });
    expect(result).toMatchObject({ interrupted: true, total: 200, requests: 1 });
    expect(result.sent).toBeLessThan(200);
    expect(result.bytes).toBe(result.sent * 100);
    const last = (await simRequest<SimTrafficStatusReply>(client, SimSubjects.trafficStatus, {})).sources.at(-1)!;
    expect(last).toMatchObject({ kind: 'pcap', running: false, sent: result.sent, total: 200 });
    expect(seen.at(-1)).toBe(result.sent);
  });

  it('net replay - a broken capture is refused with a clear error and exit 255; nothing is sent', async () => {
    const good = pcapFile([floodFrame(0), floodFrame(1)]);
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated', good.subarray(0, good.length - 10), /record 1 at byte 140: header says 100 bytes but 90 remain; nothing was sent/],
      ['pcapng', Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, ...new Array<number>(28).fill(0)), /this is a pcapng file/],
      ['not a capture', new TextEncoder().encode('hello, this is not a pcap file at all'), /bad magic number 0x68656c6c: not a pcap file/],
      ['empty', good.subarray(0, 24), /the capture holds no packets/],
    ];
    const before = { sources: await sources(), rx: await rxPackets() };
    for (const [name, bytes, message] of cases) {
      const file = join(dir, `${name.replace(/ /g, '-')}.pcap`);
      writeFileSync(file, bytes);
      const run = await bpfhive(`net replay ${file} dev ${DEVICE}`);
      expect(run.status, name).toBe(255);
      expect(run.err, name).toMatch(new RegExp(`^Error: ${file}: `));
      expect(run.err, name).toMatch(message);
      expect(run.out, name).toBe('');
    }
    const json = await bpfhive(`net replay ${join(dir, 'truncated.pcap')} dev ${DEVICE} -j`);
    expect(json.status).toBe(255);
    expect((JSON.parse(json.out) as { error: string }).error).toMatch(/header says 100 bytes but 90 remain/);
    expect(await bpfhive(`net replay ${join(dir, 'missing.pcap')} dev ${DEVICE}`)).toMatchObject({ status: 255, err: expect.stringMatching(/cannot open .*missing\.pcap: no such file/) });
    expect({ sources: await sources(), rx: await rxPackets() }).toEqual(before);
  });

  it('net replay - bad arguments and an unknown device are usage errors; --help shows the usage', async () => {
    const file = join(dir, 'two.pcap');
    writeFileSync(file, pcapFile([floodFrame(1), floodFrame(2)]));
    expect((await bpfhive(`net replay ${file} dev nosuchdev`)).err).toMatch(/invalid devname nosuchdev/);
    expect((await bpfhive(`net replay ${file} dev ${DEVICE} rate 0`)).err).toMatch(/can't parse 0 as packet rate/);
    expect((await bpfhive(`net replay ${file} dev ${DEVICE} rate 10 speed 2`)).err).toMatch(/rate, speed and topspeed exclude each other/);
    expect((await bpfhive(`net replay ${file} dev ${DEVICE} loop 0`)).err).toMatch(/loop count must be at least 1/);
    expect((await bpfhive(`net replay ${file} dev ${DEVICE} fast`)).err).toMatch(/what is 'fast'\?/);
    const help = await bpfhive('net replay --help');
    expect(help.status).toBe(0);
    expect(help.out).toMatch(/^Usage: bpfhive net replay FILE dev NAME \[ rate PPS \| speed FACTOR \| topspeed \] \[ loop N \]\n/);
  });

  it('prog loadall of a CO-RE fentry object: loadCollection fetches the kernel BTF the CLI no longer passes', async () => {
    const run = await bpfhive(`prog loadall ${join(OBJECTS_DIR, 'fentry_core.o')} /sys/fs/bpf/replay/fentry_core`);
    expect(run).toMatchObject({ status: 0, err: '' });
    const pinned = await client.objGet('/sys/fs/bpf/replay/fentry_core/read_entry');
    if (!('prog_id' in pinned)) throw new Error('read_entry is not pinned as a program');
    expect(Number((await client.bpf('OBJ_GET_INFO_BY_FD', { prog_id: pinned.prog_id })).attach_btf_id)).toBeGreaterThan(0);
  });
});
