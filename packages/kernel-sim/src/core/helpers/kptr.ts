import { HelperId } from '@bpfhive/uapi';
import type { HelperDef, KernelServices } from './common.js';

/**
 * bpf_kptr_xchg(field, ptr): puts `ptr` (a referenced kernel pointer, or NULL) into a map
 * value's kptr field and returns what was there, in one atomic exchange as Linux's xchg(), so
 * two CPUs swapping the same field each get a reference exactly once. The verifier proved the
 * field is an 8-byte kptr at a constant offset of a map value and that `ptr` holds a reference,
 * which moves into the map; the one returned is the program's to release or store.
 */
export function kptrHelpers(kernel: KernelServices): HelperDef[] {
  let words: BigInt64Array | undefined;
  const view = (): BigInt64Array => {
    const buffer = kernel.arena.bytes.buffer;
    if (words?.buffer !== buffer) words = new BigInt64Array(buffer);
    return words;
  };
  return [
    {
      id: HelperId.kptr_xchg,
      fn: ([field, ptr]) => {
        const at = Number(field);
        if (at % 8 !== 0) throw new Error(`bpf_kptr_xchg: kptr field 0x${at.toString(16)} is not 8-byte aligned`);
        return BigInt.asUintN(64, Atomics.exchange(view(), at / 8, BigInt.asIntN(64, ptr)));
      },
    },
  ];
}
