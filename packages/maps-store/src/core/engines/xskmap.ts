import { BpfError, MapFlag, UpdateFlag } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import { type BpfMap, checkLength } from '../map.js';
import type { ObjectTable, XskSocketInfo } from '../ports.js';
import { type MapSpec, specError } from '../spec.js';
import { negErrno } from './queue-stack.js';
import type { MapTypeSupport } from './types.js';

const u32Bytes = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const readU32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);

/**
 * BPF_MAP_TYPE_XSKMAP: AF_XDP sockets for bpf_redirect_map (net/xdp/xskmap.c). User space writes
 * a socket id (the kernel takes its fd); the map holds it through the `xskSockets` port. Slot i is
 * the u32 at `base + 4 * i`: the arena address of the socket's struct bpf_xdp_sock, what a
 * program's lookup returns (0: empty).
 *
 * - update: flags above BPF_EXIST EINVAL, an index past the end E2BIG, no such socket EBADF, not
 *   an AF_XDP socket or not bound EOPNOTSUPP; the same socket again is a no-op; BPF_NOEXIST on a
 *   filled slot EEXIST, BPF_EXIST on an empty one ENOENT.
 * - delete: an index past the end EINVAL; an empty slot is not an error.
 * - lookup from user space: EOPNOTSUPP, always. get_next_key: every index.
 */
export class XskMap implements BpfMap {
  readonly cpus = 1;
  readonly syscallValueSize = 4;
  readonly base: number;
  readonly #ids: Uint32Array;

  constructor(
    readonly spec: MapSpec,
    readonly arena: Arena,
    private readonly sockets: ObjectTable<XskSocketInfo> | undefined,
  ) {
    this.base = arena.alloc(4 * spec.max_entries);
    this.#ids = new Uint32Array(spec.max_entries);
  }

  #index(key: Uint8Array): number {
    checkLength('key', key, 4);
    return readU32(key);
  }

  #set(index: number, id: number, address: number): void {
    const old = this.#ids[index]!;
    this.#ids[index] = id;
    Atomics.store(this.arena.u32, (this.base >> 2) + index, address);
    if (old !== 0) this.sockets?.release(old);
  }

  lookup(key: Uint8Array): Uint8Array {
    this.#index(key);
    throw new BpfError('EOPNOTSUPP', 'lookup: the sockets of an XSKMAP cannot be read from user space');
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): void {
    const index = this.#index(key);
    checkLength('value', value, 4);
    if (!Number.isInteger(flags) || flags < 0 || flags > UpdateFlag.EXIST) throw new BpfError('EINVAL', `update: flags 0x${flags.toString(16)}: use BPF_ANY, BPF_NOEXIST or BPF_EXIST`);
    if (index >= this.spec.max_entries) throw new BpfError('E2BIG', `update: index ${index} is past the last slot (${this.spec.max_entries - 1})`);
    const id = readU32(value);
    const address = this.#take(id);
    const old = this.#ids[index]!;
    const refuse = old === id ? undefined : old !== 0 && flags === UpdateFlag.NOEXIST ? 'EEXIST' : old === 0 && flags === UpdateFlag.EXIST ? 'ENOENT' : undefined;
    if (old === id || refuse) {
      this.sockets?.release(id);
      if (refuse) throw new BpfError(refuse, `update: slot ${index} is ${refuse === 'EEXIST' ? 'taken and BPF_NOEXIST' : 'empty and BPF_EXIST'} was given`);
      return;
    }
    this.#set(index, id, address);
  }

  /** The socket's bpf_xdp_sock address, with a reference taken; 0 when detached. */
  #take(id: number): number {
    if (!this.sockets) return 0;
    const socket = this.sockets.acquire(id);
    if (!socket) throw new BpfError('EBADF', `update: no socket with id ${id}`);
    if (!socket.xdp || !socket.bound) {
      this.sockets.release(id);
      throw new BpfError('EOPNOTSUPP', `update: socket ${id} is ${socket.xdp ? 'not bound to a device queue' : 'not an AF_XDP socket'}`);
    }
    return socket.address;
  }

  delete(key: Uint8Array): void {
    const index = this.#index(key);
    if (index >= this.spec.max_entries) throw new BpfError('EINVAL', `delete: index ${index} is past the last slot (${this.spec.max_entries - 1})`);
    this.#set(index, 0, 0);
  }

  getNextKey(key: Uint8Array | undefined): Uint8Array {
    const index = key === undefined ? -1 : this.#index(key);
    const next = index < 0 || index >= this.spec.max_entries ? 0 : index + 1;
    if (next >= this.spec.max_entries) throw new BpfError('ENOENT', 'get_next_key: that was the last index');
    return u32Bytes(next);
  }

  /** BpfMap.dispose: every socket is released (xsk_map_free), then the slots go back to the arena. */
  dispose(): void {
    for (let i = 0; i < this.spec.max_entries; i++) if (this.#ids[i] !== 0) this.#set(i, 0, 0);
    this.arena.free(this.base, 4 * this.spec.max_entries);
  }

  /** The socket id in slot `index`, 0 when empty. */
  idAt(index: number): number {
    return index < this.spec.max_entries ? this.#ids[index]! : 0;
  }

  /** Every filled slot as [index, socket id] (lookup is EOPNOTSUPP, so snapshots read the slots). */
  *records(): Iterable<readonly [Uint8Array, Uint8Array]> {
    for (let i = 0; i < this.spec.max_entries; i++) if (this.#ids[i] !== 0) yield [u32Bytes(i), u32Bytes(this.#ids[i]!)];
  }

  /** bpf_redirect_map's and a program's lookup: the socket's bpf_xdp_sock address, 0 when empty. */
  lookupAddress(keyAddress: number, _cpu: number): number {
    const index = this.arena.loadU32(keyAddress);
    return index < this.spec.max_entries ? this.arena.u32[(this.base >> 2) + index]! : 0;
  }

  updateAt(_keyAddress: number, _valueAddress: number, _flags: number, _cpu: number): number {
    return negErrno('EINVAL');
  }

  deleteAt(_keyAddress: number): number {
    return negErrno('EINVAL');
  }
}

/** XSKMAP: xsk_map_alloc's checks (a u32 key and value; NUMA_NODE, RDONLY, WRONLY only). */
export const xskmapMapType: MapTypeSupport = {
  allowedFlags: MapFlag.NUMA_NODE | MapFlag.RDONLY | MapFlag.WRONLY,
  check(spec) {
    if (spec.max_entries === 0) throw specError('EINVAL', spec, 'max_entries must be at least 1');
    if (spec.key_size !== 4) throw specError('EINVAL', spec, `key_size must be 4, got ${spec.key_size}`);
    if (spec.value_size !== 4) throw specError('EINVAL', spec, `value_size must be 4 (a socket id), got ${spec.value_size}`);
  },
  create: (spec, arena, _cpus, ports) => new XskMap(spec, arena, ports?.xskSockets),
};
