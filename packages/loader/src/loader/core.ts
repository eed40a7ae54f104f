/**
 * The CO-RE step of loading (libbpf's bpf_object__relocate_core): with LoadOptions.kernelBtf,
 * each program's CO-RE relocations are applied against it after the map relocations and
 * before BPF_PROG_LOAD. Poisoned instructions are reported through onWarning; a refusal of
 * the kernel at one of them becomes the relocation's own error (CoreRelocationError, the
 * verifier's error as its cause).
 */
import type { Instruction } from '@bpfhive/uapi';
import { BpfSyscallError, VerifierError } from '../client/index.js';
import { CoreRelocator, explainPoisonedRejection } from '../corerelo/index.js';
import type { ObjectSpec, ProgramSpec } from '../object/index.js';
import type { LoadOptions } from './types.js';

/** The object's relocator, or undefined when there is no kernel BTF or nothing to relocate. */
export function coreRelocatorFor(spec: ObjectSpec, options: LoadOptions): CoreRelocator | undefined {
  const needed = spec.programs.some((p) => p.coreRelocations.length > 0);
  return options.kernelBtf && spec.btf && needed ? new CoreRelocator(spec.btf, options.kernelBtf) : undefined;
}

/** Runs `load` on `insns` with the program's CO-RE relocations applied by `core` (as they are without one). */
export async function loadWithCore<T>(
  core: CoreRelocator | undefined,
  program: ProgramSpec,
  insns: readonly Instruction[],
  options: LoadOptions,
  load: (insns: readonly Instruction[]) => Promise<T>,
): Promise<T> {
  if (!core) return load(insns);
  const relocated = core.relocate(program, insns);
  for (const warning of relocated.warnings) options.onWarning?.(warning);
  try {
    return await load(relocated.insns);
  } catch (e) {
    if (!(e instanceof BpfSyscallError)) throw e;
    const log = e instanceof VerifierError ? e.log : undefined;
    throw explainPoisonedRejection(relocated, { message: e.message, code: e.code, cause: e, ...(log !== undefined && { log }) }) ?? e;
  }
}
