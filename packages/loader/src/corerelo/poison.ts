/**
 * When a poisoned instruction matters. A relocation without a target is optional as long as
 * its instruction is dead code (guarded by bpf_core_field_exists and the like); the verifier
 * decides, refusing a reachable `call 0xbad2310` with "invalid func unknown#195896080". Then
 * the relocation is mandatory, and the refusal is explained as libbpf explains it
 * (fixup_log_failed_core_relo): by the relocation, its program, instruction and type path.
 */
import { CoreRelocationError } from './errors.js';
import { CORE_POISON_IMM } from './patch.js';
import type { CoreProgramResult } from './relocator.js';

const POISON_REFUSED = new RegExp(`at instruction (\\d+): invalid func unknown#${CORE_POISON_IMM}\\b`);
const POISON_LOGGED = new RegExp(`^(\\d+): \\(85\\) call unknown#${CORE_POISON_IMM}$`, 'gm');
const POISON_INVALID = `invalid func unknown#${CORE_POISON_IMM}`;

/** What the verifier said when it refused a program. */
export interface Refusal {
  /** The instruction (slot) it stopped at, when known. */
  readonly insn?: number;
  /** Its message (or the kernel-sim's summary of it). */
  readonly message: string;
  readonly log?: string;
  /** The errno it refused with; the explanation keeps it. Default EINVAL. */
  readonly code?: string;
  /** The error that carried the refusal, kept as the explanation's cause. */
  readonly cause?: unknown;
}

/**
 * The instruction (slot) at which the verifier refused a poison call, read from what it said:
 * `insn` with the message `invalid func unknown#195896080` (the verifier library's error), the
 * kernel-sim's "… rejected the program at instruction N: invalid func unknown#195896080", or
 * the last `N: (85) call unknown#195896080` of a log that ends in that refusal. Undefined for
 * any other refusal.
 */
export function refusedPoisonSlot(refusal: Refusal): number | undefined {
  if (!refusal.message.includes(POISON_INVALID) && !(refusal.log ?? '').includes(POISON_INVALID)) return undefined;
  const stated = POISON_REFUSED.exec(refusal.message);
  if (stated) return Number(stated[1]);
  if (refusal.insn !== undefined && refusal.insn >= 0 && refusal.message.includes(POISON_INVALID)) return refusal.insn;
  const logged = [...(refusal.log ?? '').matchAll(POISON_LOGGED)];
  return logged.length > 0 ? Number(logged[logged.length - 1]![1]) : undefined;
}

/**
 * The CoreRelocationError for a refusal caused by reaching an instruction `relocated` poisoned,
 * or undefined when the refusal has another cause:
 *
 *   prog 'sample_cpu': relo #4: insn #64: kind <enumval_value> (11), spec is [59] enum
 *   task_state::TASK_INTERRUPTIBLE = 1: failed to find target candidate: …; the verifier
 *   reached the poisoned instruction
 */
export function explainPoisonedRejection(relocated: CoreProgramResult, refusal: Refusal): CoreRelocationError | undefined {
  const slot = refusedPoisonSlot(refusal);
  if (slot === undefined) return undefined;
  // A poisoned lddw spans two slots; the verifier stops at the first.
  const outcome = relocated.outcomes.find((o) => o.poisoned && o.site.insn === slot);
  if (!outcome) return undefined;
  const reason = `${outcome.reason}; the verifier reached the poisoned instruction`;
  return new CoreRelocationError(outcome.site, reason, refusal.code ?? 'EINVAL', { cause: refusal.cause });
}
