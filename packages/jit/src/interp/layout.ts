import { STACK_SIZE } from './limits.js';

/**
 * Where the interpreter puts things in its 64-bit address space.
 *
 * Regions sit far apart so that a stray pointer lands in a gap (and is reported against the
 * nearest region) rather than in a neighbour. Callers of `execute` may map their own regions
 * anywhere outside the stack and function areas.
 *
 *   0x0000_0001_0000_0000   input memory of `run` (the suite's r1)
 *   0x0000_7ff0_0000_0000   stack of frame 0, then one every 64 KiB for frames 1..7
 *   0xffff_ffff_a000_0000   function addresses (`lddw rX, func`), 8 bytes per slot; never mapped
 */

/** Base address of the input memory that `Interpreter.run` maps. */
export const INPUT_BASE = 0x0000_0001_0000_0000n;

/** Base address of frame 0's stack. */
export const STACK_AREA_BASE = 0x0000_7ff0_0000_0000n;

/** Distance between the stacks of consecutive frames. */
export const STACK_STRIDE = 0x1_0000n;

/** Base of the (unmapped) range that function addresses are taken from. */
export const FUNCTION_AREA_BASE = 0xffff_ffff_a000_0000n;

/** Lowest address of the stack of the frame at `depth` (0 = the entry frame). */
export const stackBase = (depth: number): bigint => STACK_AREA_BASE + BigInt(depth) * STACK_STRIDE;

/** The frame pointer (r10) of the frame at `depth`: one past its stack's last byte. */
export const stackTop = (depth: number): bigint => stackBase(depth) + BigInt(STACK_SIZE);

/** The address that names the function starting at `slot`. */
export const functionAddress = (slot: number): bigint => FUNCTION_AREA_BASE + BigInt(slot) * 8n;
