import { HelperRegistry, kernelDataHelpers } from '@bpfhive/jit';
import { HelperId, helperName } from '@bpfhive/uapi';
import { type HelperDef, type KernelServices, cpuOf } from './common.js';
import { cpuHelpers } from './cpu.js';
import { csumHelpers } from './csum.js';
import { dynptrHelpers } from './dynptr.js';
import { fibHelpers } from './fib.js';
import { loopHelpers } from './loop.js';
import { mapHelpers } from './maps.js';
import { kptrHelpers } from './kptr.js';
import { percpuHelpers } from './percpu.js';
import { perfHelpers } from './perf.js';
import { printkHelpers } from './printk.js';
import { probeHelpers } from './probe.js';
import { redirectHelpers } from './redirect.js';
import { ringbufHelpers } from './ringbuf.js';
import { skbHelpers } from './skb.js';
import { spinLockHelpers } from './spin-lock.js';
import { stackHelpers } from './stack.js';
import { stringHelpers } from './strings.js';
import { taskHelpers } from './task.js';
import { timeHelpers } from './time.js';
import { timerHelpers } from './timer.js';
import { traceCtxHelpers } from './trace-ctx.js';
import { xdpHelpers } from './xdp.js';

export type { KernelServices } from './common.js';

/** Every helper family; a new family is one file and one line here. */
const FAMILIES: readonly ((kernel: KernelServices) => HelperDef[])[] = [
  mapHelpers,
  timeHelpers,
  cpuHelpers,
  taskHelpers,
  probeHelpers,
  printkHelpers,
  ringbufHelpers,
  perfHelpers,
  xdpHelpers,
  skbHelpers,
  csumHelpers,
  redirectHelpers,
  loopHelpers,
  spinLockHelpers,
  stackHelpers,
  traceCtxHelpers,
  stringHelpers,
  dynptrHelpers,
  timerHelpers,
  percpuHelpers,
  kptrHelpers,
  fibHelpers,
];

/** The kernel's helpers, by id, for every program it runs. */
export function kernelHelpers(kernel: KernelServices): HelperRegistry {
  const registry = new HelperRegistry();
  for (const family of FAMILIES) {
    for (const { id, fn, fast } of family(kernel)) registry.register(id, helperName(id) ?? `helper ${id}`, fn, fast);
  }
  // The helpers the CPU's kernel data block serves (clocks, CPU, prandom, current) read that block,
  // as the code the JIT inlines for them does: one source of truth whichever way they are called.
  kernelDataHelpers((env) => BigInt(cpuOf(env).kernelData.address), registry);
  return registry;
}

/** True for the helpers the kernel implements: the registry's, and bpf_tail_call, which the JIT routes to the kernel's tail-call hook. */
export const implementsHelper = (registry: HelperRegistry) => (id: number): boolean => id === HelperId.tail_call || registry.has(id);
