/**
 * Kernel structs in kernel memory, read and written field by field through their BTF layout:
 * `structs.write(task, 'task_struct', { pid: 42, comm: 'curl', real_parent: parent })`.
 * Nothing here knows an offset; every one comes from the BTF (struct-layout.ts).
 *
 * What a field takes:
 * - an integer, enum or pointer field: a number or bigint that fits its size (signed or
 *   unsigned), stored little-endian; a bitfield: its bits only
 * - a `char[N]` field: a string, stored UTF-8 with a NUL, cut to N - 1 bytes, the rest zeroed
 * - any field: a Uint8Array of at most its size, stored as is, the rest zeroed (network-order
 *   addresses and ports, in6_addr)
 * Anything else (a number for a struct, a string for an int, too many bytes) throws BtfError.
 */
import { type Btf, BtfError, type BtfType, skipModsAndTypedefs } from '@bpfhive/uapi';
import type { KernelHeap } from './heap.js';
import { kernelBtf } from './kernel-btf.js';
import { type FieldLocation, layoutOf } from './struct-layout.js';

export type FieldValue = number | bigint | string | Uint8Array;

/** A block of kernel memory: where, and how many bytes (what free needs). */
export interface KernelBlock {
  readonly address: number;
  readonly size: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class KernelStructs {
  constructor(
    readonly heap: KernelHeap,
    readonly btf: Btf = kernelBtf(),
  ) {}

  /** Bytes of struct `name` (its BTF size). */
  sizeOf(name: string): number {
    return layoutOf(this.btf, name).size;
  }

  /** A zeroed struct `name`, with `extra` bytes after it (for a flexible array member). */
  alloc(name: string, extra = 0): KernelBlock {
    const size = this.sizeOf(name) + extra;
    return { address: this.heap.alloc(size), size };
  }

  /** A new struct `name` holding `values` (the other fields zero). */
  create(name: string, values: Readonly<Record<string, FieldValue>>, extra = 0): KernelBlock {
    const block = this.alloc(name, extra);
    this.write(block.address, name, values);
    return block;
  }

  /** A NUL-terminated copy of `text` (UTF-8). */
  string(text: string): KernelBlock {
    const bytes = encoder.encode(`${text}\0`);
    const address = this.heap.alloc(bytes.length);
    this.heap.bytes.set(bytes, address);
    return { address, size: bytes.length };
  }

  free(block: KernelBlock): void {
    this.heap.free(block.address, block.size);
  }

  /** Where field `path` of the struct `name` at `address` is. */
  addressOf(address: number, name: string, path: string): number {
    return address + layoutOf(this.btf, name).field(path).offset;
  }

  /** Writes `values` (field path → value) into the struct `name` at `address`. */
  write(address: number, name: string, values: Readonly<Record<string, FieldValue>>): void {
    const layout = layoutOf(this.btf, name);
    for (const [path, value] of Object.entries(values)) this.#put(address, name, layout.field(path), value);
  }

  /** The pointer (or other integer) field `path` of the struct `name` at `address`, as an address. */
  pointer(address: number, name: string, path: string): number {
    const v = this.read(address, name, path);
    if (typeof v !== 'bigint') throw new BtfError(`kernel struct ${name}: field '${path}' is not an integer`);
    return Number(v);
  }

  /** Field `path` of the struct `name` at `address`: integers as bigint (sign-extended when signed), char arrays as text, other fields as bytes. */
  read(address: number, name: string, path: string): bigint | string | Uint8Array {
    const f = layoutOf(this.btf, name).field(path);
    const bytes = this.heap.bytes;
    const at = address + f.offset;
    const t = skipModsAndTypedefs(this.btf, f.typeId).type;
    if (isCharArray(this.btf, f.typeId)) {
      const end = bytes.subarray(at, at + f.size).indexOf(0);
      return decoder.decode(bytes.subarray(at, end < 0 ? at + f.size : at + end));
    }
    if (!isScalar(t.kind)) return bytes.slice(at, at + f.size);
    const bits = f.bitfieldSize || f.size * 8;
    let v = loadLE(bytes, at, spanOf(f));
    if (f.bitfieldSize) v = (v >> BigInt(f.bitOffset % 8)) & ((1n << BigInt(bits)) - 1n);
    return isSigned(t) ? BigInt.asIntN(bits, v) : v;
  }

  #put(address: number, name: string, f: FieldLocation, value: FieldValue): void {
    const fail: (why: string) => never = (why) => {
      throw new BtfError(`kernel struct ${name}: field '${f.path}' (${f.type}): ${why}`);
    };
    const bytes = this.heap.bytes;
    const at = address + f.offset;
    if (value instanceof Uint8Array) {
      if (value.length > f.size) fail(`${value.length} bytes do not fit in ${f.size}`);
      bytes.fill(0, at, at + f.size);
      bytes.set(value, at);
      return;
    }
    if (typeof value === 'string') {
      if (!isCharArray(this.btf, f.typeId)) fail('only a char array takes a string');
      const text = encoder.encode(value).subarray(0, f.size - 1);
      bytes.fill(0, at, at + f.size);
      bytes.set(text, at);
      return;
    }
    const t = skipModsAndTypedefs(this.btf, f.typeId).type;
    if (!isScalar(t.kind)) fail(`a ${t.kind} takes bytes, not a number`);
    const bits = f.bitfieldSize || f.size * 8;
    const v = BigInt(value);
    if (v < -(1n << BigInt(bits - 1)) || v >= 1n << BigInt(bits)) fail(`${value} does not fit in ${bits} bits`);
    const raw = BigInt.asUintN(bits, v);
    if (f.bitfieldSize === 0) {
      storeLE(bytes, at, f.size, raw);
      return;
    }
    // A bitfield: read-modify-write the bytes that hold it.
    const shift = BigInt(f.bitOffset % 8);
    const mask = ((1n << BigInt(bits)) - 1n) << shift;
    storeLE(bytes, at, spanOf(f), (loadLE(bytes, at, spanOf(f)) & ~mask) | (raw << shift));
  }
}

/** Bytes holding a field: its size, or for a bitfield the bytes its bits touch. */
const spanOf = (f: FieldLocation): number => (f.bitfieldSize ? Math.ceil(((f.bitOffset % 8) + f.bitfieldSize) / 8) : f.size);

function loadLE(bytes: Uint8Array, at: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]!);
  return v;
}

/** Stores the low `n` bytes of `v` little-endian; without a BigInt per byte for the common sizes (sync writes many fields per task). */
function storeLE(bytes: Uint8Array, at: number, n: number, v: bigint): void {
  if (n === 8) {
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setBigUint64(at, v, true);
    return;
  }
  if (n <= 6) {
    // Exact: 48 bits fit a double.
    let x = Number(v);
    for (let i = 0; i < n; i++, x = Math.floor(x / 256)) bytes[at + i] = x % 256;
    return;
  }
  for (let i = 0; i < n; i++) bytes[at + i] = Number((v >> BigInt(8 * i)) & 0xffn);
}

const isScalar = (kind: string): boolean => kind === 'INT' || kind === 'ENUM' || kind === 'ENUM64' || kind === 'PTR';

function isSigned(t: BtfType): boolean {
  if (t.kind === 'INT') return (t.encoding & 1) !== 0;
  return (t.kind === 'ENUM' || t.kind === 'ENUM64') && t.signed;
}

function isCharArray(btf: Btf, id: number): boolean {
  const t = skipModsAndTypedefs(btf, id).type;
  if (t.kind !== 'ARRAY') return false;
  const e = skipModsAndTypedefs(btf, t.type).type;
  return e.kind === 'INT' && e.size === 1;
}
