import { AttachType, LinkType, ProgType } from '@bpfhive/uapi';
import type { LoadedProgram } from '../programs/program.js';
import type { AttachTargets, LinkCreateAttr } from './attr.js';
import { type AttachContext, type AttachFunction, type Attachment, cookieOf, linkError, noFlags } from './attachment.js';
import { BPF_F_KPROBE_MULTI_RETURN } from './flags.js';
import { HookKeys } from './hook-points.js';
import type { ProbedFunction } from './link.js';

/**
 * The tracing kinds. Linux attaches tracepoints and kprobes through a perf event's fd; bpfhive has
 * no perf_event_open, so `target_name` names the event and `retprobe` says kretprobe. Unknown
 * tracepoints, raw tracepoints and functions are ENOENT, as tracefs and kallsyms would answer.
 */

function required(name: string | undefined, what: string): string {
  if (!name) throw linkError('EINVAL', `target_name must name the ${what}`);
  return name;
}

function kernelFunction(targets: AttachTargets, name: string, cookie: bigint): ProbedFunction {
  const address = targets.kernelFunction(name);
  if (address === undefined) throw linkError('ENOENT', `no kernel function '${name}' (kallsyms)`);
  return { name, address, cookie };
}

/** TRACEPOINT programs on `category/name` (or `category:name`), KPROBE programs on a function (bpf_perf_link_attach). */
export const attachPerfEvent: AttachFunction = (context, program, attr) => {
  const { targets } = context;
  noFlags(attr, 'perf_event');
  const cookie = cookieOf(attr.perf_event?.bpf_cookie);
  if (program.type === ProgType.KPROBE) {
    const func = kernelFunction(targets, required(attr.target_name, 'kernel function to probe'), cookie);
    const retprobe = attr.retprobe ?? false;
    return { type: LinkType.PERF_EVENT, target: { kind: 'kprobe', func, retprobe }, places: [{ point: HookKeys.kprobe(func.name, retprobe) }] };
  }
  if (attr.retprobe) throw linkError('EINVAL', 'retprobe is for kprobes');
  if (program.type === ProgType.PERF_EVENT) return attachSampling(context, attr);
  const [category, name, ...rest] = required(attr.target_name, 'tracepoint as category/name').split(/[:/]/);
  if (!category || !name || rest.length > 0) throw linkError('EINVAL', `target_name '${attr.target_name}' is not category/name`);
  if (!targets.tracepoint(category, name)) throw linkError('ENOENT', `no tracepoint ${category}/${name}`);
  return { type: LinkType.PERF_EVENT, target: { kind: 'tracepoint', category, name, cookie }, places: [{ point: HookKeys.tracepoint(category, name) }] };
};

/**
 * A PERF_EVENT program on a sampling perf event (target_fd: perf_event_open's id, as Linux takes
 * its fd): EBADF for no such event, EINVAL for one that does not sample (a BPF output event), EEXIST
 * when the event has a program already (perf_event_set_bpf_prog).
 */
function attachSampling({ targets, points }: AttachContext, attr: LinkCreateAttr): Attachment {
  const id = attr.target_fd ?? 0;
  if (attr.target_name !== undefined) throw linkError('EINVAL', 'a perf_event program attaches to a perf event by its id (target_fd), not by target_name');
  const event = targets.samplingEvent?.(id);
  if (!event) throw linkError(targets.perfEventExists?.(id) ? 'EINVAL' : 'EBADF', `target_fd ${id} is not a sampling perf event (perf_event_open a cpu-clock event with sample_period, or freq and sample_freq)`);
  if (points.list(HookKeys.perfEvent(id)).length > 0) throw linkError('EEXIST', `perf event ${id} has a program already`);
  return { type: LinkType.PERF_EVENT, target: { kind: 'perf_event', event, cookie: cookieOf(attr.perf_event?.bpf_cookie) }, places: [{ point: HookKeys.perfEvent(id) }] };
}

/** KPROBE programs loaded for trace_kprobe_multi on several functions (bpf_kprobe_multi_link_attach). */
export const attachKprobeMulti: AttachFunction = ({ targets }, program, attr) => {
  noFlags(attr, 'kprobe_multi');
  if (program.expectedAttachType !== AttachType.TRACE_KPROBE_MULTI) throw linkError('EINVAL', 'the program was not loaded with expected_attach_type trace_kprobe_multi');
  const multi = attr.kprobe_multi;
  const syms = multi?.syms ?? [];
  if (syms.length === 0) throw linkError('EINVAL', 'kprobe_multi.syms must name at least one function');
  const flags = multi?.flags ?? 0;
  if ((flags & ~BPF_F_KPROBE_MULTI_RETURN) !== 0) throw linkError('EINVAL', `kprobe_multi.flags 0x${flags.toString(16)} has unknown bits`);
  if (multi?.cookies && multi.cookies.length !== syms.length) throw linkError('EINVAL', 'kprobe_multi.cookies must have one cookie per symbol');
  if (new Set(syms).size !== syms.length) throw linkError('EINVAL', 'kprobe_multi.syms names a function twice');
  const funcs = syms.map((name, i) => kernelFunction(targets, name, cookieOf(multi?.cookies?.[i])));
  const retprobe = (flags & BPF_F_KPROBE_MULTI_RETURN) !== 0;
  return { type: LinkType.KPROBE_MULTI, target: { kind: 'kprobe_multi', funcs, retprobe }, places: funcs.map((f) => ({ point: HookKeys.kprobe(f.name, retprobe) })) };
};

