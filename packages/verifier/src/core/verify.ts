/**
 * verify(program): the verifier's entry point, BPF_PROG_LOAD's bpf_check. Checks privileges and
 * size, validates instructions and map references, checks the control flow, explores every path,
 * checks the stack of every call chain, and returns the verdict with the kernel-format log, the
 * statistics and the facts later stages rely on. Never throws for a bad program.
 */
import { type Capability, InsnClass, type ProgTypeSpec, parseAttachType, progTypeSpec } from '@bpfhive/uapi';
import { markPointer } from './bounds.js';
import { checkCfg } from './cfg.js';
import { KernelTypes } from './kernel-btf.js';
import { doCheck } from './do-check.js';
import { Env, type Caps, type SubprogInfo } from './env.js';
import { VerifierError } from './errors.js';
import { verifyGlobalFuncs } from './global-func.js';
import { gplCompatible } from './helper-call.js';
import { COMPLEXITY_LIMIT_INSNS, MAXINSNS } from './limits.js';
import { LogLevel, VerifierLog } from './log.js';
import { type MapInfo, mapInfoOf } from './map-info.js';
import { RegType, baseType } from './reg-type.js';
import { toSlots } from './slots.js';
import { checkMaxStackDepth } from './stack-depth.js';
import { FuncState, VerifierState } from './state.js';
import { ProgFlag, type Errno, type VerifierProgram, type VerifyFacts, type VerifyResult } from './types.js';
import { InsnError, validateInsns } from './validate.js';

export function capsOf(privileges: Iterable<Capability>): Caps {
  const set = new Set(privileges);
  const admin = set.has('CAP_SYS_ADMIN');
  const perfmon = admin || set.has('CAP_PERFMON');
  return {
    privileges: set,
    bpfCapable: admin || set.has('CAP_BPF'),
    allowPtrLeaks: perfmon,
    bypassSpecV1: perfmon,
    allowUninitStack: perfmon,
  };
}

/** EPERM when the loader may not load this type at all (bpf_prog_load's capability checks). */
function checkLoadCapability(spec: ProgTypeSpec, caps: Caps): string | undefined {
  const has = (c: Capability): boolean => caps.privileges.has(c) || caps.privileges.has('CAP_SYS_ADMIN');
  if (!spec.unprivileged && !caps.bpfCapable) return `loading ${spec.name} programs needs CAP_BPF`;
  if (spec.capability && spec.capability !== 'CAP_BPF' && !has(spec.capability)) return `loading ${spec.name} programs needs ${spec.capability}`;
  return undefined;
}

/** Program types that may be loaded sleepable (BPF_F_SLEEPABLE): kprobe (uprobe), tracing, struct_ops, lsm, syscall. */
const SLEEPABLE_TYPES = new Set([2, 26, 27, 29, 31]);

/** The log_level bits the kernel knows (BPF_LOG_MASK). */
const LOG_MASK = LogLevel.LEVEL1 | LogLevel.LEVEL2 | LogLevel.STATS | LogLevel.FIXED;

interface Outcome {
  errno?: Errno;
  message?: string;
  insn: number;
}

