/**
 * bpf_spin_lock / bpf_spin_unlock (the kernel's process_spin_lock): the lock is the `struct
 * bpf_spin_lock` of a map value at a constant offset; one lock at a time, released by the same
 * pointer (map and lookup id) before any other call or exit.
 */
import type { Env } from './env.js';
import type { RegState } from './reg.js';
import { tnumIsConst } from './tnum.js';

export function processSpinLock(env: Env, reg: RegState, regno: number, lock: boolean): void {
  if (!tnumIsConst(reg.varOff)) {
    env.fail('EINVAL', `R${regno} doesn't have constant offset. bpf_spin_lock has to be at the constant offset`);
  }
  const map = reg.map!;
  if (map.spinLockOff === undefined) {
    env.fail('EINVAL', `map '${map.name}' has to have BTF in order to use bpf_spin_lock`);
  }
  const at = Number(reg.varOff.value) + reg.off;
  if (at !== map.spinLockOff) env.fail('EINVAL', `off ${at} doesn't point to 'struct bpf_spin_lock' that is at ${map.spinLockOff}`);
  const cur = env.cur;
  if (lock) {
    if (cur.lock) env.fail('EINVAL', 'Locking two bpf_spin_locks are not allowed');
    cur.lock = { map, id: reg.id };
    return;
  }
  if (!cur.lock) env.fail('EINVAL', 'bpf_spin_unlock without taking a lock');
  if (cur.lock.map !== map || cur.lock.id !== reg.id) env.fail('EINVAL', 'bpf_spin_unlock of different lock');
  cur.lock = null;
}
