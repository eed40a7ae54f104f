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

export interface RegisteredFunction {
  readonly id: number;
  /** Shown in error messages, e.g. `bpf_map_lookup_elem`. */
  readonly name: string;
  readonly fn: CallableFunction;
}

/** Helpers by id (`call imm` with src 0, and `callx` with a helper id, see Interpreter). */
export class HelperRegistry {
  readonly #byId = new Map<number, RegisteredFunction>();

  /** Adds or replaces helper `id`. */
  register(id: number, name: string, fn: CallableFunction): this {
    this.#byId.set(id, { id, name, fn });
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
