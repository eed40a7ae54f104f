/**
 * Reads a `.BTF` blob into the type model, in either byte order, and validates it.
 */
import type { Endianness } from '../insn/codec.js';
import { BtfError } from './errors.js';
import { BTF_MAGIC, BTF_VERSION, BtfFuncLinkage, BtfKind, BtfVarLinkage, btfKindName } from './kinds.js';
import { BTF_HEADER_SIZE, BTF_TYPE_SIZE, extraSize } from './layout.js';
import { type BtfStrings, checkStringTable, btfStringAt } from './strings.js';
import { type Btf, BTF_VOID, type BtfEncodedType, type BtfMember, type BtfType } from './types.js';
import { validateBtf } from './validate.js';

/** The fields of `struct btf_header`, offsets relative to the end of the header. */
export interface BtfHeader {
  readonly endian: Endianness;
  readonly version: number;
  readonly flags: number;
  readonly hdrLen: number;
  readonly typeOff: number;
  readonly typeLen: number;
  readonly strOff: number;
  readonly strLen: number;
}

/** A parsed blob: the model plus what its header said. */
export interface ParsedBtf extends Btf {
  readonly header: BtfHeader;
  readonly strings: BtfStrings;
}

/** The byte order a BTF or BTF.ext blob is written in, from its magic; undefined if neither. */
export function btfEndianOf(bytes: Uint8Array): Endianness | undefined {
  if (bytes.length < 2) return undefined;
  if (bytes[0] === (BTF_MAGIC & 0xff) && bytes[1] === BTF_MAGIC >> 8) return 'little';
  if (bytes[0] === BTF_MAGIC >> 8 && bytes[1] === (BTF_MAGIC & 0xff)) return 'big';
  return undefined;
}

