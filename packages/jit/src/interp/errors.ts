import { BpfError } from '@bpfhive/uapi';

/**
 * Errors of the interpreter.
 *
 * - ProgramError: the program cannot be prepared (invalid instruction, jump out of range, write to
 *   r10, unresolvable `lddw`). Thrown by the Interpreter constructor, errno EINVAL.
 * - MemoryFault: an access outside every region or a store into a read-only one, thrown by the
 *   AddressSpace itself (helpers see it too); the interpreter re-throws it as MemoryAccessError.
 * - ExecutionError and its subclasses: the run stopped; each names the instruction (`insnIndex`,
 *   counted in instructions, a `lddw` once) of the program running in the innermost frame.
 */

/** The program was rejected before it ran. */
export class ProgramError extends BpfError {
  constructor(
    /** Index of the offending instruction, or -1 for the program as a whole. */
    readonly insnIndex: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('EINVAL', `prepare: ${insnIndex >= 0 ? `instruction ${insnIndex}: ` : ''}${reason}`, options);
  }
}

/** What kind of access faulted: a load, a store, or the read-modify-write of an atomic. */
export type AccessKind = 'load' | 'store' | 'atomic';

/** An access the address space refused: outside every region, or a write to a read-only region. */
export class MemoryFault extends BpfError {
  constructor(
    /** 'out of bounds' or 'read-only'. */
    readonly reason: 'out of bounds' | 'read-only',
    readonly access: AccessKind,
    readonly address: bigint,
    readonly size: number,
    /** The address relative to the nearest region, e.g. `stack frame 0 + 520`. */
    readonly where: string,
  ) {
    super('EFAULT', `${reason}: ${size}-byte ${access} at 0x${address.toString(16)} (${where})`);
  }
}

/** The run stopped at an instruction. */
export class ExecutionError extends BpfError {
  constructor(
    /** Index of the instruction that stopped the run. */
    readonly insnIndex: number,
    /** What went wrong, without the location. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('EFAULT', `run: ${reason} at instruction ${insnIndex}`, options);
  }
}

/** A load, store or atomic touched memory it may not. */
export class MemoryAccessError extends ExecutionError {
  constructor(
    insnIndex: number,
    readonly fault: MemoryFault,
  ) {
    super(insnIndex, fault.message, { cause: fault });
  }
}

/** The run executed more instructions than its step limit allows. */
export class StepLimitError extends ExecutionError {
  constructor(
    insnIndex: number,
    readonly maxSteps: number,
  ) {
    super(insnIndex, `step limit of ${maxSteps} instructions reached`);
  }
}

/** A bpf-to-bpf call would exceed the frame limit. */
export class CallDepthError extends ExecutionError {
  constructor(
    insnIndex: number,
    readonly maxFrames: number,
  ) {
    super(insnIndex, `call depth exceeded: at most ${maxFrames} frames`);
  }
}

/** A helper or kfunc call failed: unknown id, the function threw, or it returned no bigint. */
export class CallError extends ExecutionError {}
