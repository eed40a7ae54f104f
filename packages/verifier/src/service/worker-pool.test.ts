import { Worker } from 'node:worker_threads';
import { BpfError } from '@bpfhive/uapi';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPool, type WorkerPoolOptions } from './worker-pool.js';

/**
 * A stand-in worker that speaks worker/protocol.ts. Its tasks: `echo` answers at once; `hold`
 * blocks its thread until the test opens gate `gate` (Atomics, no timers), then answers;
 * `fail` answers an EINVAL error; `throw` dies of an uncaught exception, `exit` exits.
 */
const FIXTURE = `
const { parentPort, workerData } = require('node:worker_threads');
const gates = new Int32Array(workerData.gates);
parentPort.on('message', ({ id, request }) => {
  switch (request.op) {
    case 'echo': parentPort.postMessage({ id, reply: request.value }); break;
    case 'hold': Atomics.wait(gates, request.gate, 0); parentPort.postMessage({ id, reply: request.value }); break;
    case 'fail': parentPort.postMessage({ id, error: { errno: 22, code: 'EINVAL', message: 'bad request', log: 'the log' } }); break;
    case 'throw': throw new Error('boom');
    case 'exit': process.exit(3);
    case 'hog': { const hoard = []; for (;;) hoard.push(new Array(1e6).fill(Math.random())); }
  }
});
parentPort.postMessage({ ready: true });
`;

type Op = { op: 'echo' | 'hold' | 'fail' | 'throw' | 'exit' | 'hog'; value?: string; gate?: number };

const pools: WorkerPool<Op, string>[] = [];
let gates: Int32Array;

function pool(options: Partial<WorkerPoolOptions> = {}, script = FIXTURE, resourceLimits?: { maxOldGenerationSizeMb: number }): WorkerPool<Op, string> {
  const shared = new SharedArrayBuffer(4 * 16);
  gates = new Int32Array(shared);
  const spawn = () => new Worker(script, { eval: true, workerData: { gates: shared }, ...(resourceLimits && { resourceLimits }) });
  const p = new WorkerPool<Op, string>({ size: 1, name: 'test', spawn, ...options });
  pools.push(p);
  return p;
}

function open(gate: number): void {
  Atomics.store(gates, gate, 1);
  Atomics.notify(gates, gate);
}

/** Records the order in which promises settle. */
function settleOrder(tasks: Record<string, Promise<unknown>>): Promise<string[]> {
  const order: string[] = [];
  return Promise.all(Object.entries(tasks).map(([name, p]) => p.then(() => order.push(name), () => order.push(name)))).then(() => order);
}