/** Reads and checks the header: magic, version, flags, and sections inside the blob. */
export function parseBtfHeader(bytes: Uint8Array): BtfHeader {
  if (bytes.length < BTF_HEADER_SIZE) {
    throw new BtfError(`BTF: ${bytes.length} bytes is too short for the ${BTF_HEADER_SIZE}-byte header`);
  }
  const endian = btfEndianOf(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (endian === undefined) {
    throw new BtfError(`BTF: bad magic 0x${view.getUint16(0, true).toString(16).padStart(4, '0')} (expected 0xeb9f)`);
  }
  const le = endian === 'little';
  const u32 = (at: number): number => view.getUint32(at, le);
  const header: BtfHeader = {
    endian,
    version: view.getUint8(2),
    flags: view.getUint8(3),
    hdrLen: u32(4),
    typeOff: u32(8),
    typeLen: u32(12),
    strOff: u32(16),
    strLen: u32(20),
  };
  if (header.version !== BTF_VERSION) throw new BtfError(`BTF: unsupported version ${header.version}`);
  if (header.flags !== 0) throw new BtfError(`BTF: unsupported flags 0x${header.flags.toString(16)}`);
  if (header.hdrLen < BTF_HEADER_SIZE || header.hdrLen > bytes.length) {
    throw new BtfError(`BTF: header length ${header.hdrLen} is out of range (${BTF_HEADER_SIZE}..${bytes.length})`);
  }
  for (let i = BTF_HEADER_SIZE; i < header.hdrLen; i++) {
    if (bytes[i] !== 0) throw new BtfError(`BTF: unknown non-zero header field at byte ${i}`);
  }
  const dataLen = bytes.length - header.hdrLen;
  checkSection('type', header.typeOff, header.typeLen, dataLen);
  checkSection('string', header.strOff, header.strLen, dataLen);
  if (header.typeOff % 4 !== 0) throw new BtfError(`BTF: type section offset ${header.typeOff} is not 4-byte aligned`);
  if (header.typeLen % 4 !== 0) throw new BtfError(`BTF: type section length ${header.typeLen} is not a multiple of 4`);
  const [first, second] =
    header.typeOff <= header.strOff
      ? [
          { name: 'type', off: header.typeOff, len: header.typeLen },
          { name: 'string', off: header.strOff, len: header.strLen },
        ]
      : [
          { name: 'string', off: header.strOff, len: header.strLen },
          { name: 'type', off: header.typeOff, len: header.typeLen },
        ];
  if (first.off + first.len > second.off) {
    throw new BtfError(
      `BTF: the ${first.name} section [${first.off}, ${first.off + first.len}) overlaps the ${second.name} section [${second.off}, ${second.off + second.len})`,
    );
  }
  return header;
}

function checkSection(name: string, off: number, len: number, dataLen: number): void {
  if (off + len > dataLen) {
    throw new BtfError(`BTF: the ${name} section [${off}, ${off + len}) lies beyond the data (${dataLen} bytes after the header)`);
  }
}

/**
 * Parses `.BTF` bytes (either byte order, told by the magic) into the type model and
 * validates it (validate.ts). Throws BtfError naming what is wrong.
 */
export function parseBtf(bytes: Uint8Array): ParsedBtf {
  const header = parseBtfHeader(bytes);
  const data = bytes.subarray(header.hdrLen);
  const strings: BtfStrings = { bytes: data.slice(header.strOff, header.strOff + header.strLen) };
  checkStringTable(strings.bytes);
  const typeBytes = data.subarray(header.typeOff, header.typeOff + header.typeLen);
  const types = readTypes(typeBytes, header.endian === 'little', strings);
  const btf: ParsedBtf = { header, strings, types };
  validateBtf(btf);
  return btf;
}

/** Reads every type record of the type section. */
function readTypes(bytes: Uint8Array, le: boolean, strings: BtfStrings): BtfType[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const types: BtfType[] = [BTF_VOID];
  let at = 0;
  while (at < bytes.length) {
    const id = types.length;
    if (at + BTF_TYPE_SIZE > bytes.length) {
      throw new BtfError(`BTF: type [${id}] at byte ${at} is truncated: ${bytes.length - at} bytes left of ${BTF_TYPE_SIZE}`);
    }
    const nameOff = view.getUint32(at, le);
    const info = view.getUint32(at + 4, le);
    const sizeOrType = view.getUint32(at + 8, le);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const kflag = info >>> 31 === 1;
    const label = `[${id}] ${btfKindName(kind)}`;
    if ((info & 0x60ff0000) !== 0) throw new BtfError(`BTF: ${label}: reserved bits of info are set (0x${info.toString(16)})`);
    const extra = extraSize(kind, vlen);
    if (extra === undefined || kind === BtfKind.UNKN) throw new BtfError(`BTF: type [${id}] at byte ${at}: unknown kind ${kind}`);
    const body = at + BTF_TYPE_SIZE;
    if (body + extra > bytes.length) {
      throw new BtfError(`BTF: ${label}: its ${extra} bytes of ${vlen === 0 ? 'data' : `${vlen} entries`} run past the type section`);
    }
    const name = btfStringAt(strings, nameOff, `BTF: ${label}`);
    const ctx: RecordContext = { view, le, body, vlen, kflag, sizeOrType, name, label, strings };
    types.push(readRecord(kind, ctx));
    at = body + extra;
  }
  return types;
}

interface RecordContext {
  readonly view: DataView;
  readonly le: boolean;
  /** Byte offset of the extra words. */
  readonly body: number;
  readonly vlen: number;
  readonly kflag: boolean;
  readonly sizeOrType: number;
  readonly name: string;
  readonly label: string;
  readonly strings: BtfStrings;
}

const u32At = (c: RecordContext, at: number): number => c.view.getUint32(c.body + at, c.le);
const i32At = (c: RecordContext, at: number): number => c.view.getInt32(c.body + at, c.le);

function requireNoVlen(c: RecordContext): void {
  if (c.vlen !== 0) throw new BtfError(`BTF: ${c.label}: vlen must be 0, is ${c.vlen}`);
}

function requireNoKflag(c: RecordContext): void {
  if (c.kflag) throw new BtfError(`BTF: ${c.label}: kind_flag must be 0`);
}

function readRecord(kind: number, c: RecordContext): BtfEncodedType {
  const { name, sizeOrType: n } = c;
  switch (kind) {
    case BtfKind.INT: {
      requireNoVlen(c);
      requireNoKflag(c);
      const word = u32At(c, 0);
      if ((word & 0xf0ff00) !== 0) throw new BtfError(`BTF: ${c.label}: reserved bits of the INT word are set`);
      return { kind: 'INT', name, size: n, encoding: (word >>> 24) & 0xf, bitsOffset: (word >>> 16) & 0xff, bits: word & 0xff };
    }
    case BtfKind.PTR:
    case BtfKind.TYPEDEF:
    case BtfKind.VOLATILE:
    case BtfKind.CONST:
    case BtfKind.RESTRICT:
    case BtfKind.TYPE_TAG:
      requireNoVlen(c);
      requireNoKflag(c);
      return { kind: btfKindName(kind) as 'PTR', name, type: n };
    case BtfKind.ARRAY:
      requireNoVlen(c);
      requireNoKflag(c);
      if (n !== 0) throw new BtfError(`BTF: ${c.label}: size_type must be 0`);
      return { kind: 'ARRAY', name, type: u32At(c, 0), indexType: u32At(c, 4), nelems: u32At(c, 8) };
    case BtfKind.STRUCT:
    case BtfKind.UNION:
      return { kind: kind === BtfKind.STRUCT ? 'STRUCT' : 'UNION', name, size: n, kflag: c.kflag, members: readMembers(c) };
    case BtfKind.ENUM: {
      const values = Array.from({ length: c.vlen }, (_, i) => ({
        name: btfStringAt(c.strings, u32At(c, i * 8), `BTF: ${c.label} value #${i}`),
        value: c.kflag ? i32At(c, i * 8 + 4) : u32At(c, i * 8 + 4),
      }));
      return { kind: 'ENUM', name, size: n, signed: c.kflag, values };
    }
    case BtfKind.ENUM64: {
      const values = Array.from({ length: c.vlen }, (_, i) => {
        const raw = (BigInt(u32At(c, i * 12 + 8)) << 32n) | BigInt(u32At(c, i * 12 + 4));
        return {
          name: btfStringAt(c.strings, u32At(c, i * 12), `BTF: ${c.label} value #${i}`),
          value: c.kflag ? BigInt.asIntN(64, raw) : raw,
        };
      });
      return { kind: 'ENUM64', name, size: n, signed: c.kflag, values };
    }
    case BtfKind.FWD:
      requireNoVlen(c);
      return { kind: 'FWD', name, union: c.kflag };
    case BtfKind.FUNC:
      requireNoKflag(c);
      if (c.vlen > BtfFuncLinkage.EXTERN) throw new BtfError(`BTF: ${c.label} '${name}': unknown linkage ${c.vlen}`);
      return { kind: 'FUNC', name, type: n, linkage: c.vlen as BtfFuncLinkage };
    case BtfKind.FUNC_PROTO: {
      requireNoKflag(c);
      const params = Array.from({ length: c.vlen }, (_, i) => ({
        name: btfStringAt(c.strings, u32At(c, i * 8), `BTF: ${c.label} param #${i}`),
        type: u32At(c, i * 8 + 4),
      }));
      return { kind: 'FUNC_PROTO', name, returnType: n, params };
    }
    case BtfKind.VAR: {
      requireNoVlen(c);
      requireNoKflag(c);
      const linkage = u32At(c, 0);
      if (linkage > BtfVarLinkage.GLOBAL_EXTERN) throw new BtfError(`BTF: ${c.label} '${name}': unknown linkage ${linkage}`);
      return { kind: 'VAR', name, type: n, linkage: linkage as BtfVarLinkage };
    }
    case BtfKind.DATASEC: {
      requireNoKflag(c);
      const vars = Array.from({ length: c.vlen }, (_, i) => ({
        type: u32At(c, i * 12),
        offset: u32At(c, i * 12 + 4),
        size: u32At(c, i * 12 + 8),
      }));
      return { kind: 'DATASEC', name, size: n, vars };
    }
    case BtfKind.FLOAT:
      requireNoVlen(c);
      requireNoKflag(c);
      return { kind: 'FLOAT', name, size: n };
    case BtfKind.DECL_TAG:
      requireNoVlen(c);
      requireNoKflag(c);
      return { kind: 'DECL_TAG', name, type: n, componentIdx: i32At(c, 0) };
    default:
      throw new BtfError(`BTF: ${c.label}: unknown kind ${kind}`);
  }
}

function readMembers(c: RecordContext): BtfMember[] {
  return Array.from({ length: c.vlen }, (_, i) => {
    const offset = u32At(c, i * 12 + 8);
    return {
      name: btfStringAt(c.strings, u32At(c, i * 12), `BTF: ${c.label} member #${i}`),
      type: u32At(c, i * 12 + 4),
      bitOffset: c.kflag ? offset & 0xffffff : offset,
      bitfieldSize: c.kflag ? offset >>> 24 : 0,
    };
  });
}
