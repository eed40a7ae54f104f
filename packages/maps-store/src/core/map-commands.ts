import { BpfError, MapFlag, MapType, UpdateFlag } from '@bpfhive/uapi';
import { type BpfMap, checkLength, checkUpdateFlags } from './map.js';
import { ALL_KINDS, FREED_BY_UPDATE, copySkippingFields, hasSpinLock, valueAddressOf, withSpinLock, zeroSpecialFields } from './value-fields.js';

/**
 * A map as the bpf(2) map commands see it: its id, its engine and whether it is frozen. Whoever
 * hosts a map — the maps-store, or a kernel holding its lease — answers the commands with these
 * functions, so both give the same errors.
 */
export interface HostedMap {
  readonly id: number;
  readonly map: BpfMap;
  frozen: boolean;
}

/** One page of a batch lookup: at most `count` elements after the position `inBatch`. */
export interface BatchPage {
  readonly keys: Uint8Array[];
  readonly values: Uint8Array[];
  /** Where the next call continues; undefined once the map is exhausted (`done`). */
  readonly outBatch?: Uint8Array;
  readonly done: boolean;
}

/** The hash maps BPF_MAP_LOOKUP_AND_DELETE_ELEM takes a key for (the others have their own rule or none). */
const LOOKUP_AND_DELETE_BY_KEY = new Set<number>([MapType.HASH, MapType.PERCPU_HASH, MapType.LRU_HASH, MapType.LRU_PERCPU_HASH]);

function readable(h: HostedMap): BpfMap {
  if ((h.map.spec.map_flags & MapFlag.WRONLY) !== 0) throw new BpfError('EPERM', `map ${h.id}: created with BPF_F_WRONLY, user space may not read it`);
  return h.map;
}

function writable(h: HostedMap): BpfMap {
  if ((h.map.spec.map_flags & MapFlag.RDONLY) !== 0) throw new BpfError('EPERM', `map ${h.id}: created with BPF_F_RDONLY, user space may not write it`);
  if (h.frozen) throw new BpfError('EPERM', `map ${h.id}: frozen, user space may not write it`);
  return h.map;
}

/** The syscall's first flag check for lookups (map_lookup_elem, the batch's elem_flags), before the map: only BPF_F_LOCK is defined. */
function checkLookupFlagBits(what: string, flags: number): void {
  if (!Number.isSafeInteger(flags) || flags < 0 || (flags & ~UpdateFlag.F_LOCK) !== 0) throw new BpfError('EINVAL', `${what}: flags 0x${flags.toString(16)}: only BPF_F_LOCK is defined`);
}

/** After checkLookupFlagBits and the map's permissions: BPF_F_LOCK needs a value with a struct bpf_spin_lock. */
function checkLookupLock(what: string, map: BpfMap, flags: number): void {
  if (flags !== 0 && !hasSpinLock(map)) throw new BpfError('EINVAL', `${what}: BPF_F_LOCK needs a value with a struct bpf_spin_lock (from BTF); this map has none`);
}

/** BPF_F_LOCK on an update (map_update_elem, the batch's elem_flags) needs a value with a struct bpf_spin_lock. */
function checkUpdateLock(what: string, map: BpfMap, flags: number): void {
  if (Number.isSafeInteger(flags) && flags > 0 && (flags & UpdateFlag.F_LOCK) !== 0 && !hasSpinLock(map)) {
    throw new BpfError('EINVAL', `${what}: BPF_F_LOCK needs a value with a struct bpf_spin_lock (from BTF); this map has none`);
  }
}

/**
 * bpf_map_copy_value: the engine's copy of `key`'s value, taken under the value's spin lock with
 * BPF_F_LOCK (copy_map_value_locked), its special fields zeroed (check_and_init_map_value).
 * `flags` passed checkLookupFlagBits and checkLookupLock.
 */
