/**
 * Calls to weak kfuncs nothing resolved. relocate.ts poisons each as libbpf's poison_kfunc_call
 * does: a helper call to POISON_CALL_KFUNC_BASE + the extern's index, harmless as dead code (a
 * call guarded by bpf_ksym_exists()), refused by the verifier where it is reachable:
 *
 *   1: (85) call unknown#2002000000
 *   invalid func unknown#2002000000
 *
 * libbpf then rewrites those two log lines (fixup_log_missing_kfunc_call) to name the kfunc:
 *
 *   1: <invalid kfunc call>
 *   kfunc 'bpf_maybe_kfunc' is referenced but wasn't resolved
 *
 * explainUnresolvedKfunc finds such a refusal and gives both the rewritten log and a one-line
 * reason; anything else is left alone.
 */
import { BpfSyscallError, VerifierError } from '../client/index.js';
import type { ObjectSpec } from '../object/index.js';
import { UnresolvedKfuncError } from './errors.js';
import { POISON_CALL_KFUNC_BASE } from './relocate.js';

/** libbpf's POISON_CALL_KFUNC_PFX: the refusal lines it looks for start with it. */
const POISON_PREFIX = String(POISON_CALL_KFUNC_BASE).slice(0, 4);
const INVALID_FUNC = new RegExp(`invalid func unknown#(${POISON_PREFIX}\\d{6})\\b`);
const AT_INSTRUCTION = /at (?:instruction|insn) (\d+)/;

/** What the verifier said when it refused: its message, the instruction when known, its log. */
export interface KfuncRefusal {
  readonly message: string;
  readonly insn?: number;
  readonly log?: string;
}

/** A refusal explained by the unresolved kfunc whose poisoned call the verifier reached. */
export interface UnresolvedKfunc {
  /** The extern's name. */
  readonly kfunc: string;
  /** The instruction (slot) of the poisoned call, when the refusal says. */
  readonly insn: number | undefined;
  /** `kfunc 'NAME' is referenced but wasn't resolved (insn N)`. */
  readonly reason: string;
  /** The log with libbpf's rewrite of the refusal (undefined without a log). */
  readonly log: string | undefined;
}

/**
 * The unresolved kfunc behind `refusal`, or undefined when the verifier refused for another
 * reason (or the poison value names no kfunc extern of `externs`).
 */
export function explainUnresolvedKfunc(refusal: KfuncRefusal, externs: ObjectSpec['externs']): UnresolvedKfunc | undefined {
  const found = INVALID_FUNC.exec(refusal.message) ?? (refusal.log !== undefined ? INVALID_FUNC.exec(refusal.log) : null);
  if (!found) return undefined;
  const value = Number(found[1]);
  const ext = externs[value - POISON_CALL_KFUNC_BASE];
  if (!ext || ext.kind !== 'ksym' || !ext.ksym?.func) return undefined;
  const logged = refusal.log !== undefined ? new RegExp(`^(\\d+): \\(85\\) call unknown#${value}\\n`, 'm').exec(refusal.log) : null;
  const stated = AT_INSTRUCTION.exec(refusal.message);
  const insn = logged ? Number(logged[1]) : stated ? Number(stated[1]) : refusal.insn !== undefined && refusal.insn >= 0 ? refusal.insn : undefined;
  return {
    kfunc: ext.name,
    insn,
    reason: `kfunc '${ext.name}' is referenced but wasn't resolved${insn !== undefined ? ` (insn ${insn})` : ''}`,
    log: refusal.log !== undefined ? fixupLog(refusal.log, value, ext.name) : undefined,
  };
}

/** libbpf's rewrite: the poisoned call's line and the refusal line become two lines naming the kfunc. */
function fixupLog(log: string, value: number, kfunc: string): string {
  const pair = new RegExp(`^(\\d+): \\(85\\) call unknown#${value}\\ninvalid func unknown#${value}$`, 'm');
  return log.replace(pair, (_whole, insn: string) => `${insn}: <invalid kfunc call>\nkfunc '${kfunc}' is referenced but wasn't resolved`);
}

/** `e` as an UnresolvedKfuncError when it is the kernel's refusal of a poisoned kfunc call, else `e` itself. */
export function explainKfuncRefusal(e: unknown, externs: ObjectSpec['externs']): unknown {
  if (!(e instanceof BpfSyscallError)) return e;
  const found = explainUnresolvedKfunc({ message: e.message, ...(e instanceof VerifierError && { log: e.log }) }, externs);
  return found ? new UnresolvedKfuncError(found.kfunc, found.reason, found.log, e) : e;
}
