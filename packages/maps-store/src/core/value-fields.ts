/**
 * The special fields of a map value (struct bpf_spin_lock, struct bpf_timer, kptrs: the spec's
 * value_fields, map-btf.ts) as the syscall side treats them (include/linux/bpf.h copy_map_value,
 * copy_map_value_locked, check_and_init_map_value; kernel/bpf/syscall.c, arraymap.c, hashtab.c):
 * user space never sees them (a lookup zeroes them in its copy) and never writes them (an update
 * leaves the lock word alone and frees the timer and kptrs, or keeps them under BPF_F_LOCK).
 *
 * The spin lock is the u32 the kernel-sim's bpf_spin_lock takes (kernel-sim
 * core/helpers/spin-lock.ts): a compare-and-swap from 0 to 1 on the arena's shared memory, a
 * store of 0 to release, so a program on a CPU's worker thread and user space exclude each other.
 */
import { BpfError, type MapBtfFields } from '@bpfhive/uapi';
import type { Arena } from './arena.js';
import { type BpfMap, checkLength, round8 } from './map.js';

/** One special field: its offset in the value and its size (bpf_spin_lock 4, bpf_timer 16, a kptr 8 bytes). */
export interface SpecialField {
  readonly kind: 'spin_lock' | 'timer' | 'kptr';
  readonly off: number;
  readonly size: number;
}

const SIZES = { spin_lock: 4, timer: 16, kptr: 8 } as const;

/** The special fields `fields` names, by offset; empty for a map without BTF or without such fields. */
export function specialFieldsOf(fields: MapBtfFields | undefined): SpecialField[] {
  if (!fields) return [];
  const out: SpecialField[] = [];
  if (fields.spin_lock_off !== undefined) out.push({ kind: 'spin_lock', off: fields.spin_lock_off, size: SIZES.spin_lock });
  if (fields.timer_off !== undefined) out.push({ kind: 'timer', off: fields.timer_off, size: SIZES.timer });
  for (const k of fields.kptrs ?? []) out.push({ kind: 'kptr', off: k.off, size: SIZES.kptr });
  return out.sort((a, b) => a.off - b.off);
}

/**
 * Zeroes `kinds` of the special fields in `value`, a syscall-side value of `map` (per-CPU maps:
 * one value per CPU, each 8-aligned), in place; returns `value`. check_and_init_map_value does
 * this to every copy a lookup hands out (all kinds); an update zeroes the timer and kptrs of the
 * value it writes (bpf_obj_free_fields on the element, or the fresh element of a hash map).
 */
export function zeroSpecialFields(map: BpfMap, value: Uint8Array, kinds: ReadonlySet<SpecialField['kind']> = ALL_KINDS): Uint8Array {
  const fields = specialFieldsOf(map.spec.value_fields).filter((f) => kinds.has(f.kind));
  if (fields.length === 0) return value;
  const stride = map.cpus === 1 ? map.spec.value_size : round8(map.spec.value_size);
  for (let cpu = 0; cpu < map.cpus; cpu++) for (const f of fields) value.fill(0, cpu * stride + f.off, cpu * stride + f.off + f.size);
  return value;
}

export const ALL_KINDS: ReadonlySet<SpecialField['kind']> = new Set(['spin_lock', 'timer', 'kptr']);
/** What an update without BPF_F_LOCK frees: the timer and the kptrs (the lock word is left alone). */
export const FREED_BY_UPDATE: ReadonlySet<SpecialField['kind']> = new Set(['timer', 'kptr']);

/** Whether `map`'s value holds a struct bpf_spin_lock (BPF_F_LOCK needs one). */
export function hasSpinLock(map: BpfMap): boolean {
  return map.spec.value_fields?.spin_lock_off !== undefined;
}

/**
 * The arena address of the value of `key` in `map` (a map type whose lookupAddress takes a key
 * in the arena: hash and array), or 0 when there is none. The key goes through a scratch block
 * of the arena kept per arena (grown for longer keys), used only for the duration of the call
 * on the syscall side's one thread.
 */
export function valueAddressOf(map: BpfMap, key: Uint8Array): number {
  checkLength('key', key, map.spec.key_size);
  const at = scratchFor(map.arena, key.length);
  map.arena.bytes.set(key, at);
  return map.lookupAddress(at, 0);
}

const scratch = new WeakMap<Arena, { readonly at: number; readonly size: number }>();

function scratchFor(arena: Arena, length: number): number {
  const held = scratch.get(arena);
  if (held && held.size >= length) return held.at;
  if (held) arena.free(held.at, held.size);
  const size = Math.max(16, round8(length));
  const at = arena.alloc(size);
  scratch.set(arena, { at, size });
  return at;
}

/** How long user space spins on a lock before it gives up (a program stopped while holding it would hold it forever). */
const LOCK_PATIENCE_MS = 2_000;

/**
 * Runs `body` holding the struct bpf_spin_lock at arena address `lock` (4-aligned), as
 * copy_map_value_locked does: spins while a program (or another caller) holds it, as the kernel
 * spins. Unlike Linux, a lock held for longer than LOCK_PATIENCE_MS is EDEADLK instead of a hang:
 * a simulated program stopped inside its critical section never releases it.
 */
export function withSpinLock<T>(arena: Arena, lock: number, body: () => T): T {
  if ((lock & 3) !== 0) throw new Error(`bpf_spin_lock at 0x${lock.toString(16)} is not 4-byte aligned`);
  const words = new Int32Array(arena.memory.buffer);
  const index = lock >> 2;
  let started = 0;
  for (let spins = 0; Atomics.compareExchange(words, index, 0, 1) !== 0; spins++) {
    if ((spins & 0xffff) !== 0) continue;
    const now = Date.now();
    if (started === 0) started = now;
    else if (now - started > LOCK_PATIENCE_MS) throw new BpfError('EDEADLK', `the value's bpf_spin_lock has been held for over ${LOCK_PATIENCE_MS} ms`);
  }
  try {
    return body();
  } finally {
    Atomics.store(words, index, 0);
  }
}

/**
 * copy_map_value into the arena: `value`'s bytes to the value at `to`, every special field
 * left as it is (`value` is one value, value_size bytes).
 */
export function copySkippingFields(map: BpfMap, to: number, value: Uint8Array): void {
  const bytes = map.arena.bytes;
  let from = 0;
  for (const f of specialFieldsOf(map.spec.value_fields)) {
    if (f.off > from) bytes.set(value.subarray(from, f.off), to + from);
    from = Math.max(from, f.off + f.size);
  }
  if (from < map.spec.value_size) bytes.set(value.subarray(from, map.spec.value_size), to + from);
}
