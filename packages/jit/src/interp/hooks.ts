import type { Instruction, PseudoLdImm64 } from '@bpfhive/uapi';
import type { CallEnv } from './env.js';
import type { Interpreter } from './interpreter.js';

/**
 * The points where the embedder (the kernel-sim) plugs in what only it knows.
 */

/** A `lddw` whose src is not 0 (constant) or 4 (function address, resolved by the interpreter). */
export interface LdImm64Request {
  readonly insnIndex: number;
  /** The instruction; `imm` and `imm2` carry the map fd (here: id), offset or BTF id. */
  readonly insn: Instruction;
  /** Its src field: MAP_FD, MAP_VALUE, BTF_ID, MAP_IDX, MAP_IDX_VALUE. */
  readonly kind: PseudoLdImm64;
}

/**
 * Resolves a pseudo `lddw` to the 64-bit value it loads (a map pointer, the address of a map
 * value…), once, when the program is prepared, as Linux does at load time. Throwing rejects the
 * program with a ProgramError that keeps the cause.
 */
export type LdImm64Resolver = (request: LdImm64Request) => bigint;

/** The arguments of `bpf_tail_call(ctx, prog_array_map, index)`. */
export interface TailCallRequest {
  readonly ctx: bigint;
  readonly map: bigint;
  readonly index: bigint;
}

/**
 * Finds the program a tail call jumps to, or undefined when the slot is empty or the index out
 * of range (the call then falls through, as in Linux). The interpreter enforces the limit of 33
 * tail calls per run itself.
 */
export type TailCallHook = (request: TailCallRequest, env: CallEnv) => Interpreter | undefined;

/**
 * The packet that legacy LD_ABS / LD_IND read: its bytes from skb->data on, or a function of
 * r6 (the context pointer these instructions implicitly use) that returns them.
 */
export type PacketSource = Uint8Array | ((ctx: bigint) => Uint8Array | undefined);

/**
 * Converts a pointer between address spaces (ALU64 MOV with off 1, Linux arenas): `imm` is
 * (destination space << 16) | source space. Without this hook the instruction stops the run.
 */
export type AddressSpaceCast = (value: bigint, imm: number) => bigint;
