import { BpfError, Errno, MapFlag, MapType, UpdateFlag } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import { type BpfMap, checkLength } from '../map.js';
import { ACCESS_FLAGS, KMALLOC_MAX_SIZE, type MapSpec, specError } from '../spec.js';
import type { MapTypeSupport } from './types.js';

/**
 * A map without keys that programs use through bpf_map_push_elem / bpf_map_pop_elem /
 * bpf_map_peek_elem (QUEUE, STACK, BLOOM_FILTER): the kernel's map_push_elem, map_pop_elem and
 * map_peek_elem ops. Values are arena addresses; each returns 0 or a negative errno.
 *
 * The syscall side reaches them through the ordinary commands, as Linux routes them:
 * BPF_MAP_UPDATE_ELEM pushes, BPF_MAP_LOOKUP_ELEM peeks, BPF_MAP_LOOKUP_AND_DELETE_ELEM pops.
 */
export interface BpfPushPopMap extends BpfMap {
  push(valueAddress: number, flags: number): number;
  pop(valueAddress: number): number;
  peek(valueAddress: number): number;
  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM (`flags` is attr->flags). */
  lookupAndDelete(key: Uint8Array, flags?: number): Uint8Array;
}

/** True for a map that takes bpf_map_push_elem / pop_elem / peek_elem. */
export const isPushPopMap = (map: BpfMap): map is BpfPushPopMap => 'push' in map && 'pop' in map && 'peek' in map;

/** The negative errno a program sees for `code`. */
export const negErrno = (code: keyof typeof Errno): number => -Errno[code];

/**
 * The syscall side's first check of BPF_MAP_UPDATE_ELEM flags (bpf_map_check_op_flags): EINVAL
 * for BPF_F_LOCK on a value without a struct bpf_spin_lock (these maps never have one), for the
 * per-CPU flags BPF_F_CPU / BPF_F_ALL_CPUS and for anything in the upper 32 bits. The map's own
 * rules on the rest follow.
 */
export function checkSyscallUpdateFlags(flags: number): void {
  if (!Number.isSafeInteger(flags) || flags < 0) throw new BpfError('EINVAL', `update: flags ${flags} must be a u64`);
  if ((flags & UpdateFlag.F_LOCK) !== 0) throw new BpfError('EINVAL', 'update: BPF_F_LOCK needs a value with a struct bpf_spin_lock; this map has none');
  if ((flags & 0x18) !== 0 || flags > 0xffffffff) throw new BpfError('EINVAL', `update: flags 0x${flags.toString(16)}: BPF_F_CPU and BPF_F_ALL_CPUS are for per-CPU arrays`);
}

/** BPF_MAP_LOOKUP_AND_DELETE_ELEM's own flag check: only BPF_F_LOCK is defined (and needs a spin lock). */
export function checkLookupAndDeleteFlags(flags: number): void {
  if (!Number.isSafeInteger(flags) || flags < 0 || (flags & ~UpdateFlag.F_LOCK) !== 0 || flags > 0xffffffff) {
    throw new BpfError('EINVAL', `lookup_and_delete: flags 0x${flags.toString(16)}: only BPF_F_LOCK is defined`);
  }
}

/**
 * BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO), as kernel/bpf/queue_stack_maps.c: a
 * ring of max_entries + 1 slots of value_size bytes (one slot always stays free, so head === tail
 * means empty), preallocated in the arena. Values are copied in and out, never referenced.
 *
 * - push writes at head. On a full map it fails with E2BIG, unless flags is BPF_EXIST: then the
 *   oldest element is dropped first — for a queue the next one pop would return, for a stack the
 *   one at the bottom (the kernel advances the tail for both). BPF_NOEXIST, or any flag above
 *   BPF_EXIST, is EINVAL; BPF_ANY and BPF_EXIST are accepted.
 * - pop / peek copy the oldest (queue) or newest (stack) value out; on an empty map they zero the
 *   destination and fail with ENOENT.
 * - lookup_elem gives NULL, update_elem and delete_elem EINVAL, get_next_key EINVAL (the
 *   verifier only lets programs call push/pop/peek on these maps).
 */
