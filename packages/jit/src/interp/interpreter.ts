import type { Instruction } from '@bpfhive/uapi';
import type { PacketSource } from './hooks.js';
import { INPUT_BASE } from './layout.js';
import { DEFAULT_MAX_STEPS } from './limits.js';
import { Machine, type StepEvent } from './machine.js';
import { AddressSpace, type Region } from './memory.js';
import { PreparedProgram, type ProgramOptions } from './program.js';

export interface InterpreterOptions extends ProgramOptions {
  /** Instructions one run may execute before it stops with StepLimitError; default 10 million. */
  readonly maxSteps?: number;
}

/** Per-run settings shared by `run` and `execute`. */
export interface RunSettings {
  /** Overrides the interpreter's step limit for this run. */
  readonly maxSteps?: number;
  /** The packet LD_ABS / LD_IND read. */
  readonly packet?: PacketSource;
  /** Handed to helpers and hooks as `env.data`. */
  readonly data?: unknown;
  /** Called before every instruction (slow; for debugging and engine comparisons). */
  readonly trace?: (event: StepEvent) => void;
}

export type RunOptions = RunSettings;

export interface RunResult {
  /** r0 at exit, unsigned 64-bit. */
  readonly r0: bigint;
  /** The input memory after the run (a copy of what was passed in, changed by the program). */
  readonly memory: Uint8Array;
  /** Instructions executed. */
  readonly steps: number;
}

export interface ExecuteInput extends RunSettings {
  /** The regions the program may reach (context, packet, map values…); stacks are added per frame. */
  readonly memory: AddressSpace;
  /** r1..r5 at entry (missing ones are 0), e.g. `[contextPointer]`. */
  readonly args?: readonly bigint[];
}

export interface ExecuteResult {
  readonly r0: bigint;
  readonly steps: number;
}

/**
 * The reference interpreter: runs eBPF (RFC 9669 with the Linux extensions, cpu v4) with every
 * memory access checked. Slow and plain on purpose: it is the oracle other engines are tested
 * against.
 *
 * The constructor prepares the program and rejects it with ProgramError (see PreparedProgram).
 * A run stops with an ExecutionError subclass naming the instruction: MemoryAccessError,
 * StepLimitError, CallDepthError, CallError.
 *
 * An Interpreter keeps no state between runs; runs do not share registers or stacks.
 */
export class Interpreter {
  readonly program: PreparedProgram;
  readonly maxSteps: number;

  constructor(insns: readonly Instruction[], options: InterpreterOptions = {}) {
    this.maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
    checkStepLimit(this.maxSteps);
    this.program = new PreparedProgram(insns, options);
  }

  /**
   * Runs with the conformance suite's convention: `memory` (copied) is mapped writable at
   * INPUT_BASE as region `input`, r1 = its address, r2 = its length, r10 = the top of a 512-byte
   * stack.
   */
  run(memory: Uint8Array, options: RunOptions = {}): RunResult {
    const input: Region = { name: 'input', base: INPUT_BASE, bytes: memory.slice(), writable: true };
    const result = this.execute({ ...options, memory: new AddressSpace([input]), args: [INPUT_BASE, BigInt(memory.length)] });
    return { ...result, memory: input.bytes };
  }

  /**
   * Runs with prepared registers and regions: what the kernel-sim uses (r1 = context pointer).
   * The frames' stacks are mapped into `memory` for the run and unmapped after it.
   */
  execute(input: ExecuteInput): ExecuteResult {
    const args = input.args ?? [];
    if (args.length > 5) throw new RangeError(`execute: at most 5 arguments (r1..r5), got ${args.length}`);
    const maxSteps = input.maxSteps ?? this.maxSteps;
    checkStepLimit(maxSteps);
    const machine = new Machine(input.memory, { maxSteps, packet: input.packet, data: input.data, trace: input.trace });
    const r0 = machine.run(this.program, args);
    return { r0, steps: machine.steps };
  }
}

function checkStepLimit(maxSteps: number): void {
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new RangeError('interpreter: maxSteps must be a positive integer');
}