export function verify(program: VerifierProgram): VerifyResult {
  const start = performance.now();
  const level = program.logLevel ?? 0;
  const log = new VerifierLog(level & LOG_MASK, program.logSize);
  const caps = capsOf(program.privileges);
  const slots = toSlots(program.insns);
  const maps = new Map<number, MapInfo>();
  for (const [id, spec] of program.maps) maps.set(id, mapInfoOf(id, spec));
  let env: Env | undefined;
  let mapIds = new Set<number>();
  let subprogs: SubprogInfo[] = [{ start: 0, end: slots.length, stackDepth: 0, hasTailCall: false, isCallback: false }];
  let outcome: Outcome = { insn: -1 };

  try {
    if (level & ~LOG_MASK) throw new VerifierError('EINVAL', `invalid log_level ${level}`);
    const spec = progTypeSpec(program.progType, program.expectedAttachType);
    if (!spec) throw new VerifierError('EINVAL', `unknown or unsupported program type ${String(program.progType)}`);
    const denied = checkLoadCapability(spec, caps);
    if (denied) throw new VerifierError('EPERM', denied);
    if (slots.length === 0) throw new VerifierError('EINVAL', 'the program has no instructions');
    if ((program.progFlags ?? 0) & ProgFlag.SLEEPABLE && !SLEEPABLE_TYPES.has(spec.progType)) {
      throw new VerifierError('EINVAL', 'Only fentry/fexit/fmod_ret, lsm, iter, uprobe, and struct_ops programs can be sleepable');
    }
    const maxInsns = caps.bpfCapable ? COMPLEXITY_LIMIT_INSNS : MAXINSNS;
    if (slots.length > maxInsns) throw new VerifierError('E2BIG', `program of ${slots.length} insns is larger than ${maxInsns}`);
    const kernel = new KernelTypes(program.kernelBtf);
    mapIds = validateInsns(slots, maps, spec.progType, kernel);
    const cfg = checkCfg(slots, caps.bpfCapable);
    const starts = cfg.subprogStarts;
    subprogs = starts.map((s, i) => ({ start: s, end: starts[i + 1] ?? slots.length, stackDepth: 0, hasTailCall: false, isCallback: false }));
    if (log.level2) subprogs.forEach((s, i) => log.write(`func#${i} @${s.start}\n`));
    const flags = program.progFlags ?? 0;
    env = new Env(slots, spec, maps, caps, log, cfg.aux, subprogs, {
      strictAlignment: (flags & ProgFlag.STRICT_ALIGNMENT) !== 0 && (flags & ProgFlag.ANY_ALIGNMENT) === 0,
      gplCompatible: gplCompatible(program.license),
      sleepable: (flags & ProgFlag.SLEEPABLE) !== 0,
      testStateFreq: (flags & ProgFlag.TEST_STATE_FREQ) !== 0,
      expectedAttachType: program.expectedAttachType === undefined ? undefined : parseAttachType(program.expectedAttachType),
      insnLimit: COMPLEXITY_LIMIT_INSNS,
      lineInfo: [...(program.lineInfo ?? [])].sort((a, b) => a.insn_off - b.insn_off),
      ...(program.attachFunc ? { attachFunc: program.attachFunc } : {}),
      ...(program.funcInfo ? { funcInfo: program.funcInfo } : {}),
      kernel,
    });
    env.cur = initialState();
    env.markAllScratched();
    doCheck(env);
    verifyGlobalFuncs(env, doCheck);
    checkMaxStackDepth(slots, subprogs);
  } catch (e) {
    if (e instanceof InsnError) outcome = { errno: e.errno, message: e.message, insn: e.insn };
    else if (e instanceof VerifierError) outcome = { errno: e.errno, message: e.message, insn: env ? env.insnIdx : -1 };
    else outcome = { errno: 'EFAULT', message: `verifier internal error: ${(e as Error).message}`, insn: env ? env.insnIdx : -1 };
    if (!(e instanceof VerifierError)) log.write(`${outcome.message}\n`);
  }

  const timeUsec = Math.round((performance.now() - start) * 1000);
  const line = outcome.errno && outcome.insn >= 0 && env ? lineText(env, outcome.insn) : undefined;
  if (outcome.errno && log.any) {
    const where = outcome.insn >= 0 ? ` at insn ${outcome.insn}${line ? ` (${line})` : ''}` : '';
    log.write(`verification failed${where}: ${outcome.message}\n`);
  }
  const stats = {
    processed_insns: env?.insnProcessed ?? 0,
    total_states: env?.totalStates ?? 0,
    peak_states: env?.peakStates ?? 0,
    max_states_per_insn: env?.maxStatesPerInsn ?? 0,
    mark_read: env?.longestMarkRead ?? 0,
    time_usec: timeUsec,
  };
  if (log.level & LogLevel.STATS) {
    log.write(`verification time ${timeUsec} usec\n`);
    log.write(`stack depth ${subprogs.map((s) => s.stackDepth).join('+')}\n`);
  }
  if (log.any) {
    log.write(`processed ${stats.processed_insns} insns (limit ${COMPLEXITY_LIMIT_INSNS}) max_states_per_insn ${stats.max_states_per_insn} total_states ${stats.total_states} peak_states ${stats.peak_states} mark_read ${stats.mark_read}\n`);
  }

  const text = log.toString();
  // bpf_vlog_finalize's ENOSPC replaces the verdict's errno, even an acceptance.
  const errno = log.truncated ? 'ENOSPC' : outcome.errno;
  const facts = factsOf(env, subprogs, mapIds, !errno);
  const result: VerifyResult = {
    verdict: errno ? 'reject' : 'accept',
    log: text,
    ...(log.any ? { logTrueSize: log.trueSize } : {}),
    stats,
    facts,
    ...(errno ? { errno } : {}),
    ...(outcome.errno ? { error: { insn: outcome.insn, message: outcome.message!, ...(line ? { line } : {}) } } : {}),
  };
  return result;

  function initialState(): VerifierState {
    const st = new VerifierState();
    const frame = FuncState.create(-1, 0, 0);
    markPointer(frame.regs[1]!, RegType.PTR_TO_CTX);
    st.frames.push(frame);
    return st;
  }
}

