import { AttachType, BpfError, MapFlag, UpdateFlag } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import { type BpfMap, checkLength } from '../map.js';
import type { ObjectTable, ProgramInfo } from '../ports.js';
import { type MapSpec, specError } from '../spec.js';
import { ProgramOwnership } from './prog-array.js';
import { negErrno } from './queue-stack.js';
import type { MapTypeSupport } from './types.js';
import { namesProgram, takeRedirectProgram } from './xdp-redirect.js';

/** struct bpf_cpumap_val in the arena: u32 qsize | u32 program id (0: none). */
const CPUMAP_VAL_SIZE = 8;
/** cpu_map_update_elem's sanity limit on a queue. */
export const CPUMAP_MAX_QSIZE = 16384;
/** NR_CPUS of distribution kernels: max_entries may not exceed it (E2BIG). */
export const NR_CPUS = 8192;

const u32Bytes = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);

/**
 * BPF_MAP_TYPE_CPUMAP: where bpf_redirect_map sends frames to be handled on another CPU (key =
 * the CPU). The value is a u32 queue size, or struct bpf_cpumap_val {qsize, bpf_prog} (8 bytes)
 * naming an XDP program (BPF_XDP_CPUMAP) to run there. Slot i's bpf_cpumap_val sits at
 * `base + 8 * i` (qsize 0: empty), what the kernel's redirect reads through lookupAddress
 * (programs may only redirect to a CPUMAP, not look it up).
 *
 * - update: flags above BPF_EXIST EINVAL, a key past max_entries E2BIG, BPF_NOEXIST EEXIST,
 *   qsize above 16384 EOVERFLOW, a CPU the kernel does not have ENODEV, qsize 0 empties the slot;
 *   a program that may not go there fails with ENOMEM, as the kernel reports a failed entry setup.
 * - delete: a key past the end is EINVAL; an empty slot is not an error.
 * - lookup: the value with the program's id; ENOENT when empty. get_next_key: every index.
 */
export class CpuMap implements BpfMap {
  readonly cpus = 1;
  readonly syscallValueSize: number;
  readonly base: number;
  readonly ownership = new ProgramOwnership();

  constructor(
    readonly spec: MapSpec,
    readonly arena: Arena,
    /** CPUs the kernel has (cpu_possible): keys at or above it are ENODEV. */
    readonly possibleCpus: number,
    private readonly programs: ObjectTable<ProgramInfo> | undefined,
  ) {
    this.syscallValueSize = spec.value_size;
    this.base = arena.alloc(CPUMAP_VAL_SIZE * spec.max_entries);
  }

  /** BpfMap.dispose: every entry's program is released (cpu_map_free), then the values go back to the arena. */
  dispose(): void {
    for (let i = 0; i < this.spec.max_entries; i++) if (this.#word(i, 0) !== 0 || this.#word(i, 1) !== 0) this.#set(i, 0, 0);
    this.arena.free(this.base, CPUMAP_VAL_SIZE * this.spec.max_entries);
  }

  #index(key: Uint8Array): number {
    checkLength('key', key, 4);
    return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  }

