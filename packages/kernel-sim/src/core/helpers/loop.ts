import { HelperId } from '@bpfhive/uapi';
import { type HelperDef, type KernelServices, negErrno, u32 } from './common.js';

/** BPF_MAX_LOOPS: the most iterations bpf_loop makes. */
export const BPF_MAX_LOOPS = 8 * 1024 * 1024;

/**
 * bpf_loop(nr_loops, callback, ctx, flags) (kernel/bpf/bpf_iter.c): calls the bpf function
 * `callback(i, ctx)` for i = 0, 1, … until it returns non-zero or nr_loops calls are done;
 * returns the number of calls. -EINVAL for flags, -E2BIG above BPF_MAX_LOOPS.
 */
export function loopHelpers(_kernel: KernelServices): HelperDef[] {
  return [
    {
      id: HelperId.loop,
      fn: ([count, callback, ctx, flags], env) => {
        if (flags !== 0n) return negErrno('EINVAL');
        const n = u32(count);
        if (n > BPF_MAX_LOOPS) return negErrno('E2BIG');
        for (let i = 0; i < n; i++) {
          if (env.callFunction(callback, [BigInt(i), ctx]) !== 0n) return BigInt(i + 1);
        }
        return BigInt(n);
      },
    },
  ];
}
