/**
 * A value as bpftool's BTF dumper writes it (btf_dumper.c), in JSON for the `formatted` member
 * of `map dump -j` and `map lookup -j` entries, or as plain text for `map dump` and `map lookup`
 * of a map with BTF (is_plain_text, through a pretty JSON writer):
 *
 * - integers as numbers (unsigned unless signed; 128-bit ones, and bitfields, as "0x…" strings,
 *   in plain text bare 0x…), `bool` as true/false, a `char` as a one-character string (not
 *   printable: "\u00NN", in plain text bare 0xNN);
 * - enums by the name of the value, or the number when no enumerator has it;
 * - pointers as numbers (plain text: as printf's %p writes them, 0x… or (nil)); structs and
 *   unions as objects of their members; arrays as arrays, except an array of `char` holding a
 *   printable NUL-terminated string, which is that string;
 * - typedefs and qualifiers as what they name; a DATASEC as `{"NAME": [{"var": value}, …]}`.
 *
 * Values are little-endian, as bpfhive's kernel lays them out.
 */
import { type Btf, BtfIntEncoding, type BtfType } from '@bpfhive/uapi';
import type { JsonWriter } from './json-writer.js';

/** Bits `offset`..`offset + bits` of `data` (little-endian), as an unsigned number. */
function bitsOf(data: Uint8Array, at: number, offset: number, bits: number): bigint {
  const bytes = Math.ceil((offset + bits) / 8);
  let word = 0n;
  for (let i = bytes - 1; i >= 0; i--) word = (word << 8n) | BigInt(data[at + i] ?? 0);
  return (word >> BigInt(offset)) & ((1n << BigInt(bits)) - 1n);
}

/** What a dump writes with and into: bpftool's struct btf_dumper. */
interface Dumper {
  readonly json: JsonWriter;
  readonly btf: Btf;
  /** bpftool's is_plain_text: the text form of `map dump` and `map lookup` without -j. */
  readonly plainText: boolean;
}

/** bpftool's btf_int128_print: 0x… without leading zeros, a JSON string unless in plain text. */
function writeHex(d: Dumper, value: bigint): void {
  const text = `0x${value.toString(16)}`;
  if (d.plainText) d.json.raw(text);
  else d.json.string(text);
}

function writeInt(d: Dumper, t: Extract<BtfType, { kind: 'INT' }>, data: Uint8Array, at: number, bitOffset: number): void {
  const { json } = d;
  if (bitOffset !== 0 || t.bitsOffset !== 0 || t.bits % 8 !== 0) {
    const total = bitOffset + t.bitsOffset;
    writeHex(d, bitsOf(data, at + (total >> 3), total & 7, t.bits));
    return;
  }
  if (t.bits === 128) {
    writeHex(d, bitsOf(data, at, 0, 128));
    return;
  }
  const unsigned = bitsOf(data, at, 0, t.bits);
  switch (t.encoding) {
    case BtfIntEncoding.SIGNED:
      json.number(t.bits === 64 ? BigInt.asIntN(64, unsigned) : Number(BigInt.asIntN(t.bits, unsigned)));
      return;
    case BtfIntEncoding.CHAR: {
      const c = Number(unsigned);
      if (c >= 0x20 && c < 0x7f) json.string(String.fromCharCode(c));
      else if (d.plainText) json.raw(`0x${c.toString(16)}`);
      else json.raw(`"\\u00${c.toString(16).padStart(2, '0')}"`);
      return;
    }
    case BtfIntEncoding.BOOL:
      json.bool(unsigned !== 0n);
      return;
    default:
      json.number(t.bits === 64 ? unsigned : Number(unsigned));
  }
}

/** bpftool's is_str_array: a char array (typedefs to char do not count) holding a printable NUL-terminated string. */
function stringOf(btf: Btf, t: Extract<BtfType, { kind: 'ARRAY' }>, data: Uint8Array, at: number): string | undefined {
  if (t.nelems === 0) return undefined;
  let elem = btf.types[t.type];
  while (elem && (elem.kind === 'VOLATILE' || elem.kind === 'CONST' || elem.kind === 'RESTRICT' || elem.kind === 'TYPE_TAG')) elem = btf.types[elem.type];
  if (!elem || elem.kind !== 'INT' || elem.size !== 1 || (elem.encoding !== BtfIntEncoding.CHAR && elem.name !== 'char')) return undefined;
  for (let i = 0; i < t.nelems; i++) {
    const c = data[at + i] ?? 0;
    if (c === 0) return String.fromCharCode(...data.subarray(at, at + i));
    if (c <= 0x1f || c >= 0x7f) return undefined;
  }
  return undefined;
}

