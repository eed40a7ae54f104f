import { BpfError } from '../errors.js';

/** Byte strings travel as standard base64 (DESIGN.md §2). */
export const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** Decodes base64, rejecting anything that is not canonical base64 with EINVAL naming the field. */
export function fromBase64(text: string, field: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new BpfError('EINVAL', `${field}: not base64`);
  }
  return new Uint8Array(Buffer.from(text, 'base64'));
}
