/**
 * CoreRelocator: applies the CO-RE relocations of an object's programs against a target BTF
 * (libbpf's bpf_object__relocate_core), one relocator per object and target so that the
 * candidate lists are shared and pruned across programs, as libbpf's cache is.
 */
import type { Btf, Instruction } from '@bpfhive/uapi';
import type { CoreRelocation } from '../object/index.js';
import { CandidateCache } from './candidates.js';
import { CoreFailure, type CoreReloSite, CoreRelocationError, siteText } from './errors.js';
import { essentialName, kindStr, typeLabel } from './names.js';
import { type PatchedInsn, expandPoisoned, patchInsn } from './patch.js';
import { type ResolvedRelo, resolveCoreRelo } from './resolve.js';
import { type CoreSpec, formatCoreSpec, kindText, parseCoreSpec, typeAt } from './spec.js';

/** What one relocation did. */
export interface CoreRelocationOutcome {
  readonly site: CoreReloSite;
  /** Index of the instruction in the program (a lddw counts once). */
  readonly index: number;
  readonly kind: number;
  /** The local spec, `[21] struct task_struct.pid (0:1 @ offset 4)`. */
  readonly local: string;
  /** The spec in the target, when a candidate matched. */
  readonly target: string | undefined;
  /** The value the compiler wrote and the value for the target (0 when poisoned). */
  readonly origVal: bigint;
  readonly newVal: bigint;
  /** The instruction became `call 0xbad2310`; `reason` says why. */
  readonly poisoned: boolean;
  readonly reason?: string;
}

/** A program relocated. */
export interface CoreProgramResult {
  /** The instructions with every relocation applied; slots stay where they were. */
  readonly insns: Instruction[];
  readonly outcomes: readonly CoreRelocationOutcome[];
  /** libbpf's warnings: one per poisoned instruction. */
  readonly warnings: readonly string[];
}

/** The program a relocation belongs to: what CoreRelocator reads of a ProgramSpec. */
export interface CoreProgram {
  readonly name: string;
  readonly coreRelocations: readonly CoreRelocation[];
}

export class CoreRelocator {
  readonly #cache: CandidateCache;

  /** `local` is the object's BTF (ObjectSpec.btf), `target` the kernel's. */
  constructor(
    private readonly local: Btf,
    private readonly target: Btf,
  ) {
    this.#cache = new CandidateCache(local, target);
  }

  /**
   * Applies every CO-RE relocation of `program` to `insns` (its instructions, possibly already
   * relocated to map ids; indexes as in ProgramSpec.instructions). A relocation whose target
   * has no such field or enumerator poisons its instruction and adds a warning; the verifier
   * refuses the program only if that instruction is reachable (see explainPoisonedRejection).
   * Throws CoreRelocationError for what libbpf refuses outright.
   */
  relocate(program: CoreProgram, insns: readonly Instruction[]): CoreProgramResult {
    const out: PatchedInsn[] = [...insns];
    const outcomes: CoreRelocationOutcome[] = [];
    const warnings: string[] = [];
    program.coreRelocations.forEach((relo, n) => {
      const outcome = this.#relocateOne(program.name, relo, n, out);
      outcomes.push(outcome);
      if (outcome.poisoned) warnings.push(`${siteText(outcome.site)}: ${outcome.reason}; substituting insn #${outcome.site.insn} w/ invalid insn`);
    });
    return { insns: expandPoisoned(out), outcomes, warnings };
  }

  #relocateOne(program: string, relo: CoreRelocation, n: number, insns: PatchedInsn[]): CoreRelocationOutcome {
    const base = { program, relo: n, insn: relo.slot };
    let site: CoreReloSite = { ...base, what: kindText(relo.kind) };
    let local: CoreSpec;
    try {
      local = parseCoreSpec(this.local, relo.typeId, relo.access, relo.kind);
    } catch (e) {
      const root = this.#localLabel(relo.typeId);
      throw failure(site, `parsing ${root} + ${relo.accessStr} failed`, e);
    }
    const localText = formatCoreSpec(local);
    site = { ...base, what: `${kindText(relo.kind)}, spec is ${localText}` };
    const insn = insns[relo.index];
    if (insn === undefined || 'poisonedWide' in insn) throw new CoreRelocationError(site, `no instruction at index ${relo.index}`);
    let resolved: ResolvedRelo;
    try {
      resolved = resolveCoreRelo(local, this.target, this.#cache, relo.slot);
    } catch (e) {
      throw failure(site, 'failed to relocate', e);
    }
    let patched;
    try {
      patched = patchInsn(insn, resolved.value);
    } catch (e) {
      throw failure(site, `failed to patch insn #${relo.slot}`, e);
    }
    insns[relo.index] = patched.insn;
    const poisoned = resolved.value.poison || patched.memszPoisoned;
    return {
      site,
      index: relo.index,
      kind: relo.kind,
      local: localText,
      target: resolved.target && formatCoreSpec(resolved.target),
      origVal: resolved.value.origVal,
      newVal: poisoned ? 0n : resolved.value.newVal,
      poisoned,
      ...(poisoned && { reason: patched.memszPoisoned ? MEMSZ_REASON : this.#notFound(relo.typeId, resolved) }),
    };
  }

  #localLabel(id: number): string {
    const t = this.local.types[id];
    return t === undefined ? `[${id}]` : typeLabel(id, t);
  }

  /** Why no target was found: no candidate at all, or none with the field or enumerator. */
  #notFound(localId: number, resolved: ResolvedRelo): string {
    if (resolved.candidates.length === 0) {
      const t = typeAt(this.local, localId);
      return `failed to find target candidate: the target BTF has no ${kindStr(t)} named '${essentialName(t.name)}'`;
    }
    return `failed to find target candidate: no match in ${resolved.candidates.join(', ')}`;
  }
}

const MEMSZ_REASON =
  'insn (LDX/ST/STX) accesses field incorrectly. Make sure you are accessing pointers, unsigned integers, or fields of matching type and size.';

function failure(site: CoreReloSite, what: string, e: unknown): CoreRelocationError {
  if (e instanceof CoreRelocationError) return e;
  const reason = e instanceof Error ? e.message : String(e);
  return new CoreRelocationError(site, `${what}: ${reason}`, e instanceof CoreFailure ? e.code : 'EINVAL');
}

