/**
 * `bpftool btf dump ... format raw`: one line per type, members on indented lines below it,
 * exactly as bpftool prints them:
 *
 *   [1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
 *   [2] STRUCT 'flow_key' size=16 vlen=2
 *   	'saddr' type_id=3 bits_offset=0
 */
import { BtfIntEncoding } from './kinds.js';
import type { Btf, BtfType } from './types.js';

const intEncoding = (encoding: number): string =>
  encoding === 0
    ? '(none)'
    : encoding === BtfIntEncoding.SIGNED
      ? 'SIGNED'
      : encoding === BtfIntEncoding.CHAR
        ? 'CHAR'
        : encoding === BtfIntEncoding.BOOL
          ? 'BOOL'
          : 'UNKN';

const FUNC_LINKAGE = ['static', 'global', 'extern'];
const VAR_LINKAGE = ['static', 'global', 'extern'];

const quoted = (name: string): string => `'${name === '' ? '(anon)' : name}'`;

/** The raw dump of every type (or of the ids given), lines joined with '\n', ending with one. */
export function dumpBtfRaw(btf: Btf, ids?: readonly number[]): string {
  const list = ids ?? Array.from({ length: btf.types.length - 1 }, (_, i) => i + 1);
  return list.map((id) => `${dumpBtfType(btf, id)}\n`).join('');
}

/** The dump of one type: its line and, for types with members, the member lines. */
export function dumpBtfType(btf: Btf, id: number): string {
  const t = btf.types[id];
  if (t === undefined || t.kind === 'VOID') return `[${id}] UNKNOWN '(anon)'`;
  return `[${id}] ${t.kind} ${quoted(t.name)}${details(btf, t)}`;
}

function details(btf: Btf, t: Exclude<BtfType, { kind: 'VOID' }>): string {
  switch (t.kind) {
    case 'INT':
      return ` size=${t.size} bits_offset=${t.bitsOffset} nr_bits=${t.bits} encoding=${intEncoding(t.encoding)}`;
    case 'PTR':
    case 'CONST':
    case 'VOLATILE':
    case 'RESTRICT':
    case 'TYPEDEF':
    case 'TYPE_TAG':
      return ` type_id=${t.type}`;
    case 'ARRAY':
      return ` type_id=${t.type} index_type_id=${t.indexType} nr_elems=${t.nelems}`;
    case 'STRUCT':
    case 'UNION':
      return (
        ` size=${t.size} vlen=${t.members.length}` +
        t.members
          .map(
            (m) =>
              `\n\t${quoted(m.name)} type_id=${m.type} bits_offset=${m.bitOffset}` +
              (m.bitfieldSize ? ` bitfield_size=${m.bitfieldSize}` : ''),
          )
          .join('')
      );
    case 'ENUM':
      return (
        ` encoding=${t.signed ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${t.values.length}` +
        t.values.map((v) => `\n\t${quoted(v.name)} val=${v.value}`).join('')
      );
    case 'ENUM64':
      return (
        ` encoding=${t.signed ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${t.values.length}` +
        t.values.map((v) => `\n\t${quoted(v.name)} val=${v.value}${t.signed ? 'LL' : 'ULL'}`).join('')
      );
    case 'FWD':
      return ` fwd_kind=${t.union ? 'union' : 'struct'}`;
    case 'FUNC':
      return ` type_id=${t.type} linkage=${FUNC_LINKAGE[t.linkage] ?? '(unknown)'}`;
    case 'FUNC_PROTO':
      return (
        ` ret_type_id=${t.returnType} vlen=${t.params.length}` +
        t.params.map((p) => `\n\t${quoted(p.name)} type_id=${p.type}`).join('')
      );
    case 'VAR':
      return ` type_id=${t.type}, linkage=${VAR_LINKAGE[t.linkage] ?? '(unknown)'}`;
    case 'DATASEC':
      return (
        ` size=${t.size} vlen=${t.vars.length}` +
        t.vars
          .map((v) => {
            const vt = btf.types[v.type];
            const what = vt === undefined ? '' : ` (${vt.kind === 'VOID' ? 'UNKNOWN' : vt.kind} ${quoted(vt.name)})`;
            return `\n\ttype_id=${v.type} offset=${v.offset} size=${v.size}${what}`;
          })
          .join('')
      );
    case 'FLOAT':
      return ` size=${t.size}`;
    case 'DECL_TAG':
      return ` type_id=${t.type} component_idx=${t.componentIdx}`;
  }
}
