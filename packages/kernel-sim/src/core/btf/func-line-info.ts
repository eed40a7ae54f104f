/**
 * BPF_PROG_LOAD's func_info and line_info (struct bpf_func_info, struct bpf_line_info), checked
 * against the program's own BTF and its instructions as check_btf_func_early, check_btf_func and
 * check_btf_line check them, and turned into what the verifier takes: each function's FUNC and
 * name, each line's file and source text.
 */
import {
  BpfError, CALL, type FuncProtoInfo, type Instruction, LD_IMM64, type ParsedBtf, PseudoCall, PseudoLdImm64, btfFuncProto, btfStringAt, slotIndex,
} from '@bpfhive/uapi';
import { ProgramRejectedError } from '../load/rejection.js';

/** The records as BPF_PROG_LOAD takes them: the bytes, the size of one record, and how many. */
export interface InfoRecords {
  readonly bytes: Uint8Array;
  readonly recSize: number;
  /** Absent: bytes.length / recSize. */
  readonly count?: number;
}

/** A function of the program, for the verifier (its func_info). */
export interface FuncInfoEntry {
  /** Slot of the function's first instruction. */
  readonly insn_off: number;
  /** The FUNC in the program's BTF. */
  readonly type_id: number;
  readonly name: string;
  /** The FUNC's linkage and prototype: the verifier checks global functions against it. */
  readonly linkage?: FuncProtoInfo['linkage'];
  readonly proto?: FuncProtoInfo['proto'];
}

/** A source line, for the verifier's log (its line_info). */
export interface LineInfoEntry {
  readonly insn_off: number;
  readonly file_name: string;
  readonly line: string;
  readonly line_num: number;
  readonly line_col: number;
}

/** sizeof(struct bpf_func_info) and the kernel's bounds on func_info_rec_size. */
export const FUNC_INFO_SIZE = 8;
const MAX_FUNCINFO_REC_SIZE = 252;
/** sizeof(struct bpf_line_info) and the kernel's bounds on line_info_rec_size. */
export const LINE_INFO_SIZE = 16;
const MAX_LINEINFO_REC_SIZE = 255;

/** A refusal the kernel also logs (the verifier log carries `line`). */
const reject = (code: string, line: string): ProgramRejectedError => new ProgramRejectedError(code, `load program: ${line}`, `${line}\n`);

/**
 * Slots where the program's functions start: 0, and every target of a bpf-to-bpf call or a
 * BPF_PSEUDO_FUNC load (the verifier's add_subprog_and_kfunc), in order.
 */
export function subprogStarts(insns: readonly Instruction[]): number[] {
  const slots = slotIndex(insns);
  const starts = new Set<number>([0]);
  insns.forEach((insn, i) => {
    const local = (insn.opcode === CALL && insn.src === PseudoCall.LOCAL) || (insn.opcode === LD_IMM64 && insn.src === PseudoLdImm64.FUNC);
    if (local) starts.add(slots[i]! + insn.imm + 1);
  });
  return [...starts].sort((a, b) => a - b);
}