afterEach(async () => {
  for (let g = 0; g < 16; g++) open(g);
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('worker pool', () => {
  it('answers each task with its own reply', async () => {
    const p = pool({ size: 2 });
    const replies = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((value) => p.run({ op: 'echo', value })));
    expect(replies).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('queues tasks while every worker is busy and runs them in arrival order', async () => {
    const p = pool({ size: 1 });
    const first = p.run({ op: 'hold', gate: 0, value: 'first' });
    const rest = { second: p.run({ op: 'echo', value: 'second' }), third: p.run({ op: 'echo', value: 'third' }) };
    expect(p.stats()).toMatchObject({ busy: 1, queued: 2 });
    const order = settleOrder({ first, ...rest });
    open(0);
    expect(await order).toEqual(['first', 'second', 'third']);
    expect(p.stats()).toMatchObject({ busy: 0, queued: 0 });
  });

  it('keeps the light lane for light tasks: a light task passes heavy ones that fill the general workers', async () => {
    const p = pool({ size: 2 });
    expect(p.stats()).toMatchObject({ size: 2, light_lane: 1 });
    const heavy1 = p.run({ op: 'hold', gate: 0, value: 'heavy1' });
    const heavy2 = p.run({ op: 'hold', gate: 1, value: 'heavy2' });
    // heavy2 waits for the general worker: the light lane does not take it.
    expect(p.stats()).toMatchObject({ busy: 1, queued: 1 });
    expect(await p.run({ op: 'echo', value: 'light' }, { light: true })).toBe('light');
    expect(p.stats()).toMatchObject({ busy: 1, queued: 1 });
    const order = settleOrder({ heavy1, heavy2 });
    open(0);
    open(1);
    expect(await order).toEqual(['heavy1', 'heavy2']);
  });

  it('gives a light task to a general worker when the light lane is busy', async () => {
    const p = pool({ size: 2 });
    const held = p.run({ op: 'hold', gate: 0, value: 'held' }, { light: true });
    expect(await p.run({ op: 'echo', value: 'second' }, { light: true })).toBe('second');
    open(0);
    expect(await held).toBe('held');
  });

  it('serves light and heavy tasks in arrival order on a general worker, so heavy ones are not starved', async () => {
    const p = pool({ size: 2 });
    const lane = p.run({ op: 'hold', gate: 0, value: 'lane' }, { light: true });
    const general = p.run({ op: 'hold', gate: 1, value: 'general' });
    const tasks = {
      heavy: p.run({ op: 'echo', value: 'heavy' }),
      light: p.run({ op: 'echo', value: 'light' }, { light: true }),
    };
    expect(p.stats()).toMatchObject({ busy: 2, queued: 2 });
    const order = settleOrder(tasks);
    open(1);
    expect(await order).toEqual(['heavy', 'light']);
    open(0);
    await Promise.all([lane, general]);
  });

  it('rebuilds the error a worker answers with its errno, message and log', async () => {
    const p = pool();
    const error = await p.run({ op: 'fail' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BpfError);
    expect(error).toMatchObject({ code: 'EINVAL', message: 'bad request', log: 'the log' });
  });

  it.each([
    ['throws', 'throw' as const, /test: the worker thread crashed; the request was not verified \(boom\)/],
    ['exits', 'exit' as const, /test: the worker thread crashed; the request was not verified \(the worker thread exited with code 3\)/],
  ])('fails the task of a worker that %s with EFAULT, replaces the worker and serves the queue', async (_title, op, message) => {
    const p = pool({ size: 1 });
    await p.run({ op: 'echo', value: 'warm' });
    const crashed = p.run({ op });
    const next = p.run({ op: 'echo', value: 'next' });
    const error = await crashed.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BpfError);
    expect(error).toMatchObject({ code: 'EFAULT' });
    expect((error as Error).message).toMatch(message);
    expect(await next).toBe('next');
    expect(p.stats()).toMatchObject({ size: 1, busy: 0, queued: 0, replaced: 1 });
  });

  it('fails the task of a worker that runs out of memory with ENOMEM and keeps serving', async () => {
    const p = pool({ size: 1 }, FIXTURE, { maxOldGenerationSizeMb: 32 });
    const hog = p.run({ op: 'hog' });
    const next = p.run({ op: 'echo', value: 'next' });
    await expect(hog).rejects.toMatchObject({ code: 'ENOMEM', message: expect.stringMatching(/test: the worker thread ran out of memory/) });
    expect(await next).toBe('next');
  });

  it('answers every task exactly once when workers crash among others', async () => {
    const p = pool({ size: 2 });
    const ops: Op[] = Array.from({ length: 30 }, (_, i) => (i % 7 === 3 ? { op: 'throw' } : i % 11 === 5 ? { op: 'exit' } : { op: 'echo', value: String(i) }));
    const settled = await Promise.allSettled(ops.map((op) => p.run(op)));
    settled.forEach((s, i) => {
      if (ops[i]!.op === 'echo') expect(s).toEqual({ status: 'fulfilled', value: String(i) });
      else expect(s).toMatchObject({ status: 'rejected', reason: { code: 'EFAULT' } });
    });
    expect(p.stats().replaced).toBe(ops.filter((o) => o.op !== 'echo').length);
  });

  it('fails a task with EFAULT when its worker cannot start, and does not spin', async () => {
    const p = pool({ size: 1, respawnDelayMs: 60_000 }, `throw new Error('no such module')`);
    const error = await p.run({ op: 'echo', value: 'x' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EFAULT', message: expect.stringMatching(/test: the worker thread could not start: no such module/) });
    expect(p.stats().replaced).toBe(1);
  });

  it('finishes the tasks it took on close, then refuses new ones with EAGAIN', async () => {
    const p = pool({ size: 1 });
    const held = p.run({ op: 'hold', gate: 0, value: 'held' });
    const queued = p.run({ op: 'echo', value: 'queued' });
    const closed = p.close();
    await expect(p.run({ op: 'echo', value: 'late' })).rejects.toMatchObject({ code: 'EAGAIN' });
    open(0);
    await closed;
    expect(await held).toBe('held');
    expect(await queued).toBe('queued');
  });

  it('refuses sizes without a worker or a light lane without a general worker', () => {
    const spawn = () => {
      throw new Error('not reached');
    };
    expect(() => new WorkerPool({ size: 0, name: 'test', spawn })).toThrow(/at least 1 worker/);
    expect(() => new WorkerPool({ size: 2, lightLane: 2, name: 'test', spawn })).toThrow(/light lane must leave a general worker/);
  });

  it('ends the workers it started when a later one cannot be spawned', async () => {
    const started: Worker[] = [];
    const spawn = () => {
      if (started.length === 2) throw new Error('no more threads');
      const worker = new Worker(FIXTURE, { eval: true, workerData: { gates: new SharedArrayBuffer(64) } });
      started.push(worker);
      return worker;
    };
    expect(() => new WorkerPool({ size: 3, name: 'test', spawn })).toThrow(/no more threads/);
    const exits = await Promise.all(started.map((w) => new Promise((resolve) => w.once('exit', resolve))));
    expect(exits).toHaveLength(2);
  });
});
