import { BpfError, MapFlag, MapType, UpdateFlag } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import { type BpfMap, checkLength } from '../map.js';
import { ACCESS_FLAGS, KMALLOC_MAX_SIZE, type MapSpec, specError } from '../spec.js';
import { negErrno } from './queue-stack.js';

const u32Bytes = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const readU32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);

/**
 * The arrays whose values name kernel objects (kernel/bpf/arraymap.c's fd arrays): PROG_ARRAY,
 * PERF_EVENT_ARRAY, CGROUP_ARRAY and ARRAY_OF_MAPS. User space writes an object's id (the kernel
 * takes an fd) and the map holds a reference to the object; programs never write them.
 *
 * Storage: one u32 per slot in the arena at `base + 4 * index`, holding what the program side
 * needs (a prog id, a perf event id, a cgroup id, an inner map's pointer), 0 when empty, so the
 * kernel and the JIT read a slot without calling in here. The ids user space gave are kept beside.
 *
 * Syscall rules (bpf_fd_array_map_update_elem / fd_array_map_delete_elem):
 * - update: flags must be BPF_ANY (else EINVAL); an index past the end is E2BIG; the id is
 *   resolved by the type (EBADF when nothing has it, EINVAL when it may not go in); the old
 *   object is released.
 * - delete: an index past the end is E2BIG, an empty slot ENOENT.
 * - lookup: the type's map_fd_sys_lookup_elem (a prog id, an inner map id), or ENOTSUPP for a type
 *   without one (perf events, cgroups); an empty slot or an index past the end is ENOENT.
 * - get_next_key: every index, as an array.
 */
export abstract class FdArrayMap implements BpfMap {
  readonly cpus = 1;
  readonly syscallValueSize = 4;
  /** Arena address of slot 0: a u32 per slot, what the program side reads. */
  readonly base: number;
  /** The id user space put in each slot, 0 when empty. */
  readonly #ids: Uint32Array;

  constructor(
    readonly spec: MapSpec,
    readonly arena: Arena,
  ) {
    this.base = arena.alloc(4 * spec.max_entries);
    this.#ids = new Uint32Array(spec.max_entries);
  }

  /** Resolves an id user space gives into the slot's value, taking a reference; throws the kernel's errno. */
  protected abstract take(id: number): number;
  /** Releases the reference take() took for `id`. */
  protected abstract drop(id: number): void;
  /** What BPF_MAP_LOOKUP_ELEM answers for a filled slot; undefined for a type whose lookup is ENOTSUPP. */
  protected abstract readonly sysLookup: ((id: number) => number) | undefined;

  /** The id in slot `index`, 0 when empty or past the end. */
  idAt(index: number): number {
    return index >= 0 && index < this.spec.max_entries ? this.#ids[index]! : 0;
  }

  /** The u32 the program side sees in slot `index` (0: empty), as the kernel reads it. */
  slotAt(index: number): number {
    return index >= 0 && index < this.spec.max_entries ? this.arena.u32[(this.base >> 2) + index]! : 0;
  }

