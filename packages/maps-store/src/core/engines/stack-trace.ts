import { BpfError, MapFlag } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import { type BpfMap, checkLength } from '../map.js';
import { type MapSpec, specError } from '../spec.js';
import { jhash } from './bloom-filter.js';
import { negErrno } from './queue-stack.js';
import type { MapTypeSupport } from './types.js';

/** bpf_get_stackid flags (BPF_F_*): frames to skip, user stack, hash-only compare, replace on collision. */
export const StackIdFlag = {
  SKIP_FIELD_MASK: 0xff,
  USER_STACK: 1 << 8,
  FAST_STACK_CMP: 1 << 9,
  REUSE_STACKID: 1 << 10,
} as const;
const STACKID_FLAGS = StackIdFlag.SKIP_FIELD_MASK | StackIdFlag.USER_STACK | StackIdFlag.FAST_STACK_CMP | StackIdFlag.REUSE_STACKID;

/** sysctl kernel.perf_event_max_stack's default: the deepest stack a map value may hold. */
export const PERF_MAX_STACK_DEPTH = 127;
/** sizeof(struct bpf_stack_build_id): s32 status, 20-byte build id, u64 offset or ip. */
export const BPF_STACK_BUILD_ID_SIZE = 32;

/**
 * BPF_MAP_TYPE_STACK_TRACE, as kernel/bpf/stackmap.c: stack traces by id, for bpf_get_stackid.
 * The value is an array of u64 instruction pointers (with BPF_F_STACK_BUILD_ID, of struct
 * bpf_stack_build_id); the key is the stack id, a bucket index.
 *
 * Buckets: roundup_pow_of_two(max_entries), each empty or holding one trace; max_entries traces
 * are preallocated (a trace is 8 bytes — u32 hash, u32 nr — then the entries) and recycled at once
 * when replaced or deleted (programs cannot read this map, so no grace period is needed).
 *
 * getStackId is bpf_get_stackid's map side: the kernel walks the stack, this map files it.
 * User space reads a trace by id (lookup: the entries, zero-padded; ENOENT when the bucket is
 * empty), deletes it (EINVAL past the buckets, ENOENT when empty), and walks the ids that hold a
 * trace with get_next_key (an unknown id restarts from the first). update is EINVAL.
 */
export class StackTraceMap implements BpfMap {
  readonly cpus = 1;
  readonly syscallValueSize: number;
  readonly buckets: number;
  /** Bytes per entry: 8 (an ip) or 32 (a bpf_stack_build_id). */
  readonly entrySize: number;
  /** Arena address of the buckets: a u32 per bucket, the address of its trace or 0. */
  readonly #bucketsAt: number;
  readonly #free: number[] = [];
  /** The preallocated traces' block. */
  readonly #tracesAt: number;

  constructor(
    readonly spec: MapSpec,
    readonly arena: Arena,
  ) {
    this.syscallValueSize = spec.value_size;
    this.entrySize = (spec.map_flags & MapFlag.STACK_BUILD_ID) !== 0 ? BPF_STACK_BUILD_ID_SIZE : 8;
    this.buckets = 2 ** Math.ceil(Math.log2(spec.max_entries));
    this.#bucketsAt = arena.alloc(4 * this.buckets);
    const traceSize = 8 + spec.value_size;
    const traces = arena.alloc(traceSize * spec.max_entries);
    for (let i = spec.max_entries - 1; i >= 0; i--) this.#free.push(traces + i * traceSize);
    this.#tracesAt = traces;
  }

