import type { JsonWriter } from './json-writer.js';

/**
 * What `prog run` prints, as bpftool's do_run prints it.
 */

/**
 * Output data or context written to standard output (`data_out -`), bpftool's hex_print: per
 * 16 bytes the offset in 7 hex digits, a tab, the bytes in pairs, `| ` and the printable
 * characters (others as '.') with a space after the eighth.
 *
 *     0000000\t0102 0304 0506 0708 090a 0b0c 0d0e 0f10 | ........ ........
 */
export function hexDump(data: Uint8Array): string {
  let out = '';
  for (let i = 0; i < data.length; i += 16) {
    out += `${i.toString(16).padStart(7, '0')}\t`;
    for (let j = i; j < i + 16; j++) {
      const sep = j % 2 ? ' ' : '';
      out += j < data.length ? `${data[j]!.toString(16).padStart(2, '0')}${sep}` : `  ${sep}`;
    }
    out += '| ';
    for (let j = i; j < i + 16 && j < data.length; j++) {
      const c = data[j]!;
      out += `${c < 0x20 || c > 0x7e ? '.' : String.fromCharCode(c)}${j === i + 7 ? ' ' : ''}`;
    }
    out += '\n';
  }
  return out;
}

/** Output data or context in JSON (bpftool's print_data_json): an array of byte values. */
export function writeDataJson(json: JsonWriter, name: string, data: Uint8Array): void {
  json.name(name).startArray();
  for (const b of data) json.number(b);
  json.endArray();
}

/** `Return value: 2, duration (average): 35ns`; "(average)" when the program ran more than once. */
export function runResultPlain(retval: number, duration: number, repeat: number): string {
  return `Return value: ${retval}, duration${repeat > 1 ? ' (average)' : ''}: ${duration}ns\n`;
}
