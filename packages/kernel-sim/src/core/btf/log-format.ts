/**
 * The lines of the BTF verifier log, in kernel/bpf/btf.c's formats:
 *
 *     magic: 0xeb9f                                   btf_verifier_log_hdr
 *     [1] INT int size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
 *     [2] STRUCT flow size=8 vlen=2                   btf_verifier_log_type
 *     \tsrc type_id=1 bits_offset=0                   btf_verifier_log_member
 *     \tRED val=0                                     an enum value
 *     \t type_id=9 offset=0 size=4                    btf_verifier_log_vsi
 *
 * A reason, when there is one, ends the line: `[2] STRUCT flow size=8 vlen=2 Invalid name`.
 */
import { BtfKind } from '@bpfhive/uapi';
import { type RawHeader, type RawStrings, type RawType, kindLabel } from './raw.js';

export function headerLines(h: RawHeader, totalSize: number): string[] {
  return [
    `magic: 0x${h.magic.toString(16)}`,
    `version: ${h.version}`,
    `flags: 0x${h.flags.toString(16)}`,
    `hdr_len: ${h.hdrLen}`,
    `type_off: ${h.typeOff}`,
    `type_len: ${h.typeLen}`,
    `str_off: ${h.strOff}`,
    `str_len: ${h.strLen}`,
    `btf_total_size: ${totalSize}`,
  ];
}

const INT_ENCODINGS: Record<number, string> = { 0: '(none)', 1: 'SIGNED', 2: 'CHAR', 4: 'BOOL' };

/** The kind's log_details(). */
function details(t: RawType, names: RawStrings): string {
  const x = t.extra;
  switch (t.kind) {
    case BtfKind.INT: {
      const w = x[0]!;
      return `size=${t.sizeOrType} bits_offset=${(w >>> 16) & 0xff} nr_bits=${w & 0xff} encoding=${INT_ENCODINGS[(w >>> 24) & 0xf] ?? 'UNKN'}`;
    }
    case BtfKind.ARRAY:
      return `type_id=${x[0]} index_type_id=${x[1]} nr_elems=${x[2]}`;
    case BtfKind.STRUCT:
    case BtfKind.UNION:
    case BtfKind.ENUM:
    case BtfKind.ENUM64:
    case BtfKind.DATASEC:
      return `size=${t.sizeOrType} vlen=${t.vlen}`;
    case BtfKind.FWD:
      return t.kflag ? 'union' : 'struct';
    case BtfKind.FUNC_PROTO:
      return `return=${t.sizeOrType} args=(${protoArgs(t, names)})`;
    case BtfKind.VAR:
      return `type_id=${t.sizeOrType} linkage=${x[0]}`;
    case BtfKind.FLOAT:
      return `size=${t.sizeOrType}`;
    case BtfKind.DECL_TAG:
      return `type=${t.sizeOrType} component_idx=${x[0]! | 0}`;
    default:
      return `type_id=${t.sizeOrType}`;
  }
}

/** btf_func_proto_log(): `void`, `vararg`, or `1 a, 2 b, vararg`. */
function protoArgs(t: RawType, names: RawStrings): string {
  if (t.vlen === 0) return 'void';
  const args = Array.from({ length: t.vlen }, (_, i) => ({ name: t.extra[2 * i]!, type: t.extra[2 * i + 1]! }));
  if (args.length === 1 && args[0]!.type === 0) return 'vararg';
  return args.map((a, i) => (i === args.length - 1 && i > 0 && a.type === 0 ? 'vararg' : `${a.type} ${names.label(a.name)}`)).join(', ');
}

/** btf_verifier_log_type (with details) or, with `withDetails` false, btf_verifier_log_basic. */
export function typeLine(t: RawType, names: RawStrings, reason?: string, withDetails = true): string {
  const head = `[${t.id}] ${kindLabel(t.kind)} ${names.label(t.nameOff)}`;
  const body = withDetails ? ` ${details(t, names)}` : '';
  return reason ? `${head}${body} ${reason}` : `${head}${body}`;
}

/** Member `i` of a STRUCT or UNION. */
export function memberLine(t: RawType, i: number, names: RawStrings, reason?: string): string {
  const [name, type, offset] = [t.extra[3 * i]!, t.extra[3 * i + 1]!, t.extra[3 * i + 2]!];
  const where = t.kflag ? `bitfield_size=${offset >>> 24} bits_offset=${offset & 0xffffff}` : `bits_offset=${offset}`;
  const line = `\t${names.label(name)} type_id=${type} ${where}`;
  return reason ? `${line} ${reason}` : line;
}

/** Value `i` of an ENUM or ENUM64, signed when kind_flag says so. */
export function enumValueLine(t: RawType, i: number, names: RawStrings): string {
  if (t.kind === BtfKind.ENUM) {
    const raw = t.extra[2 * i + 1]!;
    return `\t${names.label(t.extra[2 * i]!)} val=${t.kflag ? raw | 0 : raw}`;
  }
  const value = (BigInt(t.extra[3 * i + 2]!) << 32n) | BigInt(t.extra[3 * i + 1]!);
  return `\t${names.label(t.extra[3 * i]!)} val=${t.kflag ? BigInt.asIntN(64, value) : value}`;
}

/** Variable `i` of a DATASEC. */
export function vsiLine(t: RawType, i: number, reason?: string): string {
  const line = `\t type_id=${t.extra[3 * i]} offset=${t.extra[3 * i + 1]} size=${t.extra[3 * i + 2]}`;
  return reason ? `${line} ${reason}` : line;
}

/** Every line check_meta logs for an accepted record: the type, then its members, values or variables. */
export function metaLines(t: RawType, names: RawStrings): string[] {
  const lines = [typeLine(t, names)];
  for (let i = 0; i < t.vlen; i++) {
    if (t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION) lines.push(memberLine(t, i, names));
    else if (t.kind === BtfKind.ENUM || t.kind === BtfKind.ENUM64) lines.push(enumValueLine(t, i, names));
    else if (t.kind === BtfKind.DATASEC) lines.push(vsiLine(t, i));
  }
  return lines;
}
