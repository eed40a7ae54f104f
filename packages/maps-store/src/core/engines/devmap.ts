import { AttachType, BpfError, MapFlag, MapType, UpdateFlag } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import { type BpfMap, checkLength } from '../map.js';
import type { MapPorts } from '../ports.js';
import { clearMap } from '../records.js';
import { type MapSpec, specError } from '../spec.js';
import { HashMap } from './hash.js';
import { ProgramOwnership } from './prog-array.js';
import { negErrno } from './queue-stack.js';
import type { MapTypeSupport } from './types.js';
import { namesProgram, takeRedirectProgram } from './xdp-redirect.js';

/** struct bpf_devmap_val in the arena: u32 ifindex | u32 program id (0: none). */
const DEVMAP_VAL_SIZE = 8;

interface DevmapValue {
  readonly ifindex: number;
  readonly prog: number;
}

const readValue = (value: Uint8Array, size: number): DevmapValue => {
  const view = new DataView(value.buffer, value.byteOffset, size);
  return { ifindex: view.getUint32(0, true), prog: size >= 8 ? view.getUint32(4, true) : 0 };
};

const u32Bytes = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);

/**
 * DEVMAP and DEVMAP_HASH share this: what a value names (a device, maybe an XDP program for
 * BPF_XDP_DEVMAP), taken through the ports with __dev_map_alloc_node's rules — a device that does
 * not exist or a program that may not go there is EINVAL — and the value as it is kept.
 */
class DeviceEntries {
  readonly ownership = new ProgramOwnership();

  constructor(private readonly ports: MapPorts) {}

  take(value: DevmapValue): Uint8Array {
    const { netDevices, programs } = this.ports;
    if (netDevices && !netDevices.acquire(value.ifindex)) throw new BpfError('EINVAL', `update: no network device with ifindex ${value.ifindex}`);
    const prog = namesProgram(value.prog) ? value.prog : 0;
    try {
      if (prog !== 0) takeRedirectProgram(programs, this.ownership, prog, AttachType.XDP_DEVMAP, 'EINVAL');
    } catch (e) {
      netDevices?.release(value.ifindex);
      throw e;
    }
    return new Uint8Array(new Uint32Array([value.ifindex, prog]).buffer);
  }

  drop(stored: DevmapValue): void {
    this.ports.netDevices?.release(stored.ifindex);
    if (stored.prog !== 0) this.ports.programs?.release(stored.prog);
  }
}

/**
 * BPF_MAP_TYPE_DEVMAP: an array of network devices for bpf_redirect_map (kernel/bpf/devmap.c).
 * The value is a u32 ifindex, or struct bpf_devmap_val {ifindex, bpf_prog} (8 bytes) naming an
 * XDP program to run on redirected frames. Slot i's bpf_devmap_val sits at `base + 8 * i` (ifindex
 * 0: empty); a program's lookup gets that address (the verifier makes it read-only).
 *
 * - update: flags above BPF_EXIST EINVAL, an index past the end E2BIG, BPF_NOEXIST EEXIST (every
 *   slot exists); ifindex 0 empties the slot (with a program named too: EINVAL); a device or
 *   program that may not go in is EINVAL.
 * - delete: an index past the end is EINVAL; an empty slot is not an error.
 * - lookup: the value as written, the program's id in place of its fd; ENOENT when empty.
 * - get_next_key: every index, as an array.
 */
export class DevMap implements BpfMap {
  readonly cpus = 1;
  readonly syscallValueSize: number;
  readonly base: number;
  readonly #entries: DeviceEntries;

  constructor(
    readonly spec: MapSpec,
    readonly arena: Arena,
    ports: MapPorts,
  ) {
    this.syscallValueSize = spec.value_size;
    this.base = arena.alloc(DEVMAP_VAL_SIZE * spec.max_entries);
    this.#entries = new DeviceEntries(ports);
  }

  get ownership(): ProgramOwnership {
    return this.#entries.ownership;
  }

  /** BpfMap.dispose: every device and program is released (dev_map_free), then the values go back to the arena. */
  dispose(): void {
    for (let i = 0; i < this.spec.max_entries; i++) if (this.#stored(i).ifindex !== 0) this.#set(i, undefined);
    this.arena.free(this.base, DEVMAP_VAL_SIZE * this.spec.max_entries);
  }

  #index(key: Uint8Array): number {
    checkLength('key', key, 4);
    return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  }

