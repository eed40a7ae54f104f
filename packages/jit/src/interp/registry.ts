import type { CallEnv } from './env.js';

/**
 * Helpers and kfuncs the program may call.
 *
 * A function receives r1..r5 as unsigned 64-bit BigInts and the call environment, and returns
 * the new r0 (any BigInt; it is wrapped to 64 bits). It may throw: a MemoryFault from
 * `env.memory` becomes a MemoryAccessError at the call, anything else a CallError that keeps the
 * original as `cause`. r1..r5 keep their values after the call; programs the verifier accepts
 * never read them.
 */

/** r1..r5 at the call. */
export type CallArgs = readonly [bigint, bigint, bigint, bigint, bigint];

export type CallableFunction = (args: CallArgs, env: CallEnv) => bigint;

/**
 * A helper's fast form, for programs the JIT compiled with the typed helper ABI (compile option
 * `typedHelpers`, compiler/helper-abi.ts): made once per JitProgram instance from its CallEnv,
 * then called by compiled code directly with the arguments of the helper's ABI — a 'u32' one as a
 * number, the register's low 32 bits read as a signed int32 (`x >>> 0` is the address; a register
 * of 2^32 or more arrives as -1), an 'i64' one as a signed BigInt (`BigInt.asUintN(64, x)` is the
 * register) — returning a number for a 'u32' result (its low 32 bits are kept) and a BigInt for
 * an 'i64' one. It must compute what the helper's `fn` computes. The interpreter, and modules
 * compiled with the classic ABI, call `fn`.
 */
export type FastForm = (env: CallEnv) => FastFunction;
export type FastFunction = (...args: never[]) => number | bigint;

export interface RegisteredFunction {
  readonly id: number;
  /** Shown in error messages, e.g. `bpf_map_lookup_elem`. */
  readonly name: string;
  readonly fn: CallableFunction;
  readonly fast?: FastForm;
}

/** Helpers by id (`call imm` with src 0, and `callx` with a helper id, see Interpreter). */
export class HelperRegistry {
  readonly #byId = new Map<number, RegisteredFunction>();

  /** Adds or replaces helper `id`, with its fast form for typed-ABI programs when it has one. */
  register(id: number, name: string, fn: CallableFunction, fast?: FastForm): this {
    this.#byId.set(id, fast ? { id, name, fn, fast } : { id, name, fn });
    return this;
  }

  get(id: number): RegisteredFunction | undefined {
    return this.#byId.get(id);
  }

  has(id: number): boolean {
    return this.#byId.has(id);
  }

  /** The registered ids, ascending. */
  ids(): number[] {
    return [...this.#byId.keys()].sort((a, b) => a - b);
  }
}

/**
 * Kernel functions by BTF id (`call imm` with src 2). `btfObject` is the call's `off`: the index
 * of the BTF object in the program's fd_array, 0 for vmlinux.
 */
export class KfuncRegistry {
  readonly #byKey = new Map<string, RegisteredFunction>();

  /** Adds or replaces kfunc `btfId` of BTF object `btfObject`. */
  register(btfId: number, name: string, fn: CallableFunction, btfObject = 0): this {
    this.#byKey.set(`${btfObject}:${btfId}`, { id: btfId, name, fn });
    return this;
  }

  get(btfId: number, btfObject = 0): RegisteredFunction | undefined {
    return this.#byKey.get(`${btfObject}:${btfId}`);
  }
}
