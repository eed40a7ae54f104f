/**
 * How a MapHandle turns keys and values into the bytes a map holds. Integers are little-endian,
 * as on the machines eBPF runs on; a codec rejects a value that does not fit with a RangeError.
 */
export interface Codec<T> {
  /** The encoded size in bytes; undefined when any size goes (the map's size decides). */
  readonly size: number | undefined;
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

function checkSize(bytes: Uint8Array, size: number, what: string): DataView {
  if (bytes.length !== size) throw new RangeError(`${what}: expected ${size} bytes, got ${bytes.length}`);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A u32 (keys of array maps, counters). */
export const u32: Codec<number> = {
  size: 4,
  encode(value) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`u32: ${value} is out of range`);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, value, true);
    return bytes;
  },
  decode: (bytes) => checkSize(bytes, 4, 'u32').getUint32(0, true),
};

/** A u64, as a bigint (numbers are accepted and must be safe integers). */
export const u64: Codec<bigint> & { encode(value: bigint | number): Uint8Array } = {
  size: 8,
  encode(value: bigint | number) {
    const big = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
    if (typeof big !== 'bigint' || big < 0n || big > 0xffffffffffffffffn) throw new RangeError(`u64: ${value} is out of range`);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, big, true);
    return bytes;
  },
  decode: (bytes) => checkSize(bytes, 8, 'u64').getBigUint64(0, true),
};

/** Raw bytes; with `size`, exactly that many. */
export function bytes(size?: number): Codec<Uint8Array> {
  return {
    size,
    encode(value) {
      if (size !== undefined) checkSize(value, size, 'bytes');
      return value;
    },
    decode: (value) => value,
  };
}
