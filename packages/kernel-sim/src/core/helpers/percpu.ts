import { HelperId } from '@bpfhive/uapi';
import { type HelperDef, type KernelServices, cpuOf, u32 } from './common.js';

/**
 * bpf_this_cpu_ptr and bpf_per_cpu_ptr over the kernel's per-CPU variables (kfuncs/percpu-vars.ts):
 * the per-CPU pointer of a typed ksym plus the CPU's offset; bpf_per_cpu_ptr returns NULL for a
 * CPU that does not exist. Without per-CPU variables neither helper is implemented.
 */
export function percpuHelpers(kernel: KernelServices): HelperDef[] {
  const vars = kernel.percpu;
  if (!vars) return [];
  return [
    { id: HelperId.this_cpu_ptr, fn: ([p], env) => BigInt(vars.onCpu(Number(p), cpuOf(env).index)) },
    { id: HelperId.per_cpu_ptr, fn: ([p, cpu]) => BigInt(vars.onCpu(Number(p), u32(cpu))) },
  ];
}
