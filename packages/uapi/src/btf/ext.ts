/**
 * `.BTF.ext`: per ELF section, the BTF function of each subprogram (func_info), the source
 * line of instructions (line_info) and the CO-RE relocations (core_relo). Names, file names,
 * source lines and access strings are offsets into the string table of the `.BTF` blob the
 * records belong to.
 *
 * Instruction offsets are kept as clang writes them: bytes from the start of the ELF section.
 */
import type { Endianness } from '../insn/codec.js';
import { isEnumvalReloKind, isFieldReloKind, isTypeReloKind, parseAccessString } from './core.js';
import { BtfError } from './errors.js';
import { BTF_MAGIC, BTF_VERSION } from './kinds.js';
import { btfEndianOf } from './parse.js';
import { btfStringAt } from './strings.js';
import type { Btf } from './types.js';

/** The header up to line_info; core_relo_off and core_relo_len follow when hdr_len allows. */
export const BTF_EXT_HEADER_MIN_SIZE = 24;
const BTF_EXT_HEADER_CORE_SIZE = 32;

/** `struct bpf_func_info`: insn_off, type_id. */
export interface BtfExtFuncInfo {
  /** Byte offset of the function's first instruction in its ELF section. */
  readonly insnOff: number;
  /** The FUNC type. */
  readonly typeId: number;
}

/** `struct bpf_line_info`, names resolved. */
export interface BtfExtLineInfo {
  readonly insnOff: number;
  readonly fileNameOff: number;
  readonly lineOff: number;
  readonly fileName: string;
  /** The text of the source line. */
  readonly line: string;
  readonly lineNum: number;
  readonly column: number;
}

/** `struct bpf_core_relo`, the access string resolved and split. */
export interface BtfExtCoreRelo {
  readonly insnOff: number;
  /** The root type in the object's own BTF. */
  readonly typeId: number;
  readonly accessStrOff: number;
  readonly accessStr: string;
  readonly access: readonly number[];
  /** CoreReloKind. */
  readonly kind: number;
}

/** The records of one ELF section. */
export interface BtfExtSection<R> {
  readonly section: string;
  readonly records: readonly R[];
}

export interface BtfExt {
  readonly endian: Endianness;
  readonly funcInfo: readonly BtfExtSection<BtfExtFuncInfo>[];
  readonly lineInfo: readonly BtfExtSection<BtfExtLineInfo>[];
  readonly coreRelos: readonly BtfExtSection<BtfExtCoreRelo>[];
  /** Record sizes as written (the kernel accepts larger records than it knows). */
  readonly funcInfoRecSize: number;
  readonly lineInfoRecSize: number;
  readonly coreReloRecSize: number;
}

interface Block {
  readonly what: string;
  readonly minRecSize: number;
}

const FUNC_INFO: Block = { what: 'func_info', minRecSize: 8 };
const LINE_INFO: Block = { what: 'line_info', minRecSize: 16 };
const CORE_RELO: Block = { what: 'core_relo', minRecSize: 16 };

/**
 * Parses `.BTF.ext` against the `.BTF` whose strings it names. Throws BtfError on a bad
 * magic or version, a block that reaches beyond the data, a record size too small or not a
 * multiple of 4, a section with no records, a string offset outside the table, or a CO-RE
 * record whose access string does not fit its kind.
 */