/** A raw tracepoint by name: RAW_TRACEPOINT programs, and TRACING programs loaded as tp_btf (bpf_raw_tp_link_attach). */
export const attachRawTracepoint: AttachFunction = ({ targets }, program, attr) => {
  noFlags(attr, 'raw tracepoint');
  const loaded = program.btf.attachTo;
  if (loaded && attr.target_name && attr.target_name !== loaded) throw linkError('EINVAL', `the program was loaded for tracepoint ${loaded} (attach_btf_id), not ${attr.target_name}`);
  const name = loaded || required(attr.target_name, 'raw tracepoint');
  if (!targets.rawTracepoint(name)) throw linkError('ENOENT', `no raw tracepoint '${name}'`);
  return { type: LinkType.RAW_TRACEPOINT, target: { kind: 'raw_tracepoint', name }, places: [{ point: HookKeys.rawTracepoint(name) }] };
};

/**
 * The function an fentry/fexit link attaches to: the one the program was loaded for
 * (attach_btf_id), which a BTF id or name in the link, if given, must match; for a program
 * loaded without one, the link's BTF id (target_btf_id or tracing.target_btf_id) or name.
 */
function tracedFunction(targets: AttachTargets, program: LoadedProgram, attr: LinkCreateAttr): { name: string; btfId: number } {
  const ids = [attr.target_btf_id, attr.tracing?.target_btf_id].filter((id): id is number => id !== undefined && id !== 0);
  if (ids.length === 2 && ids[0] !== ids[1]) throw linkError('EINVAL', 'target_btf_id and tracing.target_btf_id differ');
  const { attachTo, attachBtfId } = program.btf;
  if (attachTo) {
    if ((ids[0] !== undefined && ids[0] !== attachBtfId) || (attr.target_name && attr.target_name !== attachTo)) {
      throw linkError('EINVAL', `the program was loaded for ${attachTo} (attach_btf_id ${attachBtfId}); the link names another function`);
    }
    return { name: attachTo, btfId: attachBtfId };
  }
  if (ids[0] !== undefined) {
    const name = targets.btfFunction(ids[0]);
    if (!name) throw linkError('EINVAL', `BTF id ${ids[0]} is not a FUNC of the kernel BTF`);
    if (attr.target_name && attr.target_name !== name) throw linkError('EINVAL', `BTF id ${ids[0]} is ${name}, not ${attr.target_name}`);
    return { name, btfId: ids[0] };
  }
  const name = required(attr.target_name, 'kernel function (or give tracing.target_btf_id)');
  return { name, btfId: targets.btfFunctionId(name) };
}

/**
 * TRACING programs (bpf_tracing_prog_attach): link_create's attach type must be the program's
 * expected_attach_type (EINVAL); tp_btf goes to the raw tracepoint; fentry/fexit to the function
 * the program was loaded for (attach_btf_id; tracedFunction); fmod_ret,
 * iterators, LSM and attaching to another BPF program (target_fd) are EOPNOTSUPP here.
 */
export const attachTracing: AttachFunction = (context, program, attr, attachType) => {
  if (attachType !== program.expectedAttachType) throw linkError('EINVAL', 'a tracing program attaches only as its expected_attach_type');
  if (attachType === AttachType.TRACE_RAW_TP) return attachRawTracepoint(context, program, attr, attachType);
  if (attachType !== AttachType.TRACE_FENTRY && attachType !== AttachType.TRACE_FEXIT) throw linkError('EOPNOTSUPP', 'only fentry, fexit and tp_btf tracing programs are simulated');
  noFlags(attr, 'tracing');
  if (attr.target_fd) throw linkError('EOPNOTSUPP', 'attaching to another BPF program (target_fd) is not simulated');
  const { name, btfId } = tracedFunction(context.targets, program, attr);
  const func = kernelFunction(context.targets, name, cookieOf(attr.tracing?.cookie));
  const exit = attachType === AttachType.TRACE_FEXIT;
  return { type: LinkType.TRACING, target: { kind: 'tracing', func, btfId, exit }, places: [{ point: HookKeys.fentry(name, exit) }] };
};

/** The tracing kinds' attach function for a program of `type` (undefined for the others). */
export function tracingAttach(program: LoadedProgram, attachType: number): AttachFunction | undefined {
  switch (program.type) {
    case ProgType.TRACEPOINT:
    case ProgType.PERF_EVENT:
      return attachPerfEvent;
    case ProgType.KPROBE:
      if (attachType === AttachType.TRACE_KPROBE_MULTI) return attachKprobeMulti;
      if (attachType === AttachType.PERF_EVENT) return attachPerfEvent;
      return undefined;
    case ProgType.RAW_TRACEPOINT:
    case ProgType.RAW_TRACEPOINT_WRITABLE:
      return attachRawTracepoint;
    case ProgType.TRACING:
      return attachTracing;
    default:
      return undefined;
  }
}
