import { BpfError } from '@bpfhive/uapi';

/**
 * A step of a CO-RE relocation failed with an errno (libbpf's negative return codes): a
 * malformed spec, a type without a size, an instruction that cannot take the value. The
 * relocator turns it into a CoreRelocationError naming the program and the relocation.
 */
export class CoreFailure extends Error {
  constructor(
    readonly code: 'EINVAL' | 'E2BIG' | 'ERANGE' | 'EOPNOTSUPP',
    message: string,
  ) {
    super(message);
  }
}

/** Where a relocation is: what its messages start with. */
export interface CoreReloSite {
  /** The program (ProgramSpec.name). */
  readonly program: string;
  /** Index of the relocation among the program's CO-RE relocations. */
  readonly relo: number;
  /** The instruction, as the kernel counts (slots). */
  readonly insn: number;
  /** `kind <byte_off> (0)` and, once parsed, `spec is [12] struct task_struct.pid (0:1 @ offset 4)`. */
  readonly what: string;
}

/** `prog 'P': relo #N: insn #I: kind <byte_off> (0), spec is …` — the head of every message about a relocation. */
export const siteText = (site: CoreReloSite): string => `prog '${site.program}': relo #${site.relo}: insn #${site.insn}: ${site.what}`;

/**
 * A CO-RE relocation that cannot be applied, worded as libbpf words it and naming the program,
 * the relocation, the instruction and the type path:
 *
 *   prog 'handle_exec': relo #3: insn #17: kind <byte_off> (0), spec is [21] struct
 *   task_struct.real_parent (0:4 @ offset 1280): failed to find target candidate: …
 *
 * Thrown for what libbpf refuses outright (a malformed access string, ambiguous candidates,
 * an instruction that does not hold the expected value) and, once the verifier reached an
 * instruction poisoned for a relocation that found no target, for that relocation.
 */
export class CoreRelocationError extends BpfError {
  constructor(
    readonly site: CoreReloSite,
    readonly reason: string,
    code = 'EINVAL',
    options?: { cause?: unknown },
  ) {
    super(code, `${siteText(site)}: ${reason}`, options);
  }
}