export function parseBtfExt(bytes: Uint8Array, btf: Btf): BtfExt {
  if (bytes.length < 8) throw new BtfError(`BTF.ext: ${bytes.length} bytes is too short for a header`);
  const endian = btfEndianOf(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (endian === undefined) {
    throw new BtfError(`BTF.ext: bad magic 0x${view.getUint16(0, true).toString(16).padStart(4, '0')} (expected 0x${BTF_MAGIC.toString(16)})`);
  }
  const le = endian === 'little';
  const version = view.getUint8(2);
  const flags = view.getUint8(3);
  const hdrLen = view.getUint32(4, le);
  if (version !== BTF_VERSION) throw new BtfError(`BTF.ext: unsupported version ${version}`);
  if (flags !== 0) throw new BtfError(`BTF.ext: unsupported flags 0x${flags.toString(16)}`);
  if (hdrLen < BTF_EXT_HEADER_MIN_SIZE || hdrLen > bytes.length) {
    throw new BtfError(`BTF.ext: header length ${hdrLen} is out of range (${BTF_EXT_HEADER_MIN_SIZE}..${bytes.length})`);
  }
  if (!btf.strings) throw new BtfError('BTF.ext: the BTF it refers to has no string table');
  const strings = btf.strings;
  const data = new DataView(bytes.buffer, bytes.byteOffset + hdrLen, bytes.byteLength - hdrLen);
  const u32 = (at: number): number => view.getUint32(at, le);
  const hasCore = hdrLen >= BTF_EXT_HEADER_CORE_SIZE;

  const func = readBlock(data, le, u32(8), u32(12), FUNC_INFO, btf, (rec) => ({ insnOff: rec(0), typeId: rec(4) }));
  const line = readBlock(data, le, u32(16), u32(20), LINE_INFO, btf, (rec, section) => {
    const fileNameOff = rec(4);
    const lineOff = rec(8);
    const lineCol = rec(12);
    return {
      insnOff: rec(0),
      fileNameOff,
      lineOff,
      fileName: btfStringAt(strings, fileNameOff, `BTF.ext: line_info of '${section}'`),
      line: btfStringAt(strings, lineOff, `BTF.ext: line_info of '${section}'`),
      lineNum: lineCol >>> 10,
      column: lineCol & 0x3ff,
    };
  });
  const core = hasCore
    ? readBlock(data, le, u32(24), u32(28), CORE_RELO, btf, (rec, section) => {
        const accessStrOff = rec(8);
        const accessStr = btfStringAt(strings, accessStrOff, `BTF.ext: core_relo of '${section}'`);
        const relo = { insnOff: rec(0), typeId: rec(4), accessStrOff, accessStr, access: parseAccessString(accessStr), kind: rec(12) };
        checkCoreRelo(relo, btf, section);
        return relo;
      })
    : { sections: [], recSize: 0 };
  return {
    endian,
    funcInfo: func.sections,
    lineInfo: line.sections,
    coreRelos: core.sections,
    funcInfoRecSize: func.recSize,
    lineInfoRecSize: line.recSize,
    coreReloRecSize: core.recSize,
  };
}

function checkCoreRelo(relo: BtfExtCoreRelo, btf: Btf, section: string): void {
  const where = `BTF.ext: core_relo of '${section}' at byte ${relo.insnOff}`;
  if (relo.typeId === 0 || relo.typeId >= btf.types.length) {
    throw new BtfError(`${where}: type id ${relo.typeId} is out of range (the last type is [${btf.types.length - 1}])`);
  }
  if (!isFieldReloKind(relo.kind) && !isTypeReloKind(relo.kind) && !isEnumvalReloKind(relo.kind)) {
    throw new BtfError(`${where}: unknown relocation kind ${relo.kind}`);
  }
  if (isTypeReloKind(relo.kind) && relo.accessStr !== '0') {
    throw new BtfError(`${where}: a type relocation needs access string "0", not '${relo.accessStr}'`);
  }
  if (isEnumvalReloKind(relo.kind) && relo.access.length !== 1) {
    throw new BtfError(`${where}: an enum value relocation needs one index, not '${relo.accessStr}'`);
  }
}

type RecordReader<R> = (rec: (at: number) => number, section: string) => R;

function readBlock<R>(
  data: DataView,
  le: boolean,
  off: number,
  len: number,
  block: Block,
  btf: Btf,
  read: RecordReader<R>,
): { sections: BtfExtSection<R>[]; recSize: number } {
  if (len === 0) return { sections: [], recSize: 0 };
  const where = `BTF.ext: ${block.what}`;
  if (off + len > data.byteLength) {
    throw new BtfError(`${where}: [${off}, ${off + len}) lies beyond the data (${data.byteLength} bytes after the header)`);
  }
  if (off % 4 !== 0) throw new BtfError(`${where}: offset ${off} is not 4-byte aligned`);
  if (len < 4) throw new BtfError(`${where}: ${len} bytes cannot hold the record size`);
  const end = off + len;
  const recSize = data.getUint32(off, le);
  if (recSize < block.minRecSize || recSize % 4 !== 0) {
    throw new BtfError(`${where}: record size ${recSize} is below ${block.minRecSize} or not a multiple of 4`);
  }
  const sections: BtfExtSection<R>[] = [];
  let at = off + 4;
  while (at < end) {
    if (at + 8 > end) throw new BtfError(`${where}: a section header at byte ${at} is truncated`);
    const nameOff = data.getUint32(at, le);
    const count = data.getUint32(at + 4, le);
    const section = btfStringAt(btf.strings!, nameOff, `${where}: section at byte ${at}`);
    if (count === 0) throw new BtfError(`${where}: section '${section}' has no records`);
    at += 8;
    if (at + count * recSize > end) {
      throw new BtfError(`${where}: section '${section}': ${count} records of ${recSize} bytes run past the block`);
    }
    const records: R[] = [];
    for (let i = 0; i < count; i++, at += recSize) {
      const base = at;
      records.push(read((field) => data.getUint32(base + field, le), section));
    }
    sections.push({ section, records });
  }
  return { sections, recSize };
}
