import { BpfError, MapType, UpdateFlag } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import { type BpfMap, asErrno, checkLength, checkUpdateFlags, round8 } from '../map.js';
import type { MapSpec } from '../spec.js';

/**
 * BPF_MAP_TYPE_ARRAY and PERCPU_ARRAY: max_entries values, preallocated and zeroed, index = the
 * u32 key. Values sit at base + index * stride (per CPU: + cpu * round8(value_size)), so a lookup
 * is address arithmetic — the JIT can inline it. Elements always exist: NOEXIST is EEXIST, delete
 * is EINVAL, an index past the end is E2BIG on update and ENOENT on lookup.
 */
export class ArrayMap implements BpfMap {
  readonly cpus: number;
  readonly syscallValueSize: number;
  /** Address of element 0. */
  readonly base: number;
  /** Bytes from one element to the next. */
  readonly stride: number;
  readonly #slot: number;

  constructor(
    readonly spec: MapSpec,
    readonly arena: Arena,
    cpus: number,
  ) {
    this.cpus = spec.map_type === MapType.PERCPU_ARRAY ? cpus : 1;
    this.#slot = round8(spec.value_size);
    this.stride = this.#slot * this.cpus;
    this.syscallValueSize = this.cpus === 1 ? spec.value_size : this.#slot * this.cpus;
    this.base = arena.alloc(this.stride * spec.max_entries);
  }

  /** BpfMap.dispose: the values go back to the arena. */
  dispose(): void {
    this.arena.free(this.base, this.stride * this.spec.max_entries);
  }

  #index(key: Uint8Array): number {
    checkLength('key', key, 4);
    return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  }

  lookup(key: Uint8Array): Uint8Array {
    const index = this.#index(key);
    if (index >= this.spec.max_entries) throw new BpfError('ENOENT', `lookup: index ${index} is past the last element (${this.spec.max_entries - 1})`);
    const at = this.base + index * this.stride;
    if (this.cpus === 1) return this.arena.bytes.slice(at, at + this.spec.value_size);
    return this.arena.bytes.slice(at, at + this.stride);
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): void {
    checkUpdateFlags(flags);
    const index = this.#index(key);
    checkLength('value', value, this.syscallValueSize);
    if (index >= this.spec.max_entries) throw new BpfError('E2BIG', `update: index ${index} is past the last element (${this.spec.max_entries - 1})`);
    if ((flags & 3) === UpdateFlag.NOEXIST) throw new BpfError('EEXIST', 'update: BPF_NOEXIST on an array: every element always exists');
    this.arena.bytes.set(value, this.base + index * this.stride);
  }

  delete(): void {
    throw new BpfError('EINVAL', 'delete: elements of an array cannot be deleted (set them to zero instead)');
  }

  /** Every element back to zero. */
  clear(): void {
    this.arena.bytes.fill(0, this.base, this.base + this.stride * this.spec.max_entries);
  }

  getNextKey(key: Uint8Array | undefined): Uint8Array {
    const index = key === undefined ? -1 : this.#index(key);
    const next = index < 0 || index >= this.spec.max_entries ? 0 : index + 1;
    if (next >= this.spec.max_entries) throw new BpfError('ENOENT', 'get_next_key: that was the last index');
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, next, true);
    return out;
  }

  lookupAddress(keyAddress: number, cpu: number): number {
    const index = this.arena.loadU32(keyAddress);
    if (index >= this.spec.max_entries) return 0;
    return this.base + index * this.stride + (this.cpus === 1 ? 0 : cpu * this.#slot);
  }

  updateAt(keyAddress: number, valueAddress: number, flags: number, cpu: number): number {
    return asErrno(() => {
      checkUpdateFlags(flags);
      const index = this.arena.loadU32(keyAddress);
      if (index >= this.spec.max_entries) throw new BpfError('E2BIG', 'index past the end');
      if ((flags & 3) === UpdateFlag.NOEXIST) throw new BpfError('EEXIST', 'array elements always exist');
      const at = this.base + index * this.stride + (this.cpus === 1 ? 0 : cpu * this.#slot);
      this.arena.bytes.copyWithin(at, valueAddress, valueAddress + this.spec.value_size);
    });
  }

  deleteAt(): number {
    return -22;
  }
}
