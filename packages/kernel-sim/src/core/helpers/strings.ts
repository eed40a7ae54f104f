import { HelperId } from '@bpfhive/uapi';
import { type HelperDef, type KernelServices, ptr, u32 } from './common.js';

/**
 * bpf_strncmp(s1, s1_sz, s2): strncmp(s1, s2, s1_sz) (lib/string.c): compares unsigned bytes up to
 * the first difference or NUL, and returns -1, 0 or 1.
 */
export function stringHelpers(kernel: KernelServices): HelperDef[] {
  return [
    {
      id: HelperId.strncmp,
      fn: ([s1, size, s2]) => {
        const n = u32(size);
        const a = kernel.memory.bytes(ptr(s1), n);
        for (let i = 0; i < n; i++) {
          const c1 = a[i]!;
          const c2 = kernel.memory.bytes(ptr(s2) + i, 1)[0]!;
          if (c1 !== c2) return c1 < c2 ? -1n : 1n;
          if (c1 === 0) break;
        }
        return 0n;
      },
    },
  ];
}
