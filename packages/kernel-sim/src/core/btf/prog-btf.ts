/**
 * The BTF side of BPF_PROG_LOAD: the program's own BTF (prog_btf_fd, here `prog_btf_id`), which
 * the program holds while it lives, and the kernel type it attaches to (`attach_btf_id`, a type of
 * vmlinux), checked as bpf_prog_load_check_attach() and bpf_check_attach_target() check it.
 */
import { AttachType as A, BTF_MAX_TYPE, BpfError, type Instruction, ProgType as P, attachTypeName, progTypeName } from '@bpfhive/uapi';
import { type FuncProto, funcProto, tracepointProto } from '../../kbtf/func-proto.js';
import { ProgramRejectedError } from '../load/rejection.js';
import { type FuncInfoEntry, type InfoRecords, type LineInfoEntry, checkFuncInfo, checkLineInfo } from './func-line-info.js';
import { type BtfObject, type BtfTable, VMLINUX_BTF_ID } from './table.js';

export interface ProgBtfAttr {
  readonly progType: number;
  readonly expectedAttachType: number;
  /** prog_btf_id (bpfhive's id for prog_btf_fd); 0 or absent: none. */
  readonly progBtfId?: number;
  /** attach_btf_id: a type id of the kernel's BTF; 0 or absent: none. */
  readonly attachBtfId?: number;
  /** attach_btf_obj_id (attach_btf_obj_fd): the kernel BTF attachBtfId is in; 0 or absent: vmlinux. */
  readonly attachBtfObjId?: number;
  /** func_info and line_info records, checked against progBtfId's BTF and `insns`. */
  readonly funcInfo?: InfoRecords;
  readonly lineInfo?: InfoRecords;
  /** The instructions, for the func_info and line_info checks. */
  readonly insns?: readonly Instruction[];
  /** LSM programs need a GPL-compatible license. */
  readonly gplCompatible: boolean;
}

/** What a loaded program keeps of its BTF (bpf_prog_info.btf_id, attach_btf_id, attach_btf_obj_id). */
export interface ProgBtf {
  /** The program's own BTF object, which the program holds; 0 when none. */
  readonly btfId: number;
  /** The kernel type the program attaches to; 0 when none. */
  readonly attachBtfId: number;
  /** The BTF object attachBtfId is in: 1 (vmlinux), or 0 when none. */
  readonly attachBtfObjId: number;
  /** The kernel function (`tcp_v4_connect`) or raw tracepoint (`sched_switch`) attached to; '' when none. */
  readonly attachTo: string;
}

export const NO_PROG_BTF: ProgBtf = { btfId: 0, attachBtfId: 0, attachBtfObjId: 0, attachTo: '' };

/** What BPF_PROG_LOAD goes on with: the program's BTF, and for the verifier its functions, lines and attach prototype. */
export interface ResolvedProgBtf extends ProgBtf {
  readonly funcInfo: readonly FuncInfoEntry[];
  readonly lineInfo: readonly LineInfoEntry[];
  /** The kernel function's (for tp_btf the tracepoint's) prototype, when the program attaches to one. */
  readonly attachProto?: FuncProto;
}

/** Program types whose attach point is a BTF type (bpf_prog_load_check_attach). */
const BTF_ATTACHED = new Set<number>([P.TRACING, P.LSM, P.STRUCT_OPS, P.EXT]);

/** A refusal the kernel logs as `line`; `detail` adds to the message (not the log) what the type is. */
const reject = (code: string, line: string, detail = ''): ProgramRejectedError => new ProgramRejectedError(code, `load program: ${line}${detail}`, `${line}\n`);

/**
 * Checks a program's BTF attributes and takes a reference on its prog_btf_id object; release it
 * with releaseProgBtf when the load fails later or the program is freed. EINVAL (with a verifier
 * log line) for an attach_btf_id the program type does not take or that is not the right kind of
 * kernel type (a FUNC for fentry/fexit/fmod_ret/lsm/iter, a btf_trace_* typedef for tp_btf), and
 * for a tracing or LSM program without one; ENOTSUPP for struct_ops (the simulated kernel has
 * none); EBADF for a prog_btf_id naming no BTF object, EACCES for the kernel's BTF. A
 * prog_btf_id without func_info or line_info is ignored, as Linux ignores prog_btf_fd then.
 */
export function resolveProgBtf(table: BtfTable, attr: ProgBtfAttr): ResolvedProgBtf {
  const attach = attachTarget(table, attr);
  const btfId = attr.progBtfId ?? 0;
  const hasInfo = (attr.funcInfo?.bytes.length ?? 0) > 0 || (attr.lineInfo?.bytes.length ?? 0) > 0;
  // As check_btf_info: without func_info and line_info the program's BTF is not looked at at all
  // (not even checked), and the program holds none (bpf_prog_info.btf_id 0).
  if (!hasInfo) return { ...attach, btfId: 0, funcInfo: [], lineInfo: [] };
  if (btfId === 0) throw new BpfError('EBADF', 'load program: func_info and line_info need the BTF they refer to (prog_btf_id)');
  const object = table.find(btfId);
  if (object === undefined) throw new BpfError('EBADF', `load program: prog_btf_id ${btfId}: no such BTF object`);
  if (object.kernelBtf) throw new BpfError('EACCES', `load program: prog_btf_id ${btfId} is the kernel's BTF; a program carries BTF of its own`);
  const insns = attr.insns ?? [];
  const funcInfo = attr.funcInfo && attr.funcInfo.bytes.length > 0 ? checkFuncInfo(attr.funcInfo, object.btf, insns) : [];
  const lineInfo = attr.lineInfo && attr.lineInfo.bytes.length > 0 ? checkLineInfo(attr.lineInfo, object.btf, insns) : [];
  table.hold(btfId);
  return { ...attach, btfId, funcInfo, lineInfo };
}

