import { BpfError, UpdateFlag, errnoNumber } from '@bpfhive/uapi';
import type { Arena } from './arena.js';
import type { MapSpec } from './spec.js';

/**
 * A map with kernel semantics, its storage in the arena.
 *
 * Two faces, as in Linux:
 * - the syscall side (BPF_MAP_*_ELEM): keys and values as byte arrays, copied in and out; errors
 *   are BpfErrors with the errno Linux returns. Per-CPU maps take and give one value per CPU, each
 *   rounded up to 8 bytes, CPU 0 first.
 * - the program side (the map helpers): keys and values are addresses in the arena; lookups give
 *   the address of the value itself (stable until the element is deleted and a grace period has
 *   passed), 0 when there is none; updates and deletes return 0 or a negative errno.
 */
export interface BpfMap {
  readonly spec: MapSpec;
  readonly arena: Arena;
  /** Number of CPUs a per-CPU map keeps values for (1 for the others). */
  readonly cpus: number;
  /** Bytes a syscall lookup returns and an update takes. */
  readonly syscallValueSize: number;

  /** BPF_MAP_LOOKUP_ELEM. `value` is what the caller passed in (a bloom filter tests it; others ignore it). */
  lookup(key: Uint8Array, value?: Uint8Array): Uint8Array;
  update(key: Uint8Array, value: Uint8Array, flags: number): void;
  delete(key: Uint8Array): void;
  /** The key after `key` in the map's iteration order, or the first key when `key` is undefined or absent. ENOENT after the last. */
  getNextKey(key: Uint8Array | undefined): Uint8Array;
  /**
   * BPF_MAP_LOOKUP_AND_DELETE_ELEM for a type with its own rules (queue/stack pop, bloom filter,
   * ring buffer, stack trace). Absent: the syscall layer's rule (map-commands.ts) applies.
   */
  lookupAndDelete?(key: Uint8Array, flags: number): Uint8Array;

  /**
   * For snapshots and leases: the contents as [key, value] records that `restoreRecord` takes
   * back into a new map of the same spec. Absent: every key get_next_key visits with its lookup
   * value, restored with update(BPF_ANY) (see records.ts).
   */
  records?(): Iterable<readonly [Uint8Array, Uint8Array]>;
  restoreRecord?(key: Uint8Array, value: Uint8Array): void;
  /** Empties the map before records are loaded back (a lease comes home). Absent: every key is deleted (records.ts clearMap). */
  clear?(): void;
  /**
   * The map is gone (its last holder let go, it was emptied): gives its own storage back to the
   * arena and stops listening to it. The map must not be used afterwards. Absent: the engine's
   * fixed storage stays allocated (what the arena reports as in use).
   */
  dispose?(): void;

  lookupAddress(keyAddress: number, cpu: number): number;
  updateAt(keyAddress: number, valueAddress: number, flags: number, cpu: number): number;
  deleteAt(keyAddress: number): number;
}

/** A key or value that lives somewhere: a byte array (syscall side) or the arena (program side). */
export interface Bytes {
  readonly buf: Uint8Array;
  readonly at: number;
}

export const round8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Checks update flags the way every map type does first: EINVAL for unknown bits. */
export function checkUpdateFlags(flags: number): void {
  if (!Number.isInteger(flags) || (flags & ~UpdateFlag.F_LOCK) > UpdateFlag.EXIST || flags < 0) {
    throw new BpfError('EINVAL', `update: flags 0x${flags.toString(16)}: use BPF_ANY, BPF_NOEXIST or BPF_EXIST, optionally with BPF_F_LOCK`);
  }
  if ((flags & UpdateFlag.F_LOCK) !== 0) {
    throw new BpfError('EINVAL', 'update: BPF_F_LOCK needs a value with a struct bpf_spin_lock (from BTF); this map has none');
  }
}

export function checkLength(what: 'key' | 'value', bytes: Uint8Array, expected: number): void {
  if (bytes.length !== expected) throw new BpfError('EINVAL', `${what} is ${bytes.length} bytes, the map's ${what} size is ${expected}`);
}

/** Runs a syscall-side operation for the program side: 0, or the negative errno it failed with. */
export function asErrno(run: () => void): number {
  try {
    run();
    return 0;
  } catch (e) {
    if (e instanceof BpfError) return -(errnoNumber(e.code) ?? 22);
    throw e;
  }
}
