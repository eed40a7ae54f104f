import { BpfError } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import type { PreparedTestRun } from './attr.js';
import { kernelHarness } from '../../testing/harness.js';
import { averageDuration, runRepeats, runRepeatsSliced } from './repeats.js';

/** A fake world: each run advances both clocks by `runNs`; a pause advances wall time by `pauseMs` only. */
function world(repeat: number, runNs = 1_000_000, pauseMs = 100) {
  let ns = 0n;
  let runs = 0;
  let pauses = 0;
  const clock = { monotonicNs: () => ns, realtimeNs: () => ns };
  const run: PreparedTestRun = {
    repeat,
    once: () => {
      ns += BigInt(runNs);
      return BigInt(++runs);
    },
    finish: () => ({ retval: 0, duration: 0 }),
    release: () => {},
  };
  let wallMs = 0;
  const now = () => wallMs + Number(ns) / 1e6;
  const pause = async () => {
    pauses++;
    wallMs += pauseMs;
  };
  return { clock, run, now, pause, counts: () => ({ runs, pauses }) };
}

describe('test_run - repeats', () => {
  it('test_run repeats - one go runs every repeat and averages the time', () => {
    const w = world(10, 3_000);
    expect(runRepeats(w.clock, w.run)).toEqual({ r0: 10n, duration: 3_000 });
  });

  it('test_run repeats - a sliced run pauses between slices; the pauses do not count in duration', async () => {
    const w = world(1_000, 1_000_000, 100);
    const result = await runRepeatsSliced(w.clock, w.run, { sliceMs: 5, deadlineMs: 1e9, now: w.now, pause: w.pause });
    expect(result).toEqual({ r0: 1_000n, duration: 1_000_000 });
    const { runs, pauses } = w.counts();
    expect(runs).toBe(1_000);
    // 1 ms runs in 5 ms slices: a pause at least every few runs.
    expect(pauses).toBeGreaterThanOrEqual(1_000 / 8);
  });

  it('test_run repeats - a sliced run past its deadline stops with EINTR and says how far it got', async () => {
    const w = world(2 ** 32 - 1, 1_000, 10);
    const run = runRepeatsSliced(w.clock, w.run, { sliceMs: 5, deadlineMs: 1_000, now: w.now, pause: w.pause });
    await expect(run).rejects.toThrow(BpfError);
    await expect(run).rejects.toMatchObject({ code: 'EINTR', message: expect.stringMatching(/interrupted after \d+ of 4294967295 runs/) });
    expect(w.counts().runs).toBeLessThan(2 ** 20);
  });

  it('test_run repeats - duration saturates at u32 max', () => {
    expect(averageDuration(2n ** 40n, 1)).toBe(0xffffffff);
    expect(averageDuration(10n, 0)).toBe(10);
  });
});

describe('test_run - sliced, on a kernel', () => {
  it('test_run sliced - a program closed during a sliced run finishes the run, then goes', async () => {
    const h = kernelHarness();
    const { program } = await h.load('r0 = 2\nexit', { prog_type: 'xdp' });
    let paused = 0;
    const run = h.kernel.testRunSliced(program.id, { data_in: new Uint8Array(64), repeat: 50 }, {
      sliceMs: 0,
      pause: async () => {
        if (paused++ === 0) h.kernel.close(program.id);
      },
    });
    await expect(run).resolves.toMatchObject({ retval: 2 });
    expect(paused).toBeGreaterThan(0);
    expect(() => h.kernel.program(program.id)).toThrow(/no such program/);
  });

  it('test_run sliced - past the deadline it stops with EINTR and the program stays usable', async () => {
    const h = kernelHarness();
    const { program } = await h.load('r0 = 1\nexit', { prog_type: 'xdp' });
    await expect(h.kernel.testRunSliced(program.id, { data_in: new Uint8Array(64), repeat: 2 ** 32 - 1 }, { deadlineMs: 0 })).rejects.toMatchObject({ code: 'EINTR' });
    expect(h.kernel.testRun(program.id, { data_in: new Uint8Array(64) }).retval).toBe(1);
  });
});
