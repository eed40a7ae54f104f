import { slotIndex } from '@bpfhive/uapi';
import type { LoadedProgram } from '../programs/program.js';

/** offsetof(struct bpf_prog, insns) on 64-bit Linux: the header before the instructions. */
export const BPF_PROG_HEADER_SIZE = 72;
export const PAGE_SIZE = 4096;

/**
 * What a program is charged (fdinfo's `memlock`, prog->pages * PAGE_SIZE): bpf_prog_size() of
 * its instructions — the struct bpf_prog header and 8 bytes per slot — rounded up to whole pages.
 * The JIT's WebAssembly module is not counted, as Linux does not count its JIT image.
 */
export function programMemlock(program: LoadedProgram): number {
  const bytes = BPF_PROG_HEADER_SIZE + slotIndex(program.xlated).at(-1)! * 8;
  return Math.ceil(bytes / PAGE_SIZE) * PAGE_SIZE;
}