/** Drops the program's reference on its BTF object, if it has one. */
export function releaseProgBtf(table: BtfTable, progBtf: ProgBtf): void {
  if (progBtf.btfId !== 0) table.put(progBtf.btfId);
}

function attachTarget(table: BtfTable, attr: ProgBtfAttr): Omit<ResolvedProgBtf, 'btfId' | 'funcInfo' | 'lineInfo'> {
  const id = attr.attachBtfId ?? 0;
  const kernel = attachBtfObject(table, attr.attachBtfObjId ?? 0, id);
  const typeName = progTypeName(attr.progType) ?? String(attr.progType);
  if (id !== 0 && (id > BTF_MAX_TYPE || !BTF_ATTACHED.has(attr.progType))) {
    throw new BpfError('EINVAL', `load program: a ${typeName} program takes no attach_btf_id (tracing, lsm, struct_ops and ext do)`);
  }
  if (!BTF_ATTACHED.has(attr.progType)) return { attachBtfId: 0, attachBtfObjId: 0, attachTo: '' };
  if (attr.progType === P.STRUCT_OPS) throw reject('ENOTSUPP', `attach_btf_id ${id} is not a supported struct`);
  if (id === 0) throw reject('EINVAL', 'Tracing programs must provide btf_id', ` (attach_btf_id: the kernel FUNC to attach to, or for tp_btf its btf_trace_<tracepoint> typedef)`);
  if (attr.progType === P.EXT) throw reject('EINVAL', 'Cannot replace kernel functions');
  const btf = kernel.btf;
  const t = btf.types[id];
  if (t === undefined) throw reject('EINVAL', `attach_btf_id ${id} is invalid`);
  if (t.name === '') throw reject('EINVAL', `attach_btf_id ${id} doesn't have a name`);
  const found = { attachBtfId: id, attachBtfObjId: kernel.id };
  const eat = attr.expectedAttachType;
  if (attr.progType === P.TRACING && eat === A.TRACE_RAW_TP) {
    if (t.kind !== 'TYPEDEF') throw reject('EINVAL', `attach_btf_id ${id} is not a typedef`, ` (it is ${t.kind} '${t.name}'; tp_btf programs name a btf_trace_<tracepoint> typedef)`);
    if (!t.name.startsWith('btf_trace_')) throw reject('EINVAL', `attach_btf_id ${id} points to wrong type name ${t.name}`);
    const ptr = btf.types[t.type];
    const proto = ptr?.kind === 'PTR' ? btf.types[ptr.type] : undefined;
    if (proto?.kind !== 'FUNC_PROTO') throw reject('EINVAL', `attach_btf_id ${id}: ${t.name} is not a pointer to a function prototype`);
    const attachTo = t.name.slice('btf_trace_'.length);
    return { ...found, attachTo, attachProto: tracepointProto(attachTo, btf) };
  }
  const kinds: readonly number[] = attr.progType === P.LSM ? [A.LSM_MAC, A.LSM_CGROUP] : [A.TRACE_FENTRY, A.TRACE_FEXIT, A.MODIFY_RETURN, A.TRACE_ITER];
  if (!kinds.includes(eat)) {
    throw reject('EINVAL', `a ${typeName} program cannot attach as ${attachTypeName(eat) ?? eat} (it takes ${kinds.map((k) => attachTypeName(k)).join(', ')}${attr.progType === P.TRACING ? ', trace_raw_tp' : ''})`);
  }
  if (t.kind !== 'FUNC') throw reject('EINVAL', `attach_btf_id ${id} is not a function`, ` (it is ${t.kind} '${t.name}' in ${kernel.name}'s BTF)`);
  const prefix = attr.progType === P.LSM ? 'bpf_lsm_' : eat === A.TRACE_ITER ? 'bpf_iter_' : '';
  if (!t.name.startsWith(prefix)) throw reject('EINVAL', `attach_btf_id ${id} points to wrong type name ${t.name}`);
  if (attr.progType === P.LSM && !attr.gplCompatible) throw reject('EINVAL', 'LSM programs must have a GPL compatible license');
  return { ...found, attachTo: t.name, attachProto: funcProto(t.name, btf) };
}

/**
 * The kernel BTF an attach_btf_id is in: vmlinux for 0; EINVAL for an object without an
 * attach_btf_id, EBADF for an id naming no BTF object, ENOTSUPP for a program's BTF (Linux
 * attaches only to kernel BTF through attach_btf_obj_fd).
 */
function attachBtfObject(table: BtfTable, objId: number, attachBtfId: number): BtfObject {
  if (objId === 0 || objId === VMLINUX_BTF_ID) {
    if (objId !== 0 && attachBtfId === 0) throw new BpfError('EINVAL', `load program: attach_btf_obj_id ${objId} without an attach_btf_id`);
    return table.vmlinux;
  }
  if (attachBtfId === 0) throw new BpfError('EINVAL', `load program: attach_btf_obj_id ${objId} without an attach_btf_id`);
  const object = table.find(objId);
  if (object === undefined) throw new BpfError('EBADF', `load program: attach_btf_obj_id ${objId}: no such BTF object`);
  if (!object.kernelBtf) throw new BpfError('ENOTSUPP', `load program: attach_btf_obj_id ${objId} is a program's BTF; programs attach to kernel BTF (vmlinux, id ${VMLINUX_BTF_ID})`);
  return object;
}