  #stored(index: number): DevmapValue {
    const u32 = this.arena.u32;
    const at = (this.base >> 2) + 2 * index;
    return { ifindex: u32[at]!, prog: u32[at + 1]! };
  }

  #set(index: number, bytes: Uint8Array | undefined): void {
    const old = this.#stored(index);
    const at = this.base + DEVMAP_VAL_SIZE * index;
    if (bytes) this.arena.bytes.set(bytes, at);
    else this.arena.bytes.fill(0, at, at + DEVMAP_VAL_SIZE);
    if (old.ifindex !== 0) this.#entries.drop(old);
  }

  lookup(key: Uint8Array): Uint8Array {
    const index = this.#index(key);
    if (index >= this.spec.max_entries || this.#stored(index).ifindex === 0) throw new BpfError('ENOENT', `lookup: slot ${index} is empty`);
    const at = this.base + DEVMAP_VAL_SIZE * index;
    return this.arena.bytes.slice(at, at + this.spec.value_size);
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): void {
    const index = this.#index(key);
    checkLength('value', value, this.spec.value_size);
    if (!Number.isInteger(flags) || flags < 0 || flags > UpdateFlag.EXIST) throw new BpfError('EINVAL', `update: flags 0x${flags.toString(16)}: use BPF_ANY or BPF_EXIST`);
    if (index >= this.spec.max_entries) throw new BpfError('E2BIG', `update: index ${index} is past the last slot (${this.spec.max_entries - 1})`);
    if (flags === UpdateFlag.NOEXIST) throw new BpfError('EEXIST', 'update: BPF_NOEXIST on a devmap: every slot always exists');
    const val = readValue(value, this.spec.value_size);
    if (val.ifindex === 0) {
      if (namesProgram(val.prog)) throw new BpfError('EINVAL', 'update: a program needs a device (ifindex 0 with a program fd)');
      this.#set(index, undefined);
      return;
    }
    this.#set(index, this.#entries.take(val));
  }

  delete(key: Uint8Array): void {
    const index = this.#index(key);
    if (index >= this.spec.max_entries) throw new BpfError('EINVAL', `delete: index ${index} is past the last slot (${this.spec.max_entries - 1})`);
    this.#set(index, undefined);
  }

  getNextKey(key: Uint8Array | undefined): Uint8Array {
    const index = key === undefined ? -1 : this.#index(key);
    const next = index < 0 || index >= this.spec.max_entries ? 0 : index + 1;
    if (next >= this.spec.max_entries) throw new BpfError('ENOENT', 'get_next_key: that was the last index');
    return u32Bytes(next);
  }

  /** bpf_redirect_map's lookup (and a program's bpf_map_lookup_elem): the slot's bpf_devmap_val, or 0 when empty. */
  lookupAddress(keyAddress: number, _cpu: number): number {
    const index = this.arena.loadU32(keyAddress);
    if (index >= this.spec.max_entries || this.#stored(index).ifindex === 0) return 0;
    return this.base + DEVMAP_VAL_SIZE * index;
  }

  updateAt(_keyAddress: number, _valueAddress: number, _flags: number, _cpu: number): number {
    return negErrno('EINVAL');
  }

  deleteAt(_keyAddress: number): number {
    return negErrno('EINVAL');
  }
}

/**
 * BPF_MAP_TYPE_DEVMAP_HASH: devices by any u32 key (an ifindex, usually), in a hash table.
 * Differences from DEVMAP, as the kernel's: ifindex 0 or flags above BPF_EXIST are EINVAL,
 * BPF_NOEXIST on an existing key EEXIST, BPF_EXIST on a missing key inserts (the kernel does not
 * check it), a new key in a full map E2BIG (deleted keys free their place at once), delete of a
 * missing key ENOENT. Iteration follows the hash table.
 */
export class DevMapHash implements BpfMap {
  readonly cpus = 1;
  readonly syscallValueSize: number;
  readonly #table: HashMap;
  readonly #entries: DeviceEntries;

  constructor(
    readonly spec: MapSpec,
    readonly arena: Arena,
    ports: MapPorts,
  ) {
    this.syscallValueSize = spec.value_size;
    this.#table = new HashMap({ ...spec, map_type: MapType.HASH, value_size: DEVMAP_VAL_SIZE, map_flags: MapFlag.NO_PREALLOC }, arena, 1);
    this.#entries = new DeviceEntries(ports);
  }

  get ownership(): ProgramOwnership {
    return this.#entries.ownership;
  }

  /** BpfMap.dispose: every device and program is released (dev_map_free), the table emptied and given back to the arena. */
  dispose(): void {
    clearMap(this);
    this.#table.dispose();
  }

  #stored(key: Uint8Array): DevmapValue | undefined {
    try {
      return readValue(this.#table.lookup(key), DEVMAP_VAL_SIZE);
    } catch (e) {
      if (e instanceof BpfError && e.code === 'ENOENT') return undefined;
      throw e;
    }
  }

  lookup(key: Uint8Array): Uint8Array {
    return this.#table.lookup(key).slice(0, this.spec.value_size);
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): void {
    checkLength('key', key, 4);
    checkLength('value', value, this.spec.value_size);
    const val = readValue(value, this.spec.value_size);
    if (!Number.isInteger(flags) || flags < 0 || flags > UpdateFlag.EXIST || val.ifindex === 0) {
      throw new BpfError('EINVAL', `update: ${val.ifindex === 0 ? 'ifindex 0 names no device' : `flags 0x${flags.toString(16)}: use BPF_ANY, BPF_NOEXIST or BPF_EXIST`}`);
    }
    const old = this.#stored(key);
    if (old && flags === UpdateFlag.NOEXIST) throw new BpfError('EEXIST', 'update: the key exists and BPF_NOEXIST was given');
    const stored = this.#entries.take(val);
    try {
      this.#table.update(key, stored, UpdateFlag.ANY);
    } catch (e) {
      this.#entries.drop(readValue(stored, DEVMAP_VAL_SIZE));
      if (e instanceof BpfError && e.code === 'E2BIG') throw new BpfError('E2BIG', `update: the map is full (max_entries ${this.spec.max_entries})`);
      throw e;
    }
    if (old) this.#entries.drop(old);
  }

  delete(key: Uint8Array): void {
    const old = this.#stored(key);
    this.#table.delete(key);
    if (old) this.#entries.drop(old);
  }

  getNextKey(key: Uint8Array | undefined): Uint8Array {
    return this.#table.getNextKey(key);
  }

  /** bpf_redirect_map's lookup (and a program's bpf_map_lookup_elem): the key's bpf_devmap_val, or 0. */
  lookupAddress(keyAddress: number, _cpu: number): number {
    return this.#table.lookupAddress(keyAddress, 0);
  }

  updateAt(_keyAddress: number, _valueAddress: number, _flags: number, _cpu: number): number {
    return negErrno('EINVAL');
  }

  deleteAt(_keyAddress: number): number {
    return negErrno('EINVAL');
  }
}

/** dev_map_init_map: a u32 key, a 4- or 8-byte value, NUMA_NODE / RDONLY / WRONLY only; DEVMAP_HASH at most 2^31 entries. */
function checkDevmapSpec(spec: MapSpec): void {
  if (spec.max_entries === 0) throw specError('EINVAL', spec, 'max_entries must be at least 1');
  if (spec.key_size !== 4) throw specError('EINVAL', spec, `key_size must be 4, got ${spec.key_size}`);
  if (spec.value_size !== 4 && spec.value_size !== 8) {
    throw specError('EINVAL', spec, `value_size must be 4 (u32 ifindex) or 8 (struct bpf_devmap_val), got ${spec.value_size}`);
  }
  if (spec.map_type === MapType.DEVMAP_HASH && spec.max_entries > 2 ** 31) throw specError('EINVAL', spec, `max_entries ${spec.max_entries} is above 2^31`);
}

const DEV_CREATE_FLAGS = MapFlag.NUMA_NODE | MapFlag.RDONLY | MapFlag.WRONLY;

export const devmapMapType: MapTypeSupport = {
  allowedFlags: DEV_CREATE_FLAGS,
  check: checkDevmapSpec,
  create: (spec, arena, _cpus, ports) => new DevMap(spec, arena, ports ?? {}),
};

export const devmapHashMapType: MapTypeSupport = {
  allowedFlags: DEV_CREATE_FLAGS,
  check: checkDevmapSpec,
  create: (spec, arena, _cpus, ports) => new DevMapHash(spec, arena, ports ?? {}),
};
