import { CallDepthError, ExecutionError } from './errors.js';
import { stackBase, stackTop } from './layout.js';
import { MAX_CALL_FRAMES, STACK_SIZE } from './limits.js';
import type { AddressSpace, Region } from './memory.js';
import type { PreparedProgram } from './program.js';

/**
 * One activation of a bpf function: which program it runs, where, and its own stack.
 *
 * Every frame gets a fresh, zeroed 512-byte stack region named `stack frame <depth>`, mapped for
 * the frame's lifetime at its own address (layout.ts), so frames cannot reach each other's stack
 * except through pointers a caller hands down, as in Linux.
 */
export interface Frame {
  /** The program this frame runs (a tail call replaces it). */
  program: PreparedProgram;
  /** Index of the next instruction to execute. */
  pc: number;
  /** 0 for the entry frame. */
  readonly depth: number;
  readonly stack: Region;
  /** What is left of this frame's `may_goto` budget. */
  mayGotoLeft: number;
  /** The caller's r6..r9, put back when this frame returns (empty when nothing is to restore). */
  readonly calleeSaved: readonly bigint[];
}

/** The call stack: at most MAX_CALL_FRAMES frames, each with its stack mapped in `memory`. */
export class FrameStack {
  readonly #frames: Frame[] = [];

  constructor(private readonly memory: AddressSpace) {}

  get size(): number {
    return this.#frames.length;
  }

  /** The innermost frame. */
  get top(): Frame {
    const frame = this.#frames[this.#frames.length - 1];
    if (frame === undefined) throw new RangeError('frames: no frame is active');
    return frame;
  }

  /**
   * Opens a frame that starts at instruction `pc`. `insnIndex` names the call in errors:
   * CallDepthError beyond MAX_CALL_FRAMES, ExecutionError when the stack cannot be mapped.
   */
  push(program: PreparedProgram, pc: number, calleeSaved: readonly bigint[], insnIndex: number): Frame {
    const depth = this.#frames.length;
    if (depth >= MAX_CALL_FRAMES) throw new CallDepthError(insnIndex, MAX_CALL_FRAMES);
    const region = { name: `stack frame ${depth}`, base: stackBase(depth), bytes: new Uint8Array(STACK_SIZE), writable: true };
    try {
      this.memory.map(region);
    } catch (cause) {
      throw new ExecutionError(insnIndex, `cannot map the stack of frame ${depth}: ${(cause as Error).message}`, { cause });
    }
    const frame: Frame = { program, pc, depth, stack: region, mayGotoLeft: program.mayGotoBudget, calleeSaved };
    this.#frames.push(frame);
    return frame;
  }

  /** Closes the innermost frame and unmaps its stack. */
  pop(): Frame {
    const frame = this.top;
    this.#frames.pop();
    this.memory.unmap(frame.stack);
    return frame;
  }

  /** Closes frames until `size` remain. */
  unwindTo(size: number): void {
    while (this.#frames.length > size) this.pop();
  }
}

/** The frame pointer of a frame. */
export const framePointer = (frame: Frame): bigint => stackTop(frame.depth);
