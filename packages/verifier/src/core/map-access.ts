/**
 * Accesses to map values through PTR_TO_MAP_VALUE (check_map_access, check_map_access_type):
 * within value_size, never overlapping the `struct bpf_spin_lock`, and allowed by the map's
 * BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG flags.
 */
import { MapFlag } from '@bpfhive/uapi';
import type { Env } from './env.js';
import { checkKptrOverlap } from './kptr.js';
import { checkMemRegionAccess } from './mem-region.js';
import type { RegState } from './reg.js';
import { checkTimerNotTouched } from './timer.js';

const SPIN_LOCK_SIZE = 4;

/** Whether a program may write (resp. read) the map's values. */
export const mapProgCanWrite = (flags: number): boolean => (flags & MapFlag.RDONLY_PROG) === 0;
export const mapProgCanRead = (flags: number): boolean => (flags & MapFlag.WRONLY_PROG) === 0;

export function checkMapAccessType(env: Env, reg: RegState, off: number, size: number, write: boolean): void {
  const map = reg.map!;
  const at = off + reg.off;
  if (write && !mapProgCanWrite(map.flags)) env.fail('EACCES', `write into map forbidden, value_size=${map.valueSize} off=${at} size=${size}`);
  if (!write && !mapProgCanRead(map.flags)) env.fail('EACCES', `read from map forbidden, value_size=${map.valueSize} off=${at} size=${size}`);
}

/**
 * `off` already includes the register's fixed offset. `helper` is true for accesses by helpers,
 * which may touch the spin lock's bytes only through bpf_spin_lock itself.
 */
export function checkMapAccess(env: Env, reg: RegState, regno: number, off: number, size: number, zeroOk: boolean, direct = true): void {
  const map = reg.map!;
  checkMemRegionAccess(env, reg, regno, off, size, map.valueSize, zeroOk);
  checkKptrOverlap(env, reg, off, size, direct);
  const lock = map.spinLockOff;
  if (!direct) return;
  const lo = Number(reg.smin) + off;
  const hi = Number(reg.umax) + off + size;
  if (lock !== undefined && lo < lock + SPIN_LOCK_SIZE && lock < hi) env.fail('EACCES', 'bpf_spin_lock cannot be accessed directly by load/store');
  checkTimerNotTouched(env, map, lo, hi);
}