  #index(key: Uint8Array): number {
    checkLength('key', key, 4);
    return readU32(key);
  }

  lookup(key: Uint8Array): Uint8Array {
    const index = this.#index(key);
    if (!this.sysLookup) throw new BpfError('ENOTSUPP', 'lookup: user space cannot read the objects this map holds');
    const id = this.idAt(index);
    if (id === 0) throw new BpfError('ENOENT', `lookup: slot ${index} is empty${index >= this.spec.max_entries ? ' (past the end)' : ''}`);
    return u32Bytes(this.sysLookup(id));
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): void {
    const index = this.#index(key);
    checkLength('value', value, 4);
    if (flags !== UpdateFlag.ANY) throw new BpfError('EINVAL', `update: flags 0x${flags.toString(16)}: this map takes BPF_ANY only`);
    if (index >= this.spec.max_entries) throw new BpfError('E2BIG', `update: index ${index} is past the last slot (${this.spec.max_entries - 1})`);
    const id = readU32(value);
    const slot = this.take(id);
    this.#set(index, id, slot);
  }

  delete(key: Uint8Array): void {
    const index = this.#index(key);
    if (index >= this.spec.max_entries) throw new BpfError('E2BIG', `delete: index ${index} is past the last slot (${this.spec.max_entries - 1})`);
    if (this.#ids[index] === 0) throw new BpfError('ENOENT', `delete: slot ${index} is empty`);
    this.#set(index, 0, 0);
  }

  /** Empties every slot, releasing what they held (the map goes away, or its last user reference). */
  clear(): void {
    for (let i = 0; i < this.spec.max_entries; i++) if (this.#ids[i] !== 0) this.#set(i, 0, 0);
  }

  /**
   * BpfMap.dispose: every slot's reference is released first (a freed PROG_ARRAY drops its
   * programs, an ARRAY_OF_MAPS its inner maps: fd_array_map_free / bpf_fd_array_map_clear), then
   * the slots go back to the arena, reusable after its next grace period.
   */
  dispose(): void {
    this.clear();
    this.arena.free(this.base, 4 * this.spec.max_entries);
  }

  #set(index: number, id: number, slot: number): void {
    const old = this.#ids[index]!;
    this.#ids[index] = id;
    Atomics.store(this.arena.u32, (this.base >> 2) + index, slot);
    if (old !== 0) this.drop(old);
  }

  getNextKey(key: Uint8Array | undefined): Uint8Array {
    const index = key === undefined ? -1 : this.#index(key);
    const next = index < 0 || index >= this.spec.max_entries ? 0 : index + 1;
    if (next >= this.spec.max_entries) throw new BpfError('ENOENT', 'get_next_key: that was the last index');
    return u32Bytes(next);
  }

  /** Every filled slot as [index, id] (lookup may be ENOTSUPP, so snapshots read the slots directly). */
  *records(): Iterable<readonly [Uint8Array, Uint8Array]> {
    for (let i = 0; i < this.spec.max_entries; i++) if (this.#ids[i] !== 0) yield [u32Bytes(i), u32Bytes(this.#ids[i]!)];
  }

  // The program side: programs reach these maps through their own helpers (tail calls,
  // bpf_perf_event_output, bpf_skb_under_cgroup…); the verifier rejects the generic ones.

  /**
   * The slot's address (its u32: a prog id, event id, cgroup id), 0 past the end: how the kernel
   * reads a slot through the generic interface. ARRAY_OF_MAPS overrides it with the kernel's
   * answer to a program (the inner map pointer).
   */
  lookupAddress(keyAddress: number, _cpu: number): number {
    const index = this.arena.loadU32(keyAddress);
    return index < this.spec.max_entries ? this.base + 4 * index : 0;
  }

  updateAt(_keyAddress: number, _valueAddress: number, _flags: number, _cpu: number): number {
    return negErrno('EINVAL');
  }

  deleteAt(_keyAddress: number): number {
    return negErrno('EINVAL');
  }
}

/** The flags every array takes (ARRAY_CREATE_FLAG_MASK); INNER_MAP and MMAPABLE only for ARRAY, PRESERVE_ELEMS only for PERF_EVENT_ARRAY. */
export function arrayFlags(mapType: number): number {
  let flags = MapFlag.NUMA_NODE | ACCESS_FLAGS;
  if (mapType === MapType.ARRAY) flags |= MapFlag.MMAPABLE | MapFlag.INNER_MAP;
  if (mapType === MapType.PERF_EVENT_ARRAY) flags |= MapFlag.PRESERVE_ELEMS;
  return flags;
}

/** array_map_alloc_check's own rules: max_entries ≥ 1, a 4-byte key, a value of 1..`limit` bytes. */
export function checkArraySpec(spec: MapSpec, limit: number): void {
  if (spec.max_entries === 0) throw specError('EINVAL', spec, 'max_entries must be at least 1');
  if (spec.key_size !== 4) throw specError('EINVAL', spec, `key_size must be 4 (a u32 index), got ${spec.key_size}`);
  if (spec.value_size === 0) throw specError('EINVAL', spec, 'value_size must be at least 1');
  if (spec.value_size > limit) throw specError('E2BIG', spec, `value_size ${spec.value_size} is larger than ${limit}`);
}

/** fd_array_map_alloc_check: a u32 value (an id), no program access flags, then the array rules. */
export function checkFdArraySpec(spec: MapSpec): void {
  if (spec.value_size !== 4) throw specError('EINVAL', spec, `value_size must be 4 (an id), got ${spec.value_size}`);
  if ((spec.map_flags & (MapFlag.RDONLY_PROG | MapFlag.WRONLY_PROG)) !== 0) {
    throw specError('EINVAL', spec, 'BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG are not supported for this map type');
  }
  checkArraySpec(spec, KMALLOC_MAX_SIZE);
}
