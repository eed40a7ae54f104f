/**
 * The kernel's kfuncs, by BTF id in vmlinux (the FUNCs of btf/vmlinux.c): every kfunc of uapi's
 * table (KFUNCS) is implemented here, and only those are; a program calling any other kernel
 * function by id was refused by the verifier (its id names no kfunc) or is refused at load.
 */
import { type CallableFunction, KfuncRegistry } from '@bpfhive/jit';
import { type Btf, KFUNCS, findBtfType } from '@bpfhive/uapi';
import { type TaskRefsHolder, taskKfuncs } from './task.js';

export { type TaskRefsHolder } from './task.js';
export { kernelBtfForVerifier } from '@bpfhive/uapi';

/** The kfunc registry of a kernel whose BTF is `btf`; throws when the table and the BTF disagree. */
export function kernelKfuncs(btf: Btf, tasks: TaskRefsHolder): KfuncRegistry {
  const impl: Record<string, CallableFunction> = { ...taskKfuncs(tasks) };
  const registry = new KfuncRegistry();
  for (const k of KFUNCS) {
    const fn = impl[k.name];
    const id = findBtfType(btf, k.name, 'FUNC');
    if (!fn || id === undefined) throw new Error(`kernel: kfunc ${k.name} has no ${fn ? 'BTF FUNC' : 'implementation'}`);
    registry.register(id, k.name, fn);
  }
  return registry;
}
