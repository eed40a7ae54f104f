/**
 * Pass 2 of the BTF verifier (btf_check_all_types), and pass-1 rules met by uapi's parser: the
 * whole blob goes through uapi's parseBtf (which runs validateBtf: every type id in range, FUNC to
 * FUNC_PROTO, sizes, bitfields, no loops), and a failure is told the way the kernel tells it: the
 * record's log line with the kernel's reason ("Invalid member", "Loop detected"), after every
 * line the kernel would have logged before it (the records before it for a pass-1 rule, all of
 * them for a pass-2 rule). Then the kernel's own pass-2 rules: a DATASEC holds VARs only, and
 * FUNC_PROTO argument names are C identifiers.
 */
import { BtfError, BtfKind, type ParsedBtf, parseBtf } from '@bpfhive/uapi';
import { BtfCheckError } from './check-error.js';
import type { CheckedHeader } from './header.js';
import { memberLine, typeLine, vsiLine } from './log-format.js';
import type { MetaPass } from './meta.js';
import type { RawStrings, RawType } from './raw.js';

type Phase = 'meta' | 'resolve';

interface Rule {
  readonly match: RegExp;
  readonly phase: Phase;
  /** The reason printed; `$1` is the first group of `match` plus one (an argument number). */
  readonly reason: string;
  /** The line carries a member's or a section variable's fields; the first group is its index. */
  readonly on?: 'member' | 'var';
  readonly code?: string;
}