function copyValue(map: BpfMap, key: Uint8Array, value: Uint8Array | undefined, flags: number): Uint8Array {
  if (flags === 0) return zeroSpecialFields(map, map.lookup(key, value));
  const at = valueAddressOf(map, key);
  // No element: the engine's own ENOENT.
  if (at === 0) return map.lookup(key, value);
  const { arena } = map;
  const copy = withSpinLock(arena, at + map.spec.value_fields!.spin_lock_off!, () => arena.bytes.slice(at, at + map.spec.value_size));
  return zeroSpecialFields(map, copy);
}

/**
 * bpf_map_update_value for the engines: a value without special fields is the engine's update.
 * With them, user space writes none (copy_map_value skips them):
 * - BPF_F_LOCK on an existing element (hash, array): copy_map_value_locked in place under the
 *   value's lock; the lock, the timer and the kptrs stay.
 * - else the engine writes the value with its timer and kptrs zeroed: Linux frees them
 *   (arraymap.c: bpf_obj_free_fields after the copy; hashtab.c: the element is replaced, and the
 *   new one's fields start zeroed); a timer goes when its field loses its tag (kernel-sim
 *   helpers/timer.ts). The lock word is left alone: an existing element is written while this
 *   caller holds its lock (so a program holding it is waited for and its word is not
 *   clobbered), a new one starts unlocked.
 * A program inserting the same key between the address lookup and the engine's insert (another
 * CPU's worker) may see its lock word reset: the engines' insert takes no lock.
 */
function writeValue(what: string, map: BpfMap, key: Uint8Array, value: Uint8Array, flags: number): void {
  const fields = map.spec.value_fields;
  if (!fields || (fields.spin_lock_off === undefined && fields.timer_off === undefined && !fields.kptrs?.length) || !Number.isSafeInteger(flags) || flags < 0) {
    return map.update(key, value, flags);
  }
  checkUpdateLock(what, map, flags);
  const mode = flags & ~UpdateFlag.F_LOCK;
  checkUpdateFlags(mode);
  checkLength('value', value, map.syscallValueSize);
  const lockOff = fields.spin_lock_off;
  if (lockOff === undefined) return map.update(key, zeroSpecialFields(map, value.slice(), FREED_BY_UPDATE), mode);
  const at = valueAddressOf(map, key);
  if (at === 0) return map.update(key, zeroSpecialFields(map, value.slice(), ALL_KINDS), mode);
  if ((flags & UpdateFlag.F_LOCK) !== 0 && (mode & 3) !== UpdateFlag.NOEXIST) {
    return withSpinLock(map.arena, at + lockOff, () => copySkippingFields(map, at, value));
  }
  const written = zeroSpecialFields(map, value.slice(), FREED_BY_UPDATE);
  // Held while the engine writes: the word it writes is the one there (1), released after.
  written.set([1, 0, 0, 0], lockOff);
  withSpinLock(map.arena, at + lockOff, () => map.update(key, written, mode));
}

/** BPF_MAP_LOOKUP_ELEM. `value` is what the caller passed in (a bloom filter tests it). `flags`: 0 or BPF_F_LOCK. */
export function lookupElem(h: HostedMap, key: Uint8Array, value?: Uint8Array, flags = 0): Uint8Array {
  checkLookupFlagBits('lookup', flags);
  const map = readable(h);
  checkLookupLock('lookup', map, flags);
  return copyValue(map, key, value, flags);
}

/** BPF_MAP_UPDATE_ELEM (queues, stacks and bloom filters: push). `flags`: BPF_ANY, BPF_NOEXIST or BPF_EXIST, with BPF_F_LOCK. */
export function updateElem(h: HostedMap, key: Uint8Array, value: Uint8Array, flags: number): void {
  writeValue('update', writable(h), key, value, flags);
}

/** BPF_MAP_DELETE_ELEM. */
export function deleteElem(h: HostedMap, key: Uint8Array): void {
  writable(h).delete(key);
}

/** BPF_MAP_GET_NEXT_KEY: the first key when `key` is undefined. */
export function getNextKey(h: HostedMap, key: Uint8Array | undefined): Uint8Array {
  return readable(h).getNextKey(key);
}

