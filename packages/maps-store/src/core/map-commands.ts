import { BpfError, MapFlag, MapType, UpdateFlag } from '@bpfhive/uapi';
import type { BpfMap } from './map.js';

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

/** The syscall's own flag check for lookups: only BPF_F_LOCK is defined, and it needs a spin lock (never here). */
function checkLookupFlags(what: string, flags: number): void {
  if (!Number.isSafeInteger(flags) || flags < 0 || (flags & ~UpdateFlag.F_LOCK) !== 0) throw new BpfError('EINVAL', `${what}: flags 0x${flags.toString(16)}: only BPF_F_LOCK is defined`);
  if (flags !== 0) throw new BpfError('EINVAL', `${what}: BPF_F_LOCK needs a value with a struct bpf_spin_lock; this map has none`);
}

/** BPF_MAP_LOOKUP_ELEM. `value` is what the caller passed in (a bloom filter tests it). */
export function lookupElem(h: HostedMap, key: Uint8Array, value?: Uint8Array, flags = 0): Uint8Array {
  checkLookupFlags('lookup', flags);
  return readable(h).lookup(key, value);
}

/** BPF_MAP_UPDATE_ELEM (queues, stacks and bloom filters: push). */
export function updateElem(h: HostedMap, key: Uint8Array, value: Uint8Array, flags: number): void {
  writable(h).update(key, value, flags);
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
 * EINVAL (and BPF_F_LOCK too, no map here has a spin lock); queues and stacks pop, stack traces
 * and the map types with their own rule use it; the hash maps read then delete the key; every
 * other type is ENOTSUPP. The map must be readable and writable.
 */
export function lookupAndDeleteElem(h: HostedMap, key: Uint8Array, flags = 0): Uint8Array {
  if (!Number.isSafeInteger(flags) || flags < 0 || (flags & ~UpdateFlag.F_LOCK) !== 0) {
    throw new BpfError('EINVAL', `lookup_and_delete: flags 0x${flags.toString(16)}: only BPF_F_LOCK is defined`);
  }
  const map = readable(h);
  writable(h);
  if (map.lookupAndDelete) return map.lookupAndDelete(key, flags);
  if (!LOOKUP_AND_DELETE_BY_KEY.has(map.spec.map_type)) throw new BpfError('ENOTSUPP', 'lookup_and_delete: not supported by this map type');
  checkLookupFlags('lookup_and_delete', flags);
  const value = map.lookup(key);
  map.delete(key);
  return value;
}

/**
 * BPF_MAP_LOOKUP_BATCH: up to `count` elements in get_next_key order, starting after the key in
 * `inBatch` (the opaque position a previous page returned); keys whose lookup finds nothing (an
 * empty slot of an fd array or devmap) are skipped, as the kernel skips them.
 */
export function lookupBatch(h: HostedMap, inBatch: Uint8Array | undefined, count: number): BatchPage {
  if (!Number.isInteger(count) || count < 1) throw new BpfError('EINVAL', `lookup_batch: count must be at least 1, got ${count}`);
  const map = readable(h);
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
      values.push(map.lookup(key));
      keys.push(key);
    } catch (e) {
      if (!(e instanceof BpfError && e.code === 'ENOENT')) throw e;
    }
  }
  return { keys, values, outBatch: key!, done: false };
}

/** BPF_MAP_UPDATE_BATCH: applies in order; on an error, says how many went in before it. */
export function updateBatch(h: HostedMap, keys: readonly Uint8Array[], values: readonly Uint8Array[], flags: number): number {
  if (keys.length !== values.length) throw new BpfError('EINVAL', `update_batch: ${keys.length} keys but ${values.length} values`);
  const map = writable(h);
  keys.forEach((key, i) => batchStep('update_batch', i, () => map.update(key, values[i]!, flags)));
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