  #word(index: number, field: 0 | 1): number {
    return this.arena.u32[(this.base >> 2) + 2 * index + field]!;
  }

  #set(index: number, qsize: number, prog: number): void {
    const old = this.#word(index, 1);
    const u32 = this.arena.u32;
    const at = (this.base >> 2) + 2 * index;
    u32[at + 1] = prog;
    Atomics.store(u32, at, qsize);
    if (old !== 0) this.programs?.release(old);
  }

  lookup(key: Uint8Array): Uint8Array {
    const index = this.#index(key);
    if (index >= this.spec.max_entries || this.#word(index, 0) === 0) throw new BpfError('ENOENT', `lookup: CPU ${index} has no entry`);
    const at = this.base + CPUMAP_VAL_SIZE * index;
    return this.arena.bytes.slice(at, at + this.spec.value_size);
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): void {
    const cpu = this.#index(key);
    checkLength('value', value, this.spec.value_size);
    const view = new DataView(value.buffer, value.byteOffset, value.length);
    const qsize = view.getUint32(0, true);
    const progField = value.length >= 8 ? view.getUint32(4, true) : 0;
    if (!Number.isInteger(flags) || flags < 0 || flags > UpdateFlag.EXIST) throw new BpfError('EINVAL', `update: flags 0x${flags.toString(16)}: use BPF_ANY or BPF_EXIST`);
    if (cpu >= this.spec.max_entries) throw new BpfError('E2BIG', `update: CPU ${cpu} is past max_entries ${this.spec.max_entries}`);
    if (flags === UpdateFlag.NOEXIST) throw new BpfError('EEXIST', 'update: BPF_NOEXIST on a cpumap: every slot always exists');
    if (qsize > CPUMAP_MAX_QSIZE) throw new BpfError('EOVERFLOW', `update: qsize ${qsize} is above ${CPUMAP_MAX_QSIZE}`);
    if (cpu >= this.possibleCpus) throw new BpfError('ENODEV', `update: CPU ${cpu} does not exist (the kernel has ${this.possibleCpus})`);
    if (qsize === 0) {
      this.#set(cpu, 0, 0);
      return;
    }
    const prog = namesProgram(progField) ? progField : 0;
    if (prog !== 0) takeRedirectProgram(this.programs, this.ownership, prog, AttachType.XDP_CPUMAP, 'ENOMEM');
    this.#set(cpu, qsize, prog);
  }

  delete(key: Uint8Array): void {
    const cpu = this.#index(key);
    if (cpu >= this.spec.max_entries) throw new BpfError('EINVAL', `delete: CPU ${cpu} is past max_entries ${this.spec.max_entries}`);
    this.#set(cpu, 0, 0);
  }

  getNextKey(key: Uint8Array | undefined): Uint8Array {
    const index = key === undefined ? -1 : this.#index(key);
    const next = index < 0 || index >= this.spec.max_entries ? 0 : index + 1;
    if (next >= this.spec.max_entries) throw new BpfError('ENOENT', 'get_next_key: that was the last index');
    return u32Bytes(next);
  }

  /** The kernel's redirect lookup: the CPU's bpf_cpumap_val, or 0 when it has no entry. */
  lookupAddress(keyAddress: number, _cpu: number): number {
    const cpu = this.arena.loadU32(keyAddress);
    if (cpu >= this.spec.max_entries || this.#word(cpu, 0) === 0) return 0;
    return this.base + CPUMAP_VAL_SIZE * cpu;
  }

  updateAt(_keyAddress: number, _valueAddress: number, _flags: number, _cpu: number): number {
    return negErrno('EINVAL');
  }

  deleteAt(_keyAddress: number): number {
    return negErrno('EINVAL');
  }
}

/** CPUMAP: cpu_map_alloc's checks; only BPF_F_NUMA_NODE is allowed. */
export const cpumapMapType: MapTypeSupport = {
  allowedFlags: MapFlag.NUMA_NODE,
  check(spec) {
    if (spec.max_entries === 0) throw specError('EINVAL', spec, 'max_entries must be at least 1');
    if (spec.key_size !== 4) throw specError('EINVAL', spec, `key_size must be 4 (a CPU number), got ${spec.key_size}`);
    if (spec.value_size !== 4 && spec.value_size !== 8) {
      throw specError('EINVAL', spec, `value_size must be 4 (u32 qsize) or 8 (struct bpf_cpumap_val), got ${spec.value_size}`);
    }
    if (spec.max_entries > NR_CPUS) throw specError('E2BIG', spec, `max_entries ${spec.max_entries} is above NR_CPUS (${NR_CPUS})`);
  },
  create: (spec, arena, cpus, ports) => new CpuMap(spec, arena, cpus, ports?.programs),
};