/**
 * BPF_MAP_LOOKUP_AND_DELETE_ELEM, routed as the kernel routes it: flags other than BPF_F_LOCK are
 * EINVAL (BPF_F_LOCK too, unless the value has a spin lock: the value is read under it); queues and stacks pop, stack traces
 * and the map types with their own rule use it; the hash maps read then delete the key; every
 * other type is ENOTSUPP. The map must be readable and writable.
 */
export function lookupAndDeleteElem(h: HostedMap, key: Uint8Array, flags = 0): Uint8Array {
  checkLookupFlagBits('lookup_and_delete', flags);
  const map = readable(h);
  writable(h);
  if (map.lookupAndDelete) return map.lookupAndDelete(key, flags);
  if (!LOOKUP_AND_DELETE_BY_KEY.has(map.spec.map_type)) throw new BpfError('ENOTSUPP', 'lookup_and_delete: not supported by this map type');
  checkLookupLock('lookup_and_delete', map, flags);
  const value = copyValue(map, key, undefined, flags);
  map.delete(key);
  return value;
}

/**
 * BPF_MAP_LOOKUP_BATCH: up to `count` elements in get_next_key order, starting after the key in
 * `inBatch` (the opaque position a previous page returned); keys whose lookup finds nothing (an
 * empty slot of an fd array or devmap) are skipped, as the kernel skips them. Each value as
 * lookup_elem gives it; `flags` (elem_flags): 0 or BPF_F_LOCK.
 */
export function lookupBatch(h: HostedMap, inBatch: Uint8Array | undefined, count: number, flags = 0): BatchPage {
  if (!Number.isInteger(count) || count < 1) throw new BpfError('EINVAL', `lookup_batch: count must be at least 1, got ${count}`);
  checkLookupFlagBits('lookup_batch', flags);
  const map = readable(h);
  checkLookupLock('lookup_batch', map, flags);
  const keys: Uint8Array[] = [];
  const values: Uint8Array[] = [];
  let key = inBatch;
  while (keys.length < count) {
    try {
      key = map.getNextKey(key);
    } catch (e) {
      if (e instanceof BpfError && e.code === 'ENOENT') return { keys, values, done: true };
      throw e;
    }
    try {
      values.push(copyValue(map, key, undefined, flags));
      keys.push(key);
    } catch (e) {
      if (!(e instanceof BpfError && e.code === 'ENOENT')) throw e;
    }
  }
  return { keys, values, outBatch: key!, done: false };
}

/** BPF_MAP_UPDATE_BATCH: each element as update_elem with `flags` (elem_flags), in order; on an error, says how many went in before it. */
export function updateBatch(h: HostedMap, keys: readonly Uint8Array[], values: readonly Uint8Array[], flags: number): number {
  if (keys.length !== values.length) throw new BpfError('EINVAL', `update_batch: ${keys.length} keys but ${values.length} values`);
  const map = writable(h);
  checkUpdateLock('update_batch', map, flags);
  keys.forEach((key, i) => batchStep('update_batch', i, () => writeValue('update', map, key, values[i]!, flags)));
  return keys.length;
}

/** BPF_MAP_DELETE_BATCH. */
export function deleteBatch(h: HostedMap, keys: readonly Uint8Array[]): number {
  const map = writable(h);
  keys.forEach((key, i) => batchStep('delete_batch', i, () => map.delete(key)));
  return keys.length;
}

function batchStep(what: string, done: number, step: () => void): void {
  try {
    step();
  } catch (e) {
    if (e instanceof BpfError) throw new BpfError(e.code, `${what}: ${done} elements done, then: ${e.message}`, { cause: e });
    throw e;
  }
}

/** BPF_MAP_FREEZE: user space may no longer write; a second freeze is EBUSY. */
export function freezeMap(h: HostedMap): void {
  if ((h.map.spec.map_flags & MapFlag.RDONLY) !== 0) throw new BpfError('EPERM', `map ${h.id}: created with BPF_F_RDONLY, user space may not freeze it`);
  if (h.frozen) throw new BpfError('EBUSY', `map ${h.id}: already frozen`);
  h.frozen = true;
}
