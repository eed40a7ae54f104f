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
 * and on the JIT. Registered into `registry` (a new one by default), replacing those ids.
 * A block outside the program's memory makes the call fail (a MemoryFault).
 */
export function kernelDataHelpers(block: KernelDataAddress, registry: HelperRegistry = new HelperRegistry()): HelperRegistry {
  const address = typeof block === 'bigint' ? () => block : block;
  for (const [id, read] of KERNEL_DATA_HELPERS) {
    const name = helperName(id) ?? `helper ${id}`;
    if (read.kind === 'field') {
      registry.register(id, name, (_args, env) => env.memory.load(address(env) + BigInt(read.offset), read.bytes));
    } else {
      registry.register(id, name, (_args, env) => prandomU32(env, address(env)));
    }
  }
  return registry;
}

/** bpf_get_prandom_u32 on the block at `block`: one step of its state, which it stores back. */
function prandomU32(env: CallEnv, block: bigint): bigint {
  const at = (k: number): bigint => block + BigInt(KernelDataOffset.PRANDOM + 4 * k);
  const state = [0, 1, 2, 3].map((k) => Number(env.memory.load(at(k), 4))) as unknown as PrandomState;
  const next = prandomStep(state);
  next.state.forEach((s, k) => env.memory.store(at(k), 4, BigInt(s)));
  return BigInt(next.value);
}
