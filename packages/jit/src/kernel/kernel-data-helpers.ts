import { helperName } from '@bpfhive/uapi';
import type { CallEnv } from '../interp/env.js';
import { HelperRegistry } from '../interp/registry.js';
import { KERNEL_DATA_HELPERS, KernelDataOffset, type PrandomState, prandomStep } from './kernel-data.js';

/**
 * Where a run's kernel data block is: a fixed address (one registry per CPU), or one found from
 * the call (e.g. from `env.data`, the CPU a helper runs on).
 */
export type KernelDataAddress = bigint | ((env: CallEnv) => bigint);

/**
 * The helpers of KERNEL_DATA_HELPERS in JavaScript, reading (and for bpf_get_prandom_u32,
 * advancing) the kernel data block through `env.memory`, exactly as the code the JIT inlines
 * with `inlineKernelData` does: a program gives the same results either way, on the interpreter
 * and on the JIT. Each has a fast form (no arguments) for programs compiled with `typedHelpers`.
 * Registered into `registry` (a new one by default), replacing those ids. A block outside the
 * program's memory makes the call fail (a MemoryFault).
 */
export function kernelDataHelpers(block: KernelDataAddress, registry: HelperRegistry = new HelperRegistry()): HelperRegistry {
  const address = typeof block === 'bigint' ? () => block : block;
  for (const [id, read] of KERNEL_DATA_HELPERS) {
    const name = helperName(id) ?? `helper ${id}`;
    // One function per helper, called by `fn` and by the fast form (typed-ABI programs: no arguments).
    const get = read.kind === 'field' ? fieldReader(block, read.offset, read.bytes) : (env: CallEnv) => prandomU32(env, address(env));
    registry.register(id, name, (_args, env) => get(env), (env) => () => get(env));
  }
  return registry;
}

/** Reads a field of the block at `block` (its address computed once when the block's is fixed). */
function fieldReader(block: KernelDataAddress, offset: number, bytes: 4 | 8): (env: CallEnv) => bigint {
  if (typeof block === 'bigint') {
    const at = block + BigInt(offset);
    return (env) => env.memory.load(at, bytes);
  }
  return (env) => env.memory.load(block(env) + BigInt(offset), bytes);
}

/** bpf_get_prandom_u32 on the block at `block`: one step of its state, which it stores back. */
function prandomU32(env: CallEnv, block: bigint): bigint {
  const at = (k: number): bigint => block + BigInt(KernelDataOffset.PRANDOM + 4 * k);
  const state = [0, 1, 2, 3].map((k) => Number(env.memory.load(at(k), 4))) as unknown as PrandomState;
  const next = prandomStep(state);
  next.state.forEach((s, k) => env.memory.store(at(k), 4, BigInt(s)));
  return BigInt(next.value);
}
