/**
 * Writes the type model back into `.BTF` bytes: the header, the type records, the strings.
 */
import type { Endianness } from '../insn/codec.js';
import { BtfError } from './errors.js';
import { BTF_MAGIC, BTF_VERSION, BtfKind } from './kinds.js';
import { BTF_HEADER_SIZE, BTF_TYPE_SIZE, extraSize, infoOf, intWordOf, memberOffsetWordOf } from './layout.js';
import { type BtfStrings, StringTableBuilder } from './strings.js';
import type { Btf, BtfEncodedType } from './types.js';

export interface EncodeBtfOptions {
  /** Byte order of the output. Default 'little'. */
  readonly endian?: Endianness;
  /**
   * The string table to start from. By default the table `btf` was parsed from, so its
   * offsets (which .BTF.ext refers to) stay valid and a parsed blob encodes to the same
   * bytes; pass `null` for a fresh table holding only the names in use.
   */
  readonly strings?: BtfStrings | null;
}

/**
 * Encodes `btf` (types[1..]) as a `.BTF` blob: header, then types, then strings. Does not
 * validate; throws BtfError only for values the encoding cannot hold.
 */
export function encodeBtf(btf: Btf, options: EncodeBtfOptions = {}): Uint8Array {
  const le = (options.endian ?? 'little') === 'little';
  const seed = options.strings === undefined ? btf.strings : (options.strings ?? undefined);
  const strtab = new StringTableBuilder(seed);
  const types = btf.types.slice(1) as BtfEncodedType[];
  let typeLen = 0;
  for (const t of types) typeLen += BTF_TYPE_SIZE + (extraSize(BtfKind[t.kind], vlenOf(t)) ?? 0);

  const typeBytes = new Uint8Array(typeLen);
  const view = new DataView(typeBytes.buffer);
  let at = 0;
  const u32 = (v: number): void => {
    view.setUint32(at, v >>> 0, le);
    at += 4;
  };
  types.forEach((t, i) => writeType(t, i + 1, strtab, u32));

  const strBytes = strtab.bytes();
  const out = new Uint8Array(BTF_HEADER_SIZE + typeLen + strBytes.length);
  const hv = new DataView(out.buffer);
  hv.setUint16(0, BTF_MAGIC, le);
  hv.setUint8(2, BTF_VERSION);
  hv.setUint8(3, 0);
  hv.setUint32(4, BTF_HEADER_SIZE, le);
  hv.setUint32(8, 0, le);
  hv.setUint32(12, typeLen, le);
  hv.setUint32(16, typeLen, le);
  hv.setUint32(20, strBytes.length, le);
  out.set(typeBytes, BTF_HEADER_SIZE);
  out.set(strBytes, BTF_HEADER_SIZE + typeLen);
  return out;
}

function vlenOf(t: BtfEncodedType): number {
  switch (t.kind) {
    case 'STRUCT':
    case 'UNION':
      return t.members.length;
    case 'ENUM':
    case 'ENUM64':
      return t.values.length;
    case 'FUNC_PROTO':
      return t.params.length;
    case 'DATASEC':
      return t.vars.length;
    case 'FUNC':
      return t.linkage;
    default:
      return 0;
  }
}

function writeType(t: BtfEncodedType, id: number, strtab: StringTableBuilder, u32: (v: number) => void): void {
  const kind = BtfKind[t.kind];
  const vlen = vlenOf(t);
  if (vlen > 0xffff) throw new BtfError(`BTF: [${id}] ${t.kind} '${t.name}': ${vlen} entries do not fit in vlen`);
  const kflag =
    t.kind === 'STRUCT' || t.kind === 'UNION'
      ? t.kflag
      : t.kind === 'ENUM' || t.kind === 'ENUM64'
        ? t.signed
        : t.kind === 'FWD'
          ? t.union
          : false;
  u32(strtab.add(t.name));
  u32(infoOf(kind, vlen, kflag));
  switch (t.kind) {
    case 'INT':
      u32(t.size);
      u32(intWordOf(t.encoding, t.bitsOffset, t.bits));
      break;
    case 'PTR':
    case 'TYPEDEF':
    case 'VOLATILE':
    case 'CONST':
    case 'RESTRICT':
    case 'TYPE_TAG':
    case 'FUNC':
      u32(t.type);
      break;
    case 'ARRAY':
      u32(0);
      u32(t.type);
      u32(t.indexType);
      u32(t.nelems);
      break;
    case 'STRUCT':
    case 'UNION':
      u32(t.size);
      for (const m of t.members) {
        u32(strtab.add(m.name));
        u32(m.type);
        u32(memberOffsetWordOf(t.kflag, m.bitOffset, m.bitfieldSize));
      }
      break;
    case 'ENUM':
      u32(t.size);
      for (const v of t.values) {
        u32(strtab.add(v.name));
        u32(v.value);
      }
      break;
    case 'ENUM64':
      u32(t.size);
      for (const v of t.values) {
        const raw = BigInt.asUintN(64, v.value);
        u32(strtab.add(v.name));
        u32(Number(raw & 0xffffffffn));
        u32(Number(raw >> 32n));
      }
      break;
    case 'FWD':
      u32(0);
      break;
    case 'FUNC_PROTO':
      u32(t.returnType);
      for (const p of t.params) {
        u32(strtab.add(p.name));
        u32(p.type);
      }
      break;
    case 'VAR':
      u32(t.type);
      u32(t.linkage);
      break;
    case 'DATASEC':
      u32(t.size);
      for (const v of t.vars) {
        u32(v.type);
        u32(v.offset);
        u32(v.size);
      }
      break;
    case 'FLOAT':
      u32(t.size);
      break;
    case 'DECL_TAG':
      u32(t.type);
      u32(t.componentIdx);
      break;
  }
}