/**
 * The verdict for a program that could not even be read (e.g. a `lddw` missing its second slot):
 * rejected with `errno` before any check, logged as verify() logs.
 */
export function rejectUnreadable(logLevel: number, errno: Errno, message: string, insn: number, logSize?: number): VerifyResult {
  const log = new VerifierLog(logLevel & LOG_MASK, logSize);
  if (log.any) {
    log.write(`${message}\nverification failed${insn >= 0 ? ` at insn ${insn}` : ''}: ${message}\n`);
    log.write(`processed 0 insns (limit ${COMPLEXITY_LIMIT_INSNS}) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n`);
  }
  return {
    verdict: 'reject',
    errno: log.truncated ? 'ENOSPC' : errno,
    error: { insn, message },
    log: log.toString(),
    ...(log.any ? { logTrueSize: log.trueSize } : {}),
    stats: { processed_insns: 0, total_states: 0, peak_states: 0, max_states_per_insn: 0, mark_read: 0, time_usec: 0 },
    facts: { stackDepth: [0], subprogStarts: [0], helpersUsed: [], mapIdsUsed: [], usesTailCall: false },
  };
}

/** `file:line: text` of the line info covering `insn`. */
function lineText(env: Env, insn: number): string | undefined {
  const l = env.lineOf(insn);
  if (!l) return undefined;
  const where = l.file !== undefined || l.line_num !== undefined ? `${l.file ?? '?'}:${l.line_num ?? 0}` : '';
  const text = l.line?.trim();
  return [where, text].filter(Boolean).join(': ') || undefined;
}

function factsOf(env: Env | undefined, subprogs: readonly SubprogInfo[], mapIds: ReadonlySet<number>, accepted: boolean): VerifyFacts {
  const lookups: number[] = [];
  for (const [idx, seen] of env?.lookups ?? []) if (seen !== 'varied') lookups.push(idx);
  return {
    stackDepth: subprogs.map((s) => s.stackDepth),
    subprogStarts: subprogs.map((s) => s.start),
    helpersUsed: [...(env?.helpersUsed ?? [])].sort((a, b) => a - b),
    mapIdsUsed: [...mapIds].sort((a, b) => a - b),
    usesTailCall: env?.usesTailCall ?? false,
    ...(env && env.maxPktOffset >= 0 ? { maxPacketOffset: env.maxPktOffset } : {}),
    ...(lookups.length ? { constArrayLookups: lookups.sort((a, b) => a - b) } : {}),
    ...probeMemLoadsOf(env),
    ...(accepted ? deadInsnsOf(env) : {}),
  };
}

/** The slots no path reached (insn_aux_data.seen still 0): sanitize_dead_code's instructions. */
function deadInsnsOf(env: Env | undefined): Pick<VerifyFacts, 'deadInsns'> {
  if (!env) return {};
  const dead: number[] = [];
  env.seen.forEach((seen, slot) => {
    if (!seen) dead.push(slot);
  });
  return dead.length ? { deadInsns: dead } : {};
}

/** The loads whose pointer is PTR_TO_BTF_ID (convert_ctx_accesses makes them BPF_PROBE_MEM). */
function probeMemLoadsOf(env: Env | undefined): Pick<VerifyFacts, 'probeMemLoads'> {
  const loads: number[] = [];
  for (const [idx, type] of env?.ptrTypes ?? []) {
    if ((env!.insn(idx).opcode & 0x07) === InsnClass.LDX && baseType(type) === RegType.PTR_TO_BTF_ID) loads.push(idx);
  }
  return loads.length ? { probeMemLoads: loads.sort((a, b) => a - b) } : {};
}
