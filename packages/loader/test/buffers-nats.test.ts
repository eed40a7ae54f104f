import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { HelperId as H, SimSubjects, Subjects, asm, encode } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfClient, BpfSyscallError, PerfBufReader, type PerfRecord, RingBufReader, type RingRecord } from '../src/client/index.js';
import { type ServiceProcess, kernelSimBuilt, startMapsStore, startService, KERNEL_SIM_MAIN } from './support/services.js';
import { serveAcceptingVerifier } from './support/stand-in-verifier.js';

/**
 * Ring and perf buffer readers (RingBufReader, PerfBufReader), BPF_ENABLE_STATS and
 * `bpfhive map event_pipe` against the real services: NATS, the maps-store and the kernel-sim as
 * processes (2 CPUs), a stand-in verifier. Programs are raw tracepoints run with test_run (on a
 * chosen CPU with BPF_F_TEST_RUN_ON_CPU); each outputs the 8 bytes of its context.
 */
const BIN = fileURLToPath(new URL('../bin/bpfhive.js', import.meta.url));

describe.skipIf(!kernelSimBuilt())('ring and perf buffer readers over NATS (skipped when packages/kernel-sim/dist/main.js is missing)', () => {
  let nats: NatsTestServer;
  let mapsStore: ServiceProcess;
  let kernelSim: ServiceProcess;
  let nc: NatsConnection;
  let client: BpfClient;

  beforeAll(async () => {
    nats = await startNatsServer();
    mapsStore = await startMapsStore(nats.url);
    kernelSim = await startService(KERNEL_SIM_MAIN, { NATS_URL: nats.url, KERNEL_SIM_JIT: 'local', KERNEL_SIM_CPUS: '2' });
    nc = await connect({ servers: nats.url });
    await serveAcceptingVerifier(nc);
    client = await BpfClient.connect({ servers: nats.url });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await nc?.close();
    await kernelSim?.stop();
    await mapsStore?.stop();
    await nats?.stop();
  });

  const load = async (text: string): Promise<number> => Number((await client.bpf('PROG_LOAD', { prog_type: 'raw_tracepoint', insns: encode(asm`${text}`), license: 'GPL' })).prog_id);
  const ctx = (n: number): Uint8Array => new Uint8Array(new BigUint64Array([BigInt(n)]).buffer);
  /** test_run with args[0] = n, on `cpu` when given; the program's r0. */
  const run = async (prog: number, n: number, cpu?: number): Promise<number> =>
    Number((await client.bpf('PROG_TEST_RUN', { prog_id: prog, ctx_in: ctx(n), ...(cpu !== undefined && { flags: 1, cpu }) })).retval);

  /** ringbuf_output(map, &args[1], 8, 0): the syscall number, from raw_tp sys_enter. */
  const ringOutput = (map: number) => `
    r2 = r1
    r2 += 8
    ld_pseudo r1, 1, ${map}
    r3 = 8
    r4 = 0
    call ${H.ringbuf_output}
    r0 = 0
    exit`;

  /** A request to the kernel-sim's simulated world; the reply body. */
  const sim = async (subject: string, body: unknown): Promise<Record<string, unknown>> => (await nc.request(subject, JSON.stringify(body), { timeout: 10_000 })).json();

  /**
   * Ring buffer records come from programs attached to hooks (drained after each batch): a
   * raw_tp sys_enter program writing each syscall's number to `map`, and a task (pid) making
   * system calls. Returns a function making syscall `name` and one closing the link.
   */
  async function syscallsInto(map: number, pid: number): Promise<{ call: (name: 'close' | 'read') => Promise<unknown>; detach: () => Promise<unknown> }> {
    const prog = await load(ringOutput(map));
    const { link_id } = (await client.bpf('LINK_CREATE', { prog_id: prog, attach_type: 'trace_raw_tp', target_name: 'sys_enter' })) as { link_id: number };
    await sim(SimSubjects.procSpawn, { pid, comm: 'ringtest' });
    return {
      call: (name) => sim(SimSubjects.procSyscall, { pid, syscall: name, fd: 99, ...(name === 'read' && { count: 1 }) }),
      detach: () => nc.request(Subjects.link(link_id, 'close'), '{}', { timeout: 10_000 }),
    };
  }
  const CLOSE = 3;
  const READ = 0;

  /** perf_event_output(ctx, map, BPF_F_CURRENT_CPU, ctx, 8). */
  const perfOutput = (map: number) => `
    r4 = r1
    ld_pseudo r2, 1, ${map}
    r3 = 0xffffffff ll
    r5 = 8
    call ${H.perf_event_output}
    exit`;

  const perfArray = () => client.mapCreate({ map_type: 'perf_event_array', key_size: 4, value_size: 4, max_entries: 2 });
  const first = (data: Uint8Array): number => data[0]!;

  it('RingBufReader - the callback gets every record at poll; the async iterator gets them too', async () => {
    const map = await client.mapCreate({ map_type: 'ringbuf', key_size: 0, value_size: 0, max_entries: 4096 });
    const task = await syscallsInto(map, 701);
    const seen: number[] = [];
    const reader = await RingBufReader.open(client, map, (data, mapId) => {
      expect(mapId).toBe(map);
      seen.push(first(data));
    });
    try {
      await task.call('close');
      await task.call('read');
      while (seen.length < 2) await reader.poll(30_000);
      expect(seen).toEqual([CLOSE, READ]);
      expect(reader.consume()).toBe(0);
    } finally {
      reader.close();
    }
    const iterated = await RingBufReader.open(client, map);
    await task.call('close');
    const records: RingRecord[] = [];
    for await (const r of iterated) {
      records.push(r);
      iterated.close();
    }
    expect(records.map((r) => [r.mapId, first(r.data), r.data.length])).toEqual([[map, CLOSE, 8]]);
    await task.detach();
  });

  it('RingBufReader - a callback that returns non-zero stops the consume with that value; the rest wait', async () => {
    const map = await client.mapCreate({ map_type: 'ringbuf', key_size: 0, value_size: 0, max_entries: 4096 });
    const task = await syscallsInto(map, 702);
    const seen: number[] = [];
    const reader = await RingBufReader.open(client, map, (data) => (seen.push(first(data)), first(data) === CLOSE ? -7 : 0));
    try {
      await task.call('close');
      await task.call('read');
      await client.nc.flush();
      let result = 0;
      while (result === 0) result = await reader.poll(30_000);
      expect(result).toBe(-7);
      expect(seen).toEqual([CLOSE]);
      while (seen.length < 2) await reader.poll(30_000);
      expect(seen).toEqual([CLOSE, READ]);
    } finally {
      reader.close();
      await task.detach();
    }
  });

  it('RingBufReader and PerfBufReader - a map of another type is EINVAL', async () => {
    const array = await client.mapCreate({ map_type: 'array', key_size: 4, value_size: 4, max_entries: 1 });
    await expect(RingBufReader.open(client, array)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(PerfBufReader.open(client, array)).rejects.toBeInstanceOf(BpfSyscallError);
  });

  it('PerfBufReader - samples arrive with the CPU that wrote them; close empties the slots', async () => {
    const map = await perfArray();
    const prog = await load(perfOutput(map));
    expect(await run(prog, 9)).toBe(-2 >>> 0); // -ENOENT: no reader yet
    const samples: [number, number][] = [];
    const reader = await PerfBufReader.open(client, map, { pageCnt: 2, sample: (cpu, data) => samples.push([cpu, first(data)]) });
    expect(reader.cpus).toEqual([0, 1]);
    expect(await run(prog, 5, 1)).toBe(0);
    expect(await run(prog, 6, 0)).toBe(0);
    while (samples.length < 2) await reader.poll(30_000);
    expect(samples).toEqual([
      [1, 5],
      [0, 6],
    ]);
    await reader.close();
    expect(await run(prog, 7)).toBe(-2 >>> 0);
  });

  it('PerfBufReader - the async iterator, and one CPU in a chosen slot', async () => {
    const map = await perfArray();
    const prog = await load(perfOutput(map));
    const reader = await PerfBufReader.open(client, map, { slots: [{ cpu: 1, index: 1 }] });
    expect(await run(prog, 4, 0)).toBe(-2 >>> 0); // CPU 0's slot is empty
    expect(await run(prog, 8, 1)).toBe(0);
    const records: PerfRecord[] = [];
    for await (const r of reader) {
      records.push(r);
      break;
    }
    expect(records).toEqual([{ cpu: 1, data: ctx(8) }]);
    await reader.close();
  });

  it('enableStats - run_cnt counts while the handle is held', async () => {
    const prog = await load('r0 = 0\nexit');
    const runCount = async () => Number((await client.bpf('OBJ_GET_INFO_BY_FD', { prog_id: prog })).run_cnt);
    await run(prog, 0);
    expect(await runCount()).toBe(0);
    const handle = await client.enableStats();
    await run(prog, 0);
    expect(await runCount()).toBe(1);
    await client.statsClose(handle);
    await expect(client.statsClose(handle)).rejects.toMatchObject({ code: 'EBADF' });
    await run(prog, 0);
    expect(await runCount()).toBe(1);
  });

  describe('bpfhive map event_pipe', () => {
    /** `bpfhive map event_pipe ARGS` as a process, with its output so far. */
    function eventPipe(args: string[]): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
      const child = spawn(process.execPath, [BIN, 'map', 'event_pipe', ...args, '--nats', nats.url], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      return { child, out: () => out, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
    }

    /** Runs `prog` on `cpu` until its output succeeds: the command's reader has filled the slot. */
    async function runOnceReady(prog: number, cpu: number, n: number): Promise<void> {
      for (let i = 0; i < 600 && (await run(prog, n, cpu)) !== 0; i++) await new Promise((r) => setTimeout(r, 50));
    }

    async function outputHas(out: () => string, text: string): Promise<void> {
      for (let i = 0; i < 600 && !out().includes(text); i++) await new Promise((r) => setTimeout(r, 50));
      expect(out()).toContain(text);
    }

    it('event_pipe - prints each sample as bpftool does until Ctrl-C', async () => {
      const map = await perfArray();
      const prog = await load(perfOutput(map));
      const pipe = eventPipe(['id', String(map)]);
      await runOnceReady(prog, 1, 0x2a);
      await outputHas(pipe.out, '== CPU: 1 index: 1 =====\n2a 00 00 00 00 00 00 00\n');
      pipe.child.kill('SIGINT');
      expect(await pipe.exited).toBe(0);
      expect(await run(prog, 1, 1)).toBe(-2 >>> 0); // the reader emptied its slots
    });

    it('event_pipe - with -j, one object per record; cpu N index M reads one slot', async () => {
      const map = await perfArray();
      const prog = await load(perfOutput(map));
      const pipe = eventPipe(['id', String(map), 'cpu', '0', 'index', '0', '-j']);
      await runOnceReady(prog, 0, 7);
      await outputHas(pipe.out, '{"type":9,"cpu":0,"index":0,"data":[7,0,0,0,0,0,0,0]}');
      pipe.child.kill('SIGINT');
      expect(await pipe.exited).toBe(0);
      expect(JSON.parse(pipe.out())).toEqual([{ type: 9, cpu: 0, index: 0, data: [7, 0, 0, 0, 0, 0, 0, 0] }]);
    });

    it('event_pipe - errors: not a perf event array, cpu without index', async () => {
      const array = await client.mapCreate({ map_type: 'array', key_size: 4, value_size: 4, max_entries: 1 });
      const notPerf = eventPipe(['id', String(array)]);
      expect(await notPerf.exited).toBe(255);
      expect(notPerf.out()).toContain('Error: map is not a perf event array');
      const map = await perfArray();
      const half = eventPipe(['id', String(map), 'cpu', '0']);
      expect(await half.exited).toBe(255);
      expect(half.out()).toContain('Error: cpu and index must be specified together');
    });
  });
});
