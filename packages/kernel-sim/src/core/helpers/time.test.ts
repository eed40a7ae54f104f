import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness, readU64 } from '../../testing/harness.js';
import { INITIAL_JIFFIES } from './time.js';

/** Calls each helper in turn and stores r0 at ctx + 8 * i. */
const store = (...ids: number[]) => ['r6 = r1', ...ids.flatMap((id, i) => [`call ${id}`, `*(u64 *)(r6 + ${8 * i}) = r0`]), 'r0 = 0', 'exit'].join('\n');

describe('helpers - clocks', () => {
  it('helpers - ktime_get_ns, _boot_ns, _coarse_ns, _tai_ns and jiffies64 read the kernel clock', async () => {
    const h = kernelHarness();
    h.clock.monotonic = 7_003_999_999n;
    h.clock.realtime = 1_000_000_000_000_000_000n;
    const { ctx } = await h.syscall(store(H.ktime_get_ns, H.ktime_get_boot_ns, H.ktime_get_coarse_ns, H.ktime_get_tai_ns, H.jiffies64));
    expect([0, 8, 16, 24, 32].map((at) => readU64(ctx, at))).toEqual([
      7_003_999_999n,
      7_003_999_999n,
      7_000_000_000n, // the last 4 ms tick (HZ = 250)
      1_000_000_037_000_000_000n, // TAI = UTC + 37 s
      INITIAL_JIFFIES + 1750n,
    ]);
  });

  it('helpers - ktime_get_ns follows the clock from one run to the next', async () => {
    const h = kernelHarness();
    const { program } = await h.load(`call ${H.ktime_get_ns}\nexit`);
    const first = h.kernel.testRun(program.id, {}).retval;
    h.clock.advance(1234n);
    expect(h.kernel.testRun(program.id, {}).retval - first).toBe(1234);
  });
});