/** uapi's reasons (validate.ts, parse.ts) to the kernel's, first match wins. */
const RULES: readonly Rule[] = [
  { match: /^member #(\d+) '.*' type_id \d+ is out of range/, phase: 'resolve', reason: 'Invalid member', on: 'member' },
  { match: /^member #(\d+) '.*' type_id must not be void/, phase: 'meta', reason: 'Invalid type_id', on: 'member' },
  { match: /^member #(\d+) '.*' of a union has bit offset/, phase: 'meta', reason: 'Invalid member bits_offset', on: 'member' },
  { match: /^member #(\d+) '.*' at bit \d+ lies beyond/, phase: 'resolve', reason: 'Member exceeds struct_size', on: 'member' },
  { match: /^member #(\d+) '.*' has a bitfield size/, phase: 'resolve', reason: 'Invalid member bitfield_size', on: 'member' },
  { match: /^var #(\d+) type_id \d+ is a \w+, not a VAR/, phase: 'resolve', reason: 'Not a VAR kind member', on: 'var' },
  { match: /^var #(\d+) type_id/, phase: 'resolve', reason: 'Invalid type_id', on: 'var' },
  { match: /^var #(\d+) \[/, phase: 'meta', reason: 'Invalid offset+size', on: 'var' },
  { match: /^element type_id/, phase: 'resolve', reason: 'Invalid elem' },
  { match: /^index_type_id/, phase: 'resolve', reason: 'Invalid index' },
  { match: /^ret_type_id/, phase: 'resolve', reason: 'Invalid return type' },
  { match: /^param #(\d+)/, phase: 'resolve', reason: 'Invalid arg#$1' },
  { match: /^type_id \d+ is a \w*, not a FUNC_PROTO/, phase: 'resolve', reason: 'Invalid type_id' },
  { match: /^type_id must not be void/, phase: 'meta', reason: 'Invalid type_id' },
  { match: /^type_id/, phase: 'resolve', reason: 'Invalid type_id' },
  { match: /must not have a name|needs a name|has no name/, phase: 'meta', reason: 'Invalid name' },
  { match: /^size \d+ is not 1, 2, 4 or 8/, phase: 'meta', reason: 'Unexpected size' },
  { match: /^size \d+ is not/, phase: 'meta', reason: 'Invalid type_size' },
  { match: /^nr_bits \d+ exceeds 128/, phase: 'meta', reason: 'nr_bits exceeds 128' },
  { match: /^bits_offset/, phase: 'meta', reason: 'nr_bits exceeds type_size' },
  { match: /^encoding/, phase: 'meta', reason: 'Unsupported encoding', code: 'ENOTSUPP' },
  { match: /^component_idx -?\d+ is below/, phase: 'meta', reason: 'Invalid component_idx' },
  { match: /^component_idx/, phase: 'resolve', reason: 'Invalid component_idx' },
  { match: /^vlen must be 0/, phase: 'meta', reason: 'vlen != 0' },
  { match: /^kind_flag must be 0/, phase: 'meta', reason: 'Invalid btf_info kind_flag' },
  { match: /^reserved bits of the INT word/, phase: 'meta', reason: 'Invalid int_data' },
  { match: /^size_type must be 0/, phase: 'meta', reason: 'size != 0' },
  { match: /^unknown linkage/, phase: 'meta', reason: 'Invalid func linkage' },
];

const TYPE_MESSAGE = /^BTF: \[(\d+)\] [A-Z0-9_]+(?: '[^']*')?: (.*)$/s;
const LOOP_MESSAGE = /^BTF: loop in type chain: \[(\d+)\]/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses and validates the blob with uapi, then applies the kernel's own pass-2 rules. */
export function checkTypes(bytes: Uint8Array, header: CheckedHeader, meta: MetaPass, names: RawStrings): ParsedBtf {
  let btf: ParsedBtf;
  try {
    btf = parseBtf(bytes);
  } catch (e) {
    if (e instanceof BtfError) throw kernelStyle(e, header, meta, names);
    throw e;
  }
  for (const t of meta.types) {
    if (t === undefined) continue;
    const fault = kernelResolveFault(t, btf, names);
    if (fault) throw failure('EINVAL', `load BTF: [${t.id}] ${btf.types[t.id]!.kind} '${btf.types[t.id]!.name}': ${fault.why}`, 'resolve', t.id, header, meta, fault.lines);
  }
  return btf;
}

function failure(code: string, message: string, phase: Phase, id: number, header: CheckedHeader, meta: MetaPass, lines: readonly string[]): BtfCheckError {
  const upTo = phase === 'meta' ? id : meta.lines.length;
  return new BtfCheckError(code, message, [...header.lines, ...meta.lines.slice(1, upTo).flat()], lines);
}

/** A uapi BtfError as the kernel's log would put it. */
function kernelStyle(e: BtfError, header: CheckedHeader, meta: MetaPass, names: RawStrings): BtfCheckError {
  const message = `load BTF: ${e.message.replace(/^BTF: /, '')}`;
  const loop = LOOP_MESSAGE.exec(e.message);
  const typed = TYPE_MESSAGE.exec(e.message);
  const id = Number(loop?.[1] ?? typed?.[1] ?? NaN);
  const t = meta.types[id];
  if (t === undefined) return new BtfCheckError(e.code, message, header.lines, [e.message.replace(/^BTF: /, '')]);
  if (loop) return failure('EEXIST', message, 'resolve', id, header, meta, [typeLine(t, names, 'Loop detected')]);
  const detail = typed![2]!;
  const rule = RULES.find((r) => r.match.test(detail));
  if (rule === undefined) return failure(e.code, message, 'meta', id, header, meta, [typeLine(t, names, detail)]);
  const index = Number(rule.match.exec(detail)?.[1] ?? 0);
  const reason = rule.reason.replace('$1', String(index + 1));
  const lines =
    rule.on === 'member'
      ? [typeLine(t, names), memberLine(t, index, names, reason)]
      : rule.on === 'var'
        ? [typeLine(t, names), vsiLine(t, index, reason)]
        : [typeLine(t, names, reason)];
  return failure(rule.code ?? e.code, message, rule.phase, id, header, meta, lines);
}

function kernelResolveFault(t: RawType, btf: ParsedBtf, names: RawStrings): { why: string; lines: string[] } | undefined {
  if (t.kind === BtfKind.DATASEC) {
    for (let i = 0; i < t.vlen; i++) {
      const target = btf.types[t.extra[3 * i]!];
      if (target?.kind !== 'VAR') {
        return { why: `var #${i} is a ${target?.kind} (libbpf turns extern functions into int VARs before loading)`, lines: [typeLine(t, names), vsiLine(t, i, 'Not a VAR kind member')] };
      }
    }
  }
  if (t.kind === BtfKind.FUNC_PROTO) {
    for (let i = 0; i < t.vlen; i++) {
      const nameOff = t.extra[2 * i]!;
      if (nameOff !== 0 && !IDENTIFIER.test(names.at(nameOff))) return { why: `param #${i}: the name is not a C identifier`, lines: [typeLine(t, names, `Invalid arg#${i + 1}`)] };
    }
  }
  return undefined;
}
