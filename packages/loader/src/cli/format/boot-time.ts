import { uptime } from 'node:os';

/**
 * `loaded_at` as bpftool's print_boot_time computes it: a time since boot (bpf_prog_info's
 * load_time, ns) turned into wall-clock seconds with this machine's clocks (now minus uptime).
 * Right when the kernel-sim's boot clock is this machine's, as bpftool assumes for the kernel it
 * runs on; the info reply does not say when the kernel-sim booted.
 */
export interface HostClock {
  /** Wall-clock time now, ms since the epoch. */
  readonly nowMs: number;
  /** Seconds since this machine booted. */
  readonly uptimeS: number;
}

export const hostClock = (): HostClock => ({ nowMs: Date.now(), uptimeS: uptime() });

/** Wall-clock seconds since the epoch of a boot-time nanosecond count. */
export function bootTimeToEpochSeconds(bootNs: number, clock: HostClock): number {
  return Math.floor(clock.nowMs / 1000 - clock.uptimeS + bootNs / 1e9);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** strftime's `%FT%T%z` in local time: `2024-05-01T10:20:30+0200`. */
export function isoLocalTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const offset = -d.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${zone}`;
}