export class QueueStackMap implements BpfPushPopMap {
  readonly cpus = 1;
  readonly syscallValueSize: number;
  /** True for a STACK (pop/peek take the newest value), false for a QUEUE (the oldest). */
  readonly lifo: boolean;
  /** Address of slot 0; slot i is at base + i * value_size (packed, as in the kernel). */
  readonly base: number;
  /** Slots: max_entries + 1. */
  readonly #size: number;
  readonly #valueSize: number;
  #head = 0;
  #tail = 0;

  constructor(
    readonly spec: MapSpec,
    readonly arena: Arena,
  ) {
    this.lifo = spec.map_type === MapType.STACK;
    this.#valueSize = spec.value_size;
    this.syscallValueSize = spec.value_size;
    this.#size = spec.max_entries + 1;
    this.base = arena.alloc(this.#size * spec.value_size);
  }

  /** BpfMap.dispose: the slots go back to the arena. */
  dispose(): void {
    this.clear();
    this.arena.free(this.base, this.#size * this.#valueSize);
  }

  /** Values in the map. */
  get count(): number {
    return (this.#head - this.#tail + this.#size) % this.#size;
  }

  #full(): boolean {
    const head = this.#head + 1 >= this.#size ? 0 : this.#head + 1;
    return head === this.#tail;
  }

  /** map_push_elem: copies value_size bytes from `src` at `at`. 0 or a negative errno. */
  #push(src: Uint8Array, at: number, flags: number): number {
    if (!Number.isSafeInteger(flags) || flags < 0 || (flags & UpdateFlag.NOEXIST) !== 0 || flags > UpdateFlag.EXIST) return negErrno('EINVAL');
    if (this.#full()) {
      if ((flags & UpdateFlag.EXIST) === 0) return negErrno('E2BIG');
      // Make room by dropping the oldest element (the tail), for a stack as for a queue.
      if (++this.#tail >= this.#size) this.#tail = 0;
    }
    const dst = this.base + this.#head * this.#valueSize;
    const bytes = this.arena.bytes;
    if (src === bytes) bytes.copyWithin(dst, at, at + this.#valueSize);
    else bytes.set(src.subarray(at, at + this.#valueSize), dst);
    if (++this.#head >= this.#size) this.#head = 0;
    return 0;
  }

  /** map_peek_elem / map_pop_elem: copies the value into `dst` at `at`, zeroing it when empty. */
  #get(dst: Uint8Array, at: number, remove: boolean): number {
    const bytes = this.arena.bytes;
    if (this.#head === this.#tail) {
      dst.fill(0, at, at + this.#valueSize);
      return negErrno('ENOENT');
    }
    let index: number;
    if (this.lifo) {
      index = this.#head === 0 ? this.#size - 1 : this.#head - 1;
      if (remove) this.#head = index;
    } else {
      index = this.#tail;
      if (remove && ++this.#tail >= this.#size) this.#tail = 0;
    }
    const src = this.base + index * this.#valueSize;
    if (dst === bytes) bytes.copyWithin(at, src, src + this.#valueSize);
    else dst.set(bytes.subarray(src, src + this.#valueSize), at);
    return 0;
  }

  // The program side: bpf_map_push_elem / bpf_map_pop_elem / bpf_map_peek_elem.

  push(valueAddress: number, flags: number): number {
    return this.#push(this.arena.bytes, valueAddress, flags);
  }

  pop(valueAddress: number): number {
    return this.#get(this.arena.bytes, valueAddress, true);
  }

  peek(valueAddress: number): number {
    return this.#get(this.arena.bytes, valueAddress, false);
  }

  // The syscall side.

  /** BPF_MAP_LOOKUP_ELEM: peek. ENOENT when empty. */
  lookup(key: Uint8Array): Uint8Array {
    checkLength('key', key, 0);
    const out = new Uint8Array(this.#valueSize);
    if (this.#get(out, 0, false) !== 0) throw new BpfError('ENOENT', `lookup: the ${this.#kind} is empty`);
    return out;
  }

  /** BPF_MAP_UPDATE_ELEM: push. E2BIG when full unless BPF_EXIST; EINVAL for BPF_NOEXIST. */
  update(key: Uint8Array, value: Uint8Array, flags: number): void {
    checkSyscallUpdateFlags(flags);
    checkLength('key', key, 0);
    checkLength('value', value, this.#valueSize);
    const err = this.#push(value, 0, flags);
    if (err === negErrno('EINVAL')) throw new BpfError('EINVAL', `update: flags 0x${flags.toString(16)}: a ${this.#kind} takes BPF_ANY or BPF_EXIST (overwrite the oldest when full)`);
    if (err === negErrno('E2BIG')) throw new BpfError('E2BIG', `update: the ${this.#kind} is full (max_entries ${this.spec.max_entries}); BPF_EXIST drops the oldest value`);
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM: pop. EINVAL for any flag; ENOENT when empty. */
  lookupAndDelete(key: Uint8Array, flags = 0): Uint8Array {
    checkLookupAndDeleteFlags(flags);
    if (flags !== 0) throw new BpfError('EINVAL', `lookup_and_delete: a ${this.#kind} takes no flags`);
    checkLength('key', key, 0);
    const out = new Uint8Array(this.#valueSize);
    if (this.#get(out, 0, true) !== 0) throw new BpfError('ENOENT', `lookup_and_delete: the ${this.#kind} is empty`);
    return out;
  }

  delete(key: Uint8Array): void {
    checkLength('key', key, 0);
    throw new BpfError('EINVAL', `delete: a ${this.#kind} has no keys; pop with BPF_MAP_LOOKUP_AND_DELETE_ELEM`);
  }

  /** The values oldest first, each as [no key, value]: pushing them again in this order rebuilds the map. */
  *records(): Iterable<readonly [Uint8Array, Uint8Array]> {
    const bytes = this.arena.bytes;
    for (let i = this.#tail; i !== this.#head; i = i + 1 >= this.#size ? 0 : i + 1) {
      const at = this.base + i * this.#valueSize;
      yield [new Uint8Array(0), bytes.slice(at, at + this.#valueSize)];
    }
  }

  /** Drops every value. */
  clear(): void {
    this.#head = 0;
    this.#tail = 0;
  }

  getNextKey(key: Uint8Array | undefined): Uint8Array {
    if (key !== undefined) checkLength('key', key, 0);
    throw new BpfError('EINVAL', `get_next_key: a ${this.#kind} has no keys`);
  }

  // The generic map helpers, as the kernel's ops answer them (the verifier rejects the calls).

  lookupAddress(_keyAddress: number, _cpu: number): number {
    return 0;
  }

  updateAt(_keyAddress: number, _valueAddress: number, _flags: number, _cpu: number): number {
    return negErrno('EINVAL');
  }

  deleteAt(_keyAddress: number): number {
    return negErrno('EINVAL');
  }

  get #kind(): string {
    return this.lifo ? 'stack' : 'queue';
  }
}

/** QUEUE and STACK: queue_stack_map_alloc_check. */
export const queueStackMapType: MapTypeSupport = {
  allowedFlags: MapFlag.NUMA_NODE | ACCESS_FLAGS,
  check(spec) {
    if (spec.max_entries === 0) throw specError('EINVAL', spec, 'max_entries must be at least 1');
    if (spec.key_size !== 0) throw specError('EINVAL', spec, `key_size must be 0 (no keys), got ${spec.key_size}`);
    if (spec.value_size === 0) throw specError('EINVAL', spec, 'value_size must be at least 1');
    if (spec.value_size > KMALLOC_MAX_SIZE) throw specError('E2BIG', spec, `value_size ${spec.value_size} is larger than ${KMALLOC_MAX_SIZE}`);
  },
  create: (spec, arena) => new QueueStackMap(spec, arena),
};
