import { BpfError } from '@bpfhive/uapi';
import type { MapRecord } from './records.js';

/**
 * A map image: a map's records (records.ts) as one byte string, for a lease on the wire.
 *
 *   u32 count, then per record: u32 key length, the key, u32 value length, the value
 *
 * All little-endian, no padding. Readers in other languages need nothing else: the map's spec
 * travels beside the image.
 */
export function encodeImage(records: readonly MapRecord[]): Uint8Array {
  let size = 4;
  for (const [key, value] of records) size += 8 + key.length + value.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, records.length, true);
  let at = 4;
  for (const [key, value] of records) {
    view.setUint32(at, key.length, true);
    out.set(key, at + 4);
    at += 4 + key.length;
    view.setUint32(at, value.length, true);
    out.set(value, at + 4);
    at += 4 + value.length;
  }
  return out;
}

/** The records of an image; EINVAL for an image that is truncated or has bytes after its last record. */
export function decodeImage(image: Uint8Array): MapRecord[] {
  const view = new DataView(image.buffer, image.byteOffset, image.length);
  const fail = (why: string): never => {
    throw new BpfError('EINVAL', `map image: ${why} (${image.length} bytes)`);
  };
  if (image.length < 4) fail('shorter than its record count');
  const count = view.getUint32(0, true);
  const records: MapRecord[] = [];
  let at = 4;
  const take = (): Uint8Array => {
    if (at + 4 > image.length) fail(`record ${records.length} is truncated`);
    const length = view.getUint32(at, true);
    if (at + 4 + length > image.length) fail(`record ${records.length} is truncated`);
    const bytes = image.slice(at + 4, at + 4 + length);
    at += 4 + length;
    return bytes;
  };
  for (let i = 0; i < count; i++) records.push([take(), take()]);
  if (at !== image.length) fail(`${image.length - at} bytes after the last of ${count} records`);
  return records;
}
