import { HelperId } from '@bpfhive/uapi';
import type { Clock } from '../ports.js';
import type { HelperDef, KernelServices } from './common.js';

/** CONFIG_HZ of the simulated kernel (a common distribution choice). */
export const HZ = 250n;
const NS_PER_TICK = 1_000_000_000n / HZ;
/** INITIAL_JIFFIES on a 64-bit kernel: (unsigned long)(unsigned int)(-300 * HZ), so jiffies wrap 5 minutes after boot on 32 bits. */
export const INITIAL_JIFFIES = BigInt.asUintN(32, -300n * HZ);
/** TAI is ahead of UTC by the leap seconds since 1972: 37 s since 2017. */
const TAI_OFFSET_NS = 37_000_000_000n;

/** What the clock helpers return, read from `clock` once (the kernel data block's clocks, run/cpu.ts). */
export function clockValues(clock: Clock): { ktimeNs: bigint; coarseNs: bigint; taiNs: bigint; jiffies64: bigint } {
  const ktimeNs = clock.monotonicNs();
  const ticks = ktimeNs / NS_PER_TICK;
  return { ktimeNs, coarseNs: ticks * NS_PER_TICK, taiNs: clock.realtimeNs() + TAI_OFFSET_NS, jiffies64: INITIAL_JIFFIES + ticks };
}

/**
 * The clock helpers, from the kernel's Clock port: ktime_get_ns and ktime_get_boot_ns (the
 * simulated machine never suspends, so they agree), ktime_get_coarse_ns (the monotonic clock at
 * the last tick), ktime_get_tai_ns, and jiffies64.
 */
export function timeHelpers(kernel: KernelServices): HelperDef[] {
  const { clock } = kernel;
  return [
    { id: HelperId.ktime_get_ns, fn: () => clock.monotonicNs() },
    { id: HelperId.ktime_get_boot_ns, fn: () => clock.monotonicNs() },
    { id: HelperId.ktime_get_coarse_ns, fn: () => (clock.monotonicNs() / NS_PER_TICK) * NS_PER_TICK },
    { id: HelperId.ktime_get_tai_ns, fn: () => clock.realtimeNs() + TAI_OFFSET_NS },
    { id: HelperId.jiffies64, fn: () => INITIAL_JIFFIES + clock.monotonicNs() / NS_PER_TICK },
  ];
}
