import { HelperId } from '@bpfhive/uapi';
import { type HelperDef, type KernelServices, ptr, runOf } from './common.js';

/**
 * bpf_spin_lock / bpf_spin_unlock on a `struct bpf_spin_lock` (a u32) inside a map value: an
 * atomic compare-and-swap from 0 to 1, and a store of 0, so CPUs on worker threads exclude each
 * other through the shared memory. A run may hold one lock at a time (the verifier's rule); taking
 * one this run already holds would spin forever, so it stops the run instead.
 */
export function spinLockHelpers(kernel: KernelServices): HelperDef[] {
  const word = (address: number): [Int32Array, number] => {
    if ((address & 3) !== 0 || !kernel.memory.mapped(address, 4)) throw new Error(`bpf_spin_lock at 0x${address.toString(16)}: not an aligned u32 in kernel memory`);
    return [new Int32Array(kernel.arena.bytes.buffer), address >> 2];
  };
  return [
    {
      id: HelperId.spin_lock,
      fn: ([lock], env) => {
        const address = ptr(lock);
        const run = runOf(env);
        if (run.locks.has(address)) throw new Error(`bpf_spin_lock at 0x${address.toString(16)}: already held by this program (deadlock)`);
        const [words, index] = word(address);
        while (Atomics.compareExchange(words, index, 0, 1) !== 0) {
          // Another CPU holds it: spin, as the kernel does.
        }
        run.locks.add(address);
        return 0n;
      },
    },
    {
      id: HelperId.spin_unlock,
      fn: ([lock], env) => {
        const address = ptr(lock);
        const [words, index] = word(address);
        Atomics.store(words, index, 0);
        runOf(env).locks.delete(address);
        return 0n;
      },
    },
  ];
}
