import { ALL_CAPABILITIES, BpfError, type Btf, type Instruction, btfFuncProto, btfTypeById, mapBtfFieldsOf, slotIndex, verifierKernelRequest } from '@bpfhive/uapi';
import { type MapSpec as VerifierMapSpec, type VerifierProgram, type VerifyResult, attachFuncOf, kernelBtfOf, verify } from '@bpfhive/verifier';
import { type CoreProgramResult, type CoreRelocationError, CoreRelocator, explainPoisonedRejection } from '../../corerelo/index.js';
import { checkNativeEndian } from '../../loader/endian.js';
import { type UnresolvedKfunc, explainUnresolvedKfunc } from '../../loader/kfunc-poison.js';
import { resolveObjectKsyms } from '../../loader/ksyms.js';
import { mapBtfAttr } from '../../loader/maps.js';
import { attachBtfId } from '../../loader/prog-btf.js';
import { relocateProgram } from '../../loader/relocate.js';
import type { MapSpec, ObjectSpec, ProgramSpec } from '../../object/index.js';

/**
 * Verifying an object's programs locally, as loading them would have the kernel-sim verify
 * them: each map gets a placeholder id (1..n in the object's order) and the descriptor the
 * verifier needs (with BTF, its value's bpf_spin_lock, bpf_timer and kptrs, as the kernel-sim
 * derives them: uapi's mapBtfFieldsOf), `__ksym` externs are resolved against the kernel's BTF
 * as the loader resolves them (resolveObjectKsyms), programs are relocated to those ids, their CO-RE
 * relocations applied against the kernel's BTF when there is one, and each goes through
 * @bpfhive/verifier with every capability (a root loader, as bpftool runs) and, with the
 * kernel's BTF, the share of it the kernel-sim would send (uapi's verifierKernelRequest): the
 * kernel BTF the program names and, for fentry/fexit/tp_btf/lsm/iter programs, the attach
 * function found as the loader finds attach_btf_id, with the types its arguments reach.
 */

/** The verdict on one program. */
export interface ProgramVerdict {
  readonly program: ProgramSpec;
  readonly insns: readonly Instruction[];
  readonly result: VerifyResult;
  /** A refusal at an instruction a failed CO-RE relocation poisoned, explained by that relocation. */
  readonly coreError: CoreRelocationError | undefined;
  /** A refusal at the poisoned call of a weak kfunc nothing resolved, with the log as libbpf rewrites it. */
  readonly unresolvedKfunc: UnresolvedKfunc | undefined;
  /** CO-RE warnings: instructions poisoned for relocations without a target. */
  readonly warnings: readonly string[];
}

export interface VerifyObjectOptions {
  readonly logLevel: number;
  /** The kernel's BTF for CO-RE, `__ksym` externs and kptr targets; without it instructions keep the compiler's offsets and strong ksyms fail. */
  readonly kernelBtf: Btf | undefined;
}

/**
 * The verifier's descriptor of a map (and of a map-in-map's inner map): with BTF where libbpf
 * would create it with BTF (mapBtfAttr), the value's special fields as map_check_btf finds them.
 * Throws BpfError as map_check_btf would refuse the map (a kptr needs `kernelBtf`).
 */
function mapDescriptor(map: MapSpec, btf: Btf | undefined, kernelBtf: Btf | undefined): VerifierMapSpec {
  const attr = mapBtfAttr(map, btf && { id: 0, btf });
  const name = `map '${map.name}'`;
  const fields = btf && attr.btf_value_type_id
    ? mapBtfFieldsOf(btf, { map_type: map.type, key_size: map.keySize, value_size: map.valueSize, ...attr, btf_value_type_id: attr.btf_value_type_id }, kernelBtf, name, "the object's BTF")
    : undefined;
  return {
    map_type: map.type,
    key_size: map.keySize,
    value_size: map.valueSize,
    max_entries: map.maxEntries,
    map_flags: map.flags,
    name: map.name,
    frozen: map.freeze,
    ...(map.innerMap && { inner: mapDescriptor(map.innerMap, btf, kernelBtf) }),
    ...(fields && { btf: true }),
    ...(fields?.spin_lock_off !== undefined && { spin_lock_off: fields.spin_lock_off }),
    ...(fields?.timer_off !== undefined && { timer_off: fields.timer_off }),
    ...(fields?.kptrs && { kptrs: fields.kptrs.map((k) => ({ off: k.off, kind: k.kind, btfId: k.btf_id })) }),
  };
}

/** Placeholder ids 1..n for the object's maps, and their descriptors by id. */
export function placeholderMaps(spec: ObjectSpec, kernelBtf: Btf | undefined): { ids: Map<string, number>; descriptors: Map<number, VerifierMapSpec> } {
  const ids = new Map(spec.maps.map((m, i) => [m.name, i + 1]));
  const descriptors = new Map(spec.maps.map((m, i) => [i + 1, mapDescriptor(m, spec.btf, kernelBtf)]));
  return { ids, descriptors };
}