  /** BpfMap.dispose: the buckets and the preallocated traces go back to the arena. */
  dispose(): void {
    this.arena.free(this.#bucketsAt, 4 * this.buckets);
    this.arena.free(this.#tracesAt, (8 + this.spec.value_size) * this.spec.max_entries);
    this.#free.length = 0;
  }

  #bucket(id: number): number {
    return this.arena.u32[(this.#bucketsAt >> 2) + id]!;
  }

  /**
   * bpf_get_stackid(ctx, map, flags) for a stack the kernel walked: `ips`, innermost first (the
   * kernel or the user stack, as flags ask). With BPF_F_STACK_BUILD_ID, `buildIds` holds the
   * struct bpf_stack_build_id of each ip after the skipped ones. Returns the stack id or a
   * negative errno: -EINVAL for unknown flags, -EFAULT when skipping leaves nothing, -EEXIST when
   * the bucket holds another stack and BPF_F_REUSE_STACKID is not set, -ENOMEM when every trace
   * is in use. BPF_F_FAST_STACK_CMP takes an equal hash as the same stack.
   */
  getStackId(ips: BigUint64Array, flags: number, buildIds?: Uint8Array): number {
    if (!Number.isInteger(flags) || flags < 0 || (flags & ~STACKID_FLAGS) !== 0) return negErrno('EINVAL');
    const skip = flags & StackIdFlag.SKIP_FIELD_MASK;
    const depth = Math.min(ips.length, this.spec.value_size / this.entrySize + skip, PERF_MAX_STACK_DEPTH);
    if (depth <= skip) return negErrno('EFAULT');
    const nr = depth - skip;
    const trace = new Uint8Array(ips.buffer, ips.byteOffset + skip * 8, nr * 8);
    const hash = jhash(trace, 0, trace.length, 0);
    const id = hash & (this.buckets - 1);
    const bucket = this.#bucket(id);
    const u32 = this.arena.u32;
    const hashMatches = bucket !== 0 && u32[bucket >> 2] === hash;
    if (hashMatches && (flags & StackIdFlag.FAST_STACK_CMP) !== 0) return id;
    const data = this.entrySize === 8 ? trace : (buildIds ?? new Uint8Array(0)).subarray(0, nr * this.entrySize);
    if (data.length !== nr * this.entrySize) return negErrno('EINVAL');
    if (hashMatches && u32[(bucket >> 2) + 1] === nr && this.#dataEquals(bucket, data)) return id;
    if (bucket !== 0 && (flags & StackIdFlag.REUSE_STACKID) === 0) return negErrno('EEXIST');
    const fresh = this.#free.pop();
    if (fresh === undefined) return negErrno('ENOMEM');
    this.#fill(fresh, hash, nr, data);
    this.#install(id, fresh);
    return id;
  }

  #dataEquals(bucket: number, data: Uint8Array): boolean {
    const bytes = this.arena.bytes;
    for (let i = 0; i < data.length; i++) if (bytes[bucket + 8 + i] !== data[i]) return false;
    return true;
  }

  #fill(trace: number, hash: number, nr: number, data: Uint8Array): void {
    const u32 = this.arena.u32;
    u32[trace >> 2] = hash;
    u32[(trace >> 2) + 1] = nr;
    this.arena.bytes.set(data, trace + 8);
  }

  /** Puts `trace` (or nothing, 0) in bucket `id`; the trace it replaces is free at once. */
  #install(id: number, trace: number): void {
    const old = Atomics.exchange(this.arena.u32, (this.#bucketsAt >> 2) + id, trace);
    if (old !== 0) this.#free.push(old);
  }

  #id(key: Uint8Array): number {
    checkLength('key', key, 4);
    return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  }

  lookup(key: Uint8Array): Uint8Array {
    const id = this.#id(key);
    const bucket = id < this.buckets ? this.#bucket(id) : 0;
    if (bucket === 0) throw new BpfError('ENOENT', `lookup: no stack with id ${id}`);
    const out = new Uint8Array(this.spec.value_size);
    const length = this.arena.u32[(bucket >> 2) + 1]! * this.entrySize;
    out.set(this.arena.bytes.subarray(bucket + 8, bucket + 8 + length));
    return out;
  }

  update(key: Uint8Array, value: Uint8Array, _flags: number): void {
    this.#id(key);
    checkLength('value', value, this.spec.value_size);
    throw new BpfError('EINVAL', 'update: stack traces are added by bpf_get_stackid, not by user space');
  }

  delete(key: Uint8Array): void {
    const id = this.#id(key);
    if (id >= this.buckets) throw new BpfError('EINVAL', `delete: stack id ${id} is past the last bucket (${this.buckets - 1})`);
    if (this.#bucket(id) === 0) throw new BpfError('ENOENT', `delete: no stack with id ${id}`);
    this.#install(id, 0);
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM: the trace, then it is gone. Flags must be 0. */
  lookupAndDelete(key: Uint8Array, flags: number): Uint8Array {
    if (flags !== 0) throw new BpfError('EINVAL', `lookup_and_delete: flags 0x${flags.toString(16)}: a stack trace map takes none`);
    const value = this.lookup(key);
    this.delete(key);
    return value;
  }

  getNextKey(key: Uint8Array | undefined): Uint8Array {
    let id = 0;
    if (key !== undefined) {
      const at = this.#id(key);
      id = at >= this.buckets || this.#bucket(at) === 0 ? 0 : at + 1;
    }
    while (id < this.buckets && this.#bucket(id) === 0) id++;
    if (id >= this.buckets) throw new BpfError('ENOENT', 'get_next_key: no more stacks');
    return new Uint8Array(new Uint32Array([id]).buffer);
  }

  /** Puts a trace read from a snapshot back under its id (its trailing zero entries trimmed). */
  restoreRecord(key: Uint8Array, value: Uint8Array): void {
    const id = this.#id(key);
    checkLength('value', value, this.spec.value_size);
    if (id >= this.buckets) throw new BpfError('EINVAL', `restore: stack id ${id} is past the last bucket`);
    let nr = this.spec.value_size / this.entrySize;
    while (nr > 0 && value.subarray((nr - 1) * this.entrySize, nr * this.entrySize).every((b) => b === 0)) nr--;
    const trace = this.#free.pop();
    if (trace === undefined) throw new BpfError('ENOMEM', 'restore: every trace is in use');
    const data = value.subarray(0, nr * this.entrySize);
    this.#fill(trace, jhash(data, 0, data.length, 0), nr, data);
    this.#install(id, trace);
  }

  // The generic map helpers: programs only call bpf_get_stackid on this map (the verifier rejects the rest).

  lookupAddress(_keyAddress: number, _cpu: number): number {
    return 0;
  }

  updateAt(_keyAddress: number, _valueAddress: number, _flags: number, _cpu: number): number {
    return negErrno('EINVAL');
  }

  deleteAt(_keyAddress: number): number {
    return negErrno('EINVAL');
  }
}

/** STACK_TRACE: stack_map_alloc's checks. */
export const stackTraceMapType: MapTypeSupport = {
  allowedFlags: MapFlag.NUMA_NODE | MapFlag.RDONLY | MapFlag.WRONLY | MapFlag.STACK_BUILD_ID,
  check(spec) {
    if (spec.max_entries === 0) throw specError('EINVAL', spec, 'max_entries must be at least 1');
    if (spec.key_size !== 4) throw specError('EINVAL', spec, `key_size must be 4 (a stack id), got ${spec.key_size}`);
    if (spec.value_size < 8 || spec.value_size % 8 !== 0) throw specError('EINVAL', spec, `value_size must be a multiple of 8 (u64 ips), got ${spec.value_size}`);
    if ((spec.map_flags & MapFlag.STACK_BUILD_ID) !== 0) {
      if (spec.value_size % BPF_STACK_BUILD_ID_SIZE !== 0 || spec.value_size / BPF_STACK_BUILD_ID_SIZE > PERF_MAX_STACK_DEPTH) {
        throw specError('EINVAL', spec, `with BPF_F_STACK_BUILD_ID, value_size must be a multiple of ${BPF_STACK_BUILD_ID_SIZE} for at most ${PERF_MAX_STACK_DEPTH} frames`);
      }
    } else if (spec.value_size / 8 > PERF_MAX_STACK_DEPTH) {
      throw specError('EINVAL', spec, `value_size ${spec.value_size} holds more than ${PERF_MAX_STACK_DEPTH} frames (perf_event_max_stack)`);
    }
    if (spec.max_entries > 2 ** 31) throw specError('E2BIG', spec, `max_entries ${spec.max_entries} is above 2^31`);
  },
  create: (spec, arena) => new StackTraceMap(spec, arena),
};
