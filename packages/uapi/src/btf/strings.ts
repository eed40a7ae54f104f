/**
 * BTF string tables: a run of NUL-terminated strings, the first one empty, referenced by
 * byte offset (`name_off`).
 */
import { BtfError } from './errors.js';

const decoder = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();

/** A string table as read from a blob. */
export interface BtfStrings {
  readonly bytes: Uint8Array;
}

/**
 * The string at `offset`, up to its NUL. Throws BtfError when the offset is beyond the
 * table or the string is not terminated inside it; `what` starts the message and names the
 * referrer ("BTF: [3] STRUCT member #2").
 */
export function btfStringAt(strings: BtfStrings, offset: number, what: string): string {
  const { bytes } = strings;
  if (offset < 0 || offset >= bytes.length) {
    throw new BtfError(`${what}: name offset ${offset} is beyond the string table (${bytes.length} bytes)`);
  }
  const end = bytes.indexOf(0, offset);
  if (end < 0) throw new BtfError(`${what}: the string at offset ${offset} is not NUL-terminated`);
  return decoder.decode(bytes.subarray(offset, end));
}

/**
 * Checks the rules the kernel applies to a whole table: it starts with the empty string
 * and ends with a NUL. An empty table is allowed only when nothing references it.
 */
export function checkStringTable(bytes: Uint8Array): void {
  if (bytes.length === 0) return;
  if (bytes[0] !== 0) throw new BtfError('BTF: the string table must start with an empty string');
  if (bytes[bytes.length - 1] !== 0) throw new BtfError('BTF: the string table does not end with a NUL');
}

/**
 * Builds a string table: every distinct string once, the empty string at offset 0.
 * Seeded with an existing table, it keeps that table's bytes and offsets and appends only
 * strings the table lacks, so references into the old table stay valid.
 */
export class StringTableBuilder {
  private readonly chunks: Uint8Array[] = [];
  private readonly offsets = new Map<string, number>();
  private length = 0;

  constructor(seed?: BtfStrings) {
    if (seed && seed.bytes.length > 0) {
      this.chunks.push(seed.bytes);
      this.length = seed.bytes.length;
      let start = 0;
      for (let i = 0; i < seed.bytes.length; i++) {
        if (seed.bytes[i] !== 0) continue;
        const s = decoder.decode(seed.bytes.subarray(start, i));
        if (!this.offsets.has(s)) this.offsets.set(s, start);
        start = i + 1;
      }
    } else {
      this.chunks.push(new Uint8Array(1));
      this.length = 1;
      this.offsets.set('', 0);
    }
  }

  /** The offset of `s`, adding it when new; the empty string is always at 0. */
  add(s: string): number {
    if (s === '') return 0;
    const known = this.offsets.get(s);
    if (known !== undefined) return known;
    const bytes = encoder.encode(s);
    if (bytes.includes(0)) throw new BtfError(`BTF: a name must not contain NUL: ${JSON.stringify(s)}`);
    const offset = this.length;
    this.chunks.push(bytes, new Uint8Array(1));
    this.length += bytes.length + 1;
    this.offsets.set(s, offset);
    return offset;
  }

  /** The table's bytes. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}