/**
 * Verifies every program of `spec`, in the object's order. Throws what would fail the load before
 * any program is verified: BpfError for a big-endian object (checkNativeEndian), LoadError naming
 * the extern for a strong `__ksym` the kernel's BTF lacks (or an incompatible one, or any typed
 * one without kernel BTF), BpfError naming the map for a map BTF the kernel would refuse,
 * CoreRelocationError for a relocation libbpf refuses outright.
 */
export function verifyObject(spec: ObjectSpec, options: VerifyObjectOptions): ProgramVerdict[] {
  checkNativeEndian(spec);
  const { kernelBtf } = options;
  const maps = placeholderMaps(spec, kernelBtf);
  const ksyms = resolveObjectKsyms(spec, kernelBtf);
  const kptrStructIds = [...maps.descriptors.values()].flatMap((m) => m.kptrs?.map((k) => k.btfId) ?? []);
  const core = kernelBtf && spec.btf ? new CoreRelocator(spec.btf, kernelBtf) : undefined;
  return spec.programs.map((program) => {
    const relocated = relocateProgram(program, maps.ids, spec.externs, ksyms);
    const coreResult: CoreProgramResult | undefined = core?.relocate(program, relocated);
    const insns = coreResult?.insns ?? relocated;
    const share = kernelShare(program, insns, kernelBtf, kptrStructIds);
    const result = verify({ ...verifierProgram(program, insns, maps.descriptors, options.logLevel, spec.btf), ...share.program });
    const refusal = result.verdict === 'reject' && result.error ? { insn: result.error.insn, message: result.error.message, log: result.log } : undefined;
    const coreError = coreResult && refusal ? explainPoisonedRejection(coreResult, refusal) : undefined;
    const unresolvedKfunc = refusal && !coreError ? explainUnresolvedKfunc(refusal, spec.externs) : undefined;
    return { program, insns, result, coreError, unresolvedKfunc, warnings: [...(coreResult?.warnings ?? []), ...share.warnings] };
  });
}

/**
 * What the kernel-sim adds to a program's verify request from the kernel's BTF (`kernel_btf`,
 * `attach_func`, built by the same uapi code), in the verifier's terms; nothing without it. A
 * BTF-attached program whose target the kernel's BTF lacks (the loader's attachBtfId refuses
 * it, and so would a load) is verified without an attach function, with a warning saying so.
 */
function kernelShare(
  program: ProgramSpec, insns: readonly Instruction[], kernelBtf: Btf | undefined, kptrStructIds: readonly number[],
): { program: Pick<VerifierProgram, 'kernelBtf' | 'attachFunc'>; warnings: string[] } {
  if (!kernelBtf) return { program: {}, warnings: [] };
  let attachId: number | undefined;
  const warnings: string[] = [];
  try {
    attachId = attachBtfId(program, program.type, program.expectedAttachType, kernelBtf);
  } catch (e) {
    if (!(e instanceof BpfError)) throw e;
    warnings.push(`${e.message}: verified without its attach function's arguments; loading it fails`);
  }
  const share = verifierKernelRequest(kernelBtf, insns, { progType: program.type, kptrStructIds, ...(attachId !== undefined && { attachBtfId: attachId }) });
  return {
    program: {
      ...(share.kernel_btf && { kernelBtf: kernelBtfOf(share.kernel_btf) }),
      ...(share.attach_func && { attachFunc: attachFuncOf(share.attach_func) }),
    },
    warnings,
  };
}

/** BPF_PROG_LOAD as the verifier takes it, func_info and line_info included for its messages. */
function verifierProgram(program: ProgramSpec, insns: readonly Instruction[], maps: ReadonlyMap<number, VerifierMapSpec>, logLevel: number, btf: Btf | undefined): VerifierProgram {
  return {
    insns,
    progType: program.type,
    ...(program.expectedAttachType !== 0 && { expectedAttachType: program.expectedAttachType }),
    license: program.license,
    logLevel,
    progFlags: program.flags,
    privileges: ALL_CAPABILITIES,
    maps,
    // Linkage and prototype: global functions are verified against them.
    funcInfo: program.funcInfo.map((f) => ({
      insn_off: f.insnOff,
      type_id: f.typeId,
      ...(btf && { name: btfTypeById(btf, f.typeId).name, ...btfFuncProto(btf, f.typeId) }),
    })),
    lineInfo: program.lineInfo.map((l) => ({ insn_off: l.insnOff, file: l.fileName, line: l.line, line_num: l.lineNum, line_col: l.column })),
  };
}

/** Slots of a program, as BPF_PROG_LOAD counts its instructions (insn_cnt). */
export const slotCountOf = (insns: readonly Instruction[]): number => slotIndex(insns)[insns.length]!;