/** The size in bytes of a type, following typedefs and qualifiers (arrays: elements times count). */
function sizeOf(btf: Btf, id: number): number {
  const t = btf.types[id];
  if (!t) return 0;
  switch (t.kind) {
    case 'INT':
    case 'STRUCT':
    case 'UNION':
    case 'ENUM':
    case 'ENUM64':
    case 'DATASEC':
    case 'FLOAT':
      return t.size;
    case 'PTR':
      return 8;
    case 'ARRAY':
      return t.nelems * sizeOf(btf, t.type);
    case 'TYPEDEF':
    case 'VOLATILE':
    case 'CONST':
    case 'RESTRICT':
    case 'TYPE_TAG':
    case 'VAR':
      return sizeOf(btf, t.type);
    default:
      return 0;
  }
}

/**
 * Writes the value of type `id` found at `data[at]` (bit `bitOffset` of that byte, for bitfields
 * reached through a member). A type the dumper cannot print (FWD, FUNC…) is written as bpftool
 * writes it, "(…)".
 */
function writeType(d: Dumper, id: number, data: Uint8Array, at: number, bitOffset: number): void {
  const { json, btf } = d;
  const t = btf.types[id];
  if (!t || t.kind === 'VOID') {
    json.string('(unknown)');
    return;
  }
  switch (t.kind) {
    case 'INT':
      writeInt(d, t, data, at, bitOffset);
      return;
    case 'STRUCT':
    case 'UNION':
      json.startObject();
      for (const m of t.members) {
        json.name(m.name);
        const byte = at + (m.bitOffset >> 3);
        if (t.kflag && m.bitfieldSize) writeHex(d, bitsOf(data, byte, m.bitOffset & 7, m.bitfieldSize));
        else writeType(d, m.type, data, byte, m.bitOffset & 7);
      }
      json.endObject();
      return;
    case 'ARRAY': {
      const text = stringOf(btf, t, data, at);
      if (text !== undefined) {
        json.string(text);
        return;
      }
      const step = sizeOf(btf, t.type);
      json.startArray();
      for (let i = 0; i < t.nelems; i++) writeType(d, t.type, data, at + i * step, 0);
      json.endArray();
      return;
    }
    case 'ENUM':
    case 'ENUM64': {
      const raw = bitsOf(data, at, 0, t.size * 8);
      const value = BigInt.asIntN(t.size * 8, raw);
      const named = t.values.find((v) => BigInt(v.value) === value || BigInt(v.value) === raw);
      if (named) json.string(named.name);
      else json.number(t.kind === 'ENUM64' ? value : Number(value));
      return;
    }
    case 'PTR': {
      const address = bitsOf(data, at, 0, 64);
      if (!d.plainText) json.number(address);
      else json.raw(address === 0n ? '(nil)' : `0x${address.toString(16)}`);
      return;
    }
    case 'TYPEDEF':
    case 'VOLATILE':
    case 'CONST':
    case 'RESTRICT':
    case 'TYPE_TAG':
      writeType(d, t.type, data, at, bitOffset);
      return;
    case 'VAR':
      json.startObject().name(t.name);
      writeType(d, t.type, data, at, bitOffset);
      json.endObject();
      return;
    case 'DATASEC':
      json.startObject().name(t.name).startArray();
      for (const v of t.vars) writeType(d, v.type, data, at + v.offset, 0);
      json.endArray().endObject();
      return;
    default:
      json.string(`(unsupported-kind ${t.kind})`);
  }
}

/**
 * Writes `data` as a value of type `id` of `btf` (bpftool's btf_dumper_type): in JSON, or with
 * `plainText` as the text form plain `map dump` and `map lookup` print through a pretty writer.
 */
export function writeBtfValue(json: JsonWriter, btf: Btf, id: number, data: Uint8Array, options: { readonly plainText?: boolean } = {}): void {
  writeType({ json, btf, plainText: options.plainText ?? false }, id, data, 0, 0);
}
