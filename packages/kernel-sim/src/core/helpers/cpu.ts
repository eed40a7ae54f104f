import { HelperId } from '@bpfhive/uapi';
import { type HelperDef, type KernelServices, cpuOf } from './common.js';

/**
 * Helpers about where a program runs: the CPU's number, its NUMA node (the simulated machine has
 * one node, 0), and bpf_get_prandom_u32 from the kernel's random source.
 */
export function cpuHelpers(kernel: KernelServices): HelperDef[] {
  return [
    { id: HelperId.get_smp_processor_id, fn: (_args, env) => BigInt(cpuOf(env).index) },
    { id: HelperId.get_numa_node_id, fn: () => 0n },
    { id: HelperId.get_prandom_u32, fn: () => BigInt(kernel.random.nextU32() >>> 0) },
  ];
}
