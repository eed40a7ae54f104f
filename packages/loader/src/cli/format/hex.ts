import type { JsonWriter } from './json-writer.js';

/**
 * Bytes as bpftool prints them (fprint_hex): two lower-case hex digits each, separated by `sep`,
 * two spaces after every eighth byte and a line break after every sixteenth:
 * `01 02 03 04 05 06 07 08  09 0a`.
 */
export function hexBytes(bytes: Uint8Array, sep = ' '): string {
  let out = '';
  bytes.forEach((b, i) => {
    if (i > 0) out += i % 16 === 0 ? '\n' : i % 8 === 0 ? '  ' : sep;
    out += b.toString(16).padStart(2, '0');
  });
  return out;
}

/** Bytes as bpftool's JSON prints them: an array of strings, `["0x01","0x00"]`. */
export function writeHexArray(json: JsonWriter, bytes: Uint8Array): void {
  json.startArray();
  for (const b of bytes) json.raw(`"0x${b.toString(16).padStart(2, '0')}"`);
  json.endArray();
}
