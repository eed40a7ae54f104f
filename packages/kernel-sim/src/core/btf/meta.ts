/**
 * Pass 1 of the BTF verifier (btf_check_all_metas): walk the type section record by record,
 * check what can be checked of one record alone, and log each one as the kernel does. Besides
 * the framing (a record cut short, unknown info bits or kind, a name beyond the string section),
 * this pass holds the kernel's rules that uapi's validateBtf leaves to the kernel because
 * clang's raw output breaks them and libbpf fixes them before BPF_BTF_LOAD: names must be C
 * identifiers, struct members come in offset order, a VAR is static or global-allocated (not
 * extern), a DATASEC has a size and its variables lie inside it, in order.
 */
import { BtfKind, BtfVarLinkage, btfExtraSize } from '@bpfhive/uapi';
import { BtfCheckError } from './check-error.js';
import type { CheckedHeader } from './header.js';
import { enumValueLine, memberLine, metaLines, typeLine, vsiLine } from './log-format.js';
import { BTF_TYPE_LEN, type RawStrings, type RawType, kindLabel, u32At } from './raw.js';

/** BTF_INFO_MASK: vlen, kind (5 bits) and kind_flag. */
const BTF_INFO_MASK = 0x9f00ffff;
/** BTF_KIND_MAX. */
const BTF_KIND_MAX = BtfKind.ENUM64;
/** KSYM_NAME_LEN: the longest name the kernel takes. */
const KSYM_NAME_LEN = 512;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variable names may hold dots (clang names a function's static `x` in `f` as `f.x`). */
const VAR_NAME = /^[A-Za-z_.][A-Za-z0-9_.]*$/;
const SECTION_NAME = /^[\x21-\x7e]+$/;

export interface MetaPass {
  /** The records by id; [0] (void) is absent. */
  readonly types: readonly (RawType | undefined)[];
  /** What check_meta logged for each record, by id. */
  readonly lines: readonly (readonly string[])[];
}

/** What a kind check found wrong: the lines that say so (the last one carries the reason). */
interface MetaFault {
  readonly why: string;
  readonly failure: readonly string[];
}

export function checkMeta({ header, data, lines: headerLog }: CheckedHeader, names: RawStrings): MetaPass {
  const section = data.subarray(header.typeOff, header.typeOff + header.typeLen);
  const types: (RawType | undefined)[] = [undefined];
  const lines: string[][] = [[]];
  const logged = [...headerLog];
  const stop = (why: string, failure: readonly string[]): never => {
    throw new BtfCheckError('EINVAL', `load BTF: ${why}`, logged, failure);
  };
  for (let at = 0; at < section.length; ) {
    const id = types.length;
    const left = section.length - at;
    if (left < BTF_TYPE_LEN) stop(`type [${id}] is cut short: ${left} bytes left of ${BTF_TYPE_LEN}`, [`[${id}] meta_left:${left} meta_needed:${BTF_TYPE_LEN}`]);
    const info = u32At(section, at + 4);
    const kind = (info >>> 24) & 0x1f;
    const nameOff = u32At(section, at);
    if ((info & ~BTF_INFO_MASK) !== 0) stop(`type [${id}]: reserved bits of info 0x${hex(info)} are set`, [`[${id}] Invalid btf_info:${hex(info)}`]);
    if (kind > BTF_KIND_MAX || kind === BtfKind.UNKN) stop(`type [${id}]: unknown kind ${kind}`, [`[${id}] Invalid kind:${kind}`]);
    if (!names.valid(nameOff)) stop(`type [${id}]: name offset ${nameOff} is beyond the string section`, [`[${id}] Invalid name_offset:${nameOff}`]);
    const vlen = info & 0xffff;
    const words = btfExtraSize(kind, vlen)! / 4;
    const partial: RawType = { id, kind, kflag: info >>> 31 === 1, vlen, nameOff, sizeOrType: u32At(section, at + 8), extra: [] };
    const needed = words * 4;
    if (left - BTF_TYPE_LEN < needed) {
      stop(`[${id}] ${kindLabel(kind)}: its ${needed} bytes of data run past the type section`, [
        typeLine(partial, names, `meta_left:${left - BTF_TYPE_LEN} meta_needed:${needed}`, false),
      ]);
    }
    const extra = Array.from({ length: words }, (_, i) => u32At(section, at + BTF_TYPE_LEN + 4 * i));
    const t: RawType = { ...partial, extra };
    const fault = kernelMetaFault(t, names);
    if (fault) stop(`[${id}] ${kindLabel(kind)} '${names.at(nameOff)}': ${fault.why}`, fault.failure);
    const own = metaLines(t, names);
    types.push(t);
    lines.push(own);
    logged.push(...own);
    at += BTF_TYPE_LEN + needed;
  }
  return { types, lines };
}

const hex = (n: number): string => (n >>> 0).toString(16);

function nameIs(names: RawStrings, offset: number, pattern: RegExp): boolean {
  const name = names.at(offset);
  return name.length < KSYM_NAME_LEN && pattern.test(name);
}

/** The kernel's per-kind rules that uapi leaves out; undefined when the record passes them. */
function kernelMetaFault(t: RawType, names: RawStrings): MetaFault | undefined {
  const onType = (why: string, reason = 'Invalid name'): MetaFault => ({ why, failure: [typeLine(t, names, reason)] });
  switch (t.kind) {
    case BtfKind.TYPEDEF:
    case BtfKind.FWD:
    case BtfKind.FUNC:
      return t.nameOff !== 0 && !nameIs(names, t.nameOff, IDENTIFIER) ? onType('the name is not a C identifier') : undefined;
    case BtfKind.STRUCT:
    case BtfKind.UNION:
      if (t.nameOff !== 0 && !nameIs(names, t.nameOff, IDENTIFIER)) return onType('the name is not a C identifier');
      return memberFault(t, names);
    case BtfKind.ENUM:
    case BtfKind.ENUM64:
      if (t.nameOff !== 0 && !nameIs(names, t.nameOff, IDENTIFIER)) return onType('the name is not a C identifier');
      return enumFault(t, names);
    case BtfKind.VAR:
      if (t.nameOff !== 0 && !nameIs(names, t.nameOff, VAR_NAME)) return onType('the name is not a C identifier');
      if (t.extra[0] !== BtfVarLinkage.STATIC && t.extra[0] !== BtfVarLinkage.GLOBAL_ALLOCATED) {
        return onType(`linkage ${t.extra[0]} (extern) is not one the kernel loads; libbpf resolves externs first`, 'Linkage not supported');
      }
      return undefined;
    case BtfKind.DATASEC:
      return datasecFault(t, names);
    default:
      return undefined;
  }
}

function memberFault(t: RawType, names: RawStrings): MetaFault | undefined {
  const before = [typeLine(t, names)];
  let last = 0;
  for (let i = 0; i < t.vlen; i++) {
    const [nameOff, type, word] = [t.extra[3 * i]!, t.extra[3 * i + 1]!, t.extra[3 * i + 2]!];
    const offset = t.kflag ? word & 0xffffff : word;
    const fault = (why: string, reason: string): MetaFault => ({ why: `member #${i}: ${why}`, failure: [...before, memberLine(t, i, names, reason)] });
    if (!names.valid(nameOff)) return fault(`name offset ${nameOff} is beyond the string section`, `Invalid member name_offset:${nameOff}`);
    if (nameOff !== 0 && !nameIs(names, nameOff, IDENTIFIER)) return fault('the name is not a C identifier', 'Invalid name');
    if (type === 0) return fault('a member cannot be void', 'Invalid type_id');
    if (t.kind === BtfKind.STRUCT && offset < last) return fault(`bit offset ${offset} comes before the previous member's ${last}`, 'Invalid member bits_offset');
    before.push(memberLine(t, i, names));
    last = offset;
  }
  return undefined;
}

function enumFault(t: RawType, names: RawStrings): MetaFault | undefined {
  const before = [typeLine(t, names)];
  const stride = t.kind === BtfKind.ENUM ? 2 : 3;
  for (let i = 0; i < t.vlen; i++) {
    const nameOff = t.extra[stride * i]!;
    if (!names.valid(nameOff)) return { why: `value #${i}: name offset ${nameOff} is beyond the string section`, failure: [...before, `\tInvalid name_offset:${nameOff}`] };
    if (nameOff === 0 || !nameIs(names, nameOff, IDENTIFIER)) return { why: `value #${i} needs a C identifier for a name`, failure: [...before, typeLine(t, names, 'Invalid name')] };
    before.push(enumValueLine(t, i, names));
  }
  return undefined;
}

function datasecFault(t: RawType, names: RawStrings): MetaFault | undefined {
  if (t.sizeOrType === 0) return { why: 'size 0: libbpf sets a section size from the ELF before loading', failure: [typeLine(t, names, 'size == 0')] };
  if (t.kflag) return { why: 'kind_flag must be 0', failure: [typeLine(t, names, 'Invalid btf_info kind_flag')] };
  if (t.nameOff === 0 || !nameIs(names, t.nameOff, SECTION_NAME)) return { why: 'a section needs a printable name', failure: [typeLine(t, names, 'Invalid name')] };
  const before = [typeLine(t, names)];
  let end = 0;
  let sum = 0;
  for (let i = 0; i < t.vlen; i++) {
    const [type, offset, size] = [t.extra[3 * i]!, t.extra[3 * i + 1]!, t.extra[3 * i + 2]!];
    const fault = (why: string, reason: string): MetaFault => ({ why: `var #${i}: ${why}`, failure: [...before, vsiLine(t, i, reason)] });
    if (type === 0) return fault('a variable cannot be void', 'Invalid type_id');
    if (offset < end || offset >= t.sizeOrType) return fault(`offset ${offset} is before the previous variable's end ${end} or outside the ${t.sizeOrType}-byte section`, 'Invalid offset');
    if (size === 0 || size > t.sizeOrType) return fault(`size ${size} is 0 or larger than the section`, 'Invalid size');
    end = offset + size;
    if (end > t.sizeOrType) return fault(`[${offset}, ${end}) lies beyond the ${t.sizeOrType}-byte section`, 'Invalid offset+size');
    before.push(vsiLine(t, i));
    sum += size;
  }
  if (sum > t.sizeOrType) return { why: `its variables add up to ${sum} bytes, more than its size ${t.sizeOrType}`, failure: [typeLine(t, names, 'Invalid btf_info size')] };
  return undefined;
}
