import { KERNEL_DATA_HELPERS, KernelDataOffset } from '@bpfhive/jit';
import { CALLX } from '@bpfhive/uapi';
import { helperCalls } from '../load/helper-calls.js';
import type { LoadedProgram } from '../programs/program.js';

/** The clock fields of a CPU's kernel data block (Cpu.setClocks writes them before a run or batch). */
const CLOCK_OFFSETS = new Set<number>([KernelDataOffset.KTIME_NS, KernelDataOffset.BOOT_NS, KernelDataOffset.COARSE_NS, KernelDataOffset.JIFFIES64, KernelDataOffset.TAI_NS]);

/** The helpers that return one of those fields, inlined by the JIT or called (kernelDataHelpers): one table, @bpfhive/jit's. */
const CLOCK_HELPERS = new Set<number>([...KERNEL_DATA_HELPERS].filter(([, read]) => read.kind === 'field' && CLOCK_OFFSETS.has(read.offset)).map(([id]) => id));

const verdicts = new WeakMap<LoadedProgram, boolean>();

/**
 * True when a run of `program` may read the clocks of its CPU's kernel data block: it calls a
 * clock helper, or it may tail-call or make an indirect call (callx), which reach code this
 * program's instructions do not show. The runner sets the clocks only for these (reading the host
 * clock and writing five u64s costs more than running a small program); a block whose clocks are
 * stale is never read. Decided once per program.
 */
export function readsClocks(program: LoadedProgram): boolean {
  let verdict = verdicts.get(program);
  if (verdict === undefined) {
    verdict =
      program.compiled.needs.tailCall === true ||
      program.xlated.some((i) => i.opcode === CALLX) ||
      [...helperCalls(program.xlated).keys()].some((id) => CLOCK_HELPERS.has(id));
    verdicts.set(program, verdict);
  }
  return verdict;
}