/** Little-endian u32 words of each record, with the kernel's size checks; `what` names the field. */
function records(info: InfoRecords, min: number, max: number, what: 'func info' | 'line_info'): Uint32Array[] {
  const { bytes, recSize } = info;
  if (!Number.isInteger(recSize) || recSize < min || recSize > max || recSize % 4 !== 0) {
    // The kernel logs this for func info only.
    const line = `invalid ${what} rec size ${recSize}`;
    const detail = ` (${min} to ${max}, a multiple of 4)`;
    if (what === 'func info') throw new ProgramRejectedError('EINVAL', `load program: ${line}${detail}`, `${line}\n`);
    throw new BpfError('EINVAL', `load program: ${line}${detail}`);
  }
  const count = info.count ?? bytes.length / recSize;
  if (!Number.isInteger(count) || count * recSize !== bytes.length) {
    throw new BpfError('EINVAL', `load program: ${what}: ${bytes.length} bytes are not ${info.count ?? 'a whole number of'} records of ${recSize} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint32Array[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * recSize;
    for (let b = at + min; b < at + recSize; b++) {
      if (bytes[b] !== 0) throw reject('E2BIG', `nonzero tailing record in ${what}`);
    }
    out.push(Uint32Array.from({ length: min / 4 }, (_, w) => view.getUint32(at + w * 4, true)));
  }
  return out;
}

/**
 * func_info: one record per function, by increasing instruction, the first at 0, each naming a
 * FUNC of `btf` and starting where a function starts. EINVAL (with the kernel's log line) for a
 * bad record size, order, type or layout; E2BIG for a record longer than struct bpf_func_info
 * whose tail is not zero.
 */
export function checkFuncInfo(info: InfoRecords, btf: ParsedBtf, insns: readonly Instruction[]): FuncInfoEntry[] {
  const out: FuncInfoEntry[] = [];
  for (const [i, [insnOff, typeId]] of records(info, FUNC_INFO_SIZE, MAX_FUNCINFO_REC_SIZE, 'func info').entries()) {
    if (i === 0 && insnOff !== 0) throw reject('EINVAL', `nonzero insn_off ${insnOff} for the first func info record`);
    if (i > 0 && insnOff! <= out[i - 1]!.insn_off) throw reject('EINVAL', `same or smaller insn offset (${insnOff}) than previous func info record (${out[i - 1]!.insn_off})`);
    const t = btf.types[typeId!];
    if (t === undefined || typeId === 0 || t.kind !== 'FUNC') throw reject('EINVAL', `invalid type id ${typeId}`);
    const proto = btfFuncProto(btf, typeId!);
    out.push({ insn_off: insnOff!, type_id: typeId!, name: t.name, ...(proto && { linkage: proto.linkage, proto: proto.proto }) });
  }
  const starts = subprogStarts(insns);
  if (out.length !== starts.length) throw reject('EINVAL', `number of funcs in func_info doesn't match number of subprogs (${out.length} records, ${starts.length} functions)`);
  const wrong = out.findIndex((f, i) => f.insn_off !== starts[i]);
  if (wrong >= 0) throw reject('EINVAL', "func_info BTF section doesn't match subprog layout in BPF program");
  return out;
}

/**
 * line_info: records by increasing instruction, each inside the program on an instruction's
 * first slot, naming strings of `btf`, and every function's first instruction among them.
 * EINVAL with the kernel's log line otherwise; E2BIG for a nonzero record tail.
 */
export function checkLineInfo(info: InfoRecords, btf: ParsedBtf, insns: readonly Instruction[]): LineInfoEntry[] {
  const slots = slotIndex(insns);
  const len = slots.at(-1)!;
  const firstSlots = new Set(slots.slice(0, -1));
  const starts = subprogStarts(insns);
  const out: LineInfoEntry[] = [];
  let s = 0;
  let prev = 0;
  for (const [i, [insnOff, fileNameOff, lineOff, lineCol]] of records(info, LINE_INFO_SIZE, MAX_LINEINFO_REC_SIZE, 'line_info').entries()) {
    if ((i > 0 && insnOff! <= prev) || insnOff! >= len) throw reject('EINVAL', `Invalid line_info[${i}].insn_off:${insnOff} (prev_offset:${prev} prog->len:${len})`);
    if (!firstSlots.has(insnOff!)) throw reject('EINVAL', `Invalid insn code at line_info[${i}].insn_off`);
    const file = stringAt(btf, fileNameOff!);
    const line = stringAt(btf, lineOff!);
    if (file === undefined || line === undefined) throw reject('EINVAL', `Invalid line_info[${i}].line_off or .file_name_off`);
    if (s < starts.length) {
      if (insnOff === starts[s]) s++;
      else if (starts[s]! < insnOff!) throw reject('EINVAL', `missing bpf_line_info for func#${s}`);
    }
    out.push({ insn_off: insnOff!, file_name: file, line, line_num: lineCol! >>> 10, line_col: lineCol! & 0x3ff });
    prev = insnOff!;
  }
  if (out.length > 0 && s !== starts.length) throw reject('EINVAL', `missing bpf_line_info for ${starts.length - s} funcs starting from func#${s}`);
  return out;
}

/** The string at `offset` of the BTF's string table, or undefined when it is outside it. */
function stringAt(btf: ParsedBtf, offset: number): string | undefined {
  try {
    return btfStringAt(btf.strings, offset, 'line_info');
  } catch {
    return undefined;
  }
}
