import { inlineMapsOf } from '../compile/inline-maps.js';
import type { CompiledModule, ProgramCompiler } from '../compile/types.js';
import type { KernelMap, KernelMaps } from '../maps/kernel-maps.js';
import type { Clock } from '../ports.js';
import type { LoadedProgram } from '../programs/program.js';
import type { ProgramTable } from '../programs/table.js';
import type { ProgramVerifier, VerifyResult, VerifyStats } from '../verify/types.js';
import { type ResolvedProgBtf, releaseProgBtf, resolveProgBtf } from '../btf/prog-btf.js';
import { mapBtfFields } from '../btf/map-btf.js';
import type { BtfTable } from '../btf/table.js';
import { type ProgLoadAttr, checkLoadAttr } from './attr.js';
import { checkHelperCalls } from './helper-calls.js';
import { deadInstructions, sanitizeDeadCode } from './dead-code.js';
import type { KfuncRegistry } from '@bpfhive/jit';
import { type Instruction, slotIndex, verifierKernelRequest } from '@bpfhive/uapi';
import type { PerCpuVars } from '../kfuncs/percpu-vars.js';
import { rewriteKsyms } from '../kfuncs/ksym-refs.js';
import { isGplCompatible } from './license.js';
import { findMapReferences, referencedMapIds, rewriteMapReferences } from './map-refs.js';
import { type PrivilegedVerifyRequest, checkLoadPrivileges } from './privileges.js';
import { rejection } from './rejection.js';
import { programTag } from './tag.js';

export interface LoaderDeps {
  readonly maps: KernelMaps;
  readonly verifier: ProgramVerifier;
  readonly compiler: ProgramCompiler;
  readonly table: ProgramTable;
  readonly clock: Clock;
  /** True for the helper ids the kernel implements. */
  readonly implemented: (helperId: number) => boolean;
  /** The kernel's BTF objects: prog_btf_id is held from here, attach_btf_id resolved in it. */
  readonly btf: BtfTable;
  /** The kfuncs the kernel implements, by BTF id in vmlinux. */
  readonly kfuncs: KfuncRegistry;
  /** Where typed per-CPU ksyms live. */
  readonly percpu: PerCpuVars;
}

export interface LoadResult {
  readonly program: LoadedProgram;
  /** The verifier log, when log_level asked for one. */
  readonly log?: string;
  /** With the log: log_true_size. */
  readonly logTrueSize?: number;
  readonly stats: VerifyStats;
}

/**
 * BPF_PROG_LOAD: check the attributes and the caller's capabilities, hold the maps the program
 * names, ask the verifier (with those capabilities), turn map references into constants and the
 * dead code the verifier never reached into `ja -1` (dead-code.ts), apply the kernel's own helper
 * checks to what is left, compile, and only then give the program an id. A program the
 * verifier did not accept never reaches the compiler or the table. Any failure drops the maps it
 * took: nothing is left half-created.
 */
export async function loadProgram(deps: LoaderDeps, attr: ProgLoadAttr): Promise<LoadResult> {
  const checked = checkLoadAttr(attr);
  const privileges = attr.caller && checkLoadPrivileges(attr.caller, checked.progType, checked.insns);
  const gplCompatible = isGplCompatible(checked.license);
  const refs = findMapReferences(checked.insns);
  const held = new Map<number, KernelMap>();
  const progBtf = resolveProgBtf(deps.btf, {
    progType: checked.progType,
    expectedAttachType: checked.expectedAttachType,
    gplCompatible,
    insns: checked.insns,
    ...(attr.prog_btf_id !== undefined && { progBtfId: attr.prog_btf_id }),
    ...(attr.attach_btf_id !== undefined && { attachBtfId: attr.attach_btf_id }),
    ...(attr.attach_btf_obj_id !== undefined && { attachBtfObjId: attr.attach_btf_obj_id }),
    ...(attr.func_info && { funcInfo: attr.func_info }),
    ...(attr.line_info && { lineInfo: attr.line_info }),
  });
  try {
    for (const id of referencedMapIds(refs)) held.set(id, await deps.maps.hold(id));
    // A map is named by id where Linux takes an fd: only those who may name it may load a program using it.
    if (attr.caller) for (const id of held.keys()) deps.maps.checkAccess(id, attr.caller, 'prog_load');
    const maps = [...held.values()].map(({ id, map: { spec } }) => ({
      map_id: id,
      map_type: spec.map_type,
      key_size: spec.key_size,
      value_size: spec.value_size,
      max_entries: spec.max_entries,
      map_flags: spec.map_flags,
      // For the verifier's messages ("map 'timers' has to have BTF…").
      ...(spec.map_name && { name: spec.map_name }),
      // The value's bpf_spin_lock, bpf_timer and kptrs, from the map's BTF (map_check_btf).
      ...mapBtfFields(deps.btf, id, spec, deps.btf.vmlinux.btf),
    }));
    const request: PrivilegedVerifyRequest = {
      prog_type: checked.progType,
      ...(checked.expectedAttachType !== 0 && { expected_attach_type: checked.expectedAttachType }),
      insns: checked.insns,
      license: checked.license,
      ...(checked.logLevel !== 0 && { log_level: checked.logLevel }),
      ...(checked.logSize !== undefined && { log_size: checked.logSize }),
      maps,
      ...(privileges && { privileges }),
      ...btfForVerifier(progBtf),
      // attach_func and kernel_btf as `bpfhive verify` builds them (uapi): the kernel structs the
      // maps' kptrs point to, and the types the attach function's arguments walk to (btf_struct_access).
      ...verifierKernelRequest(deps.btf.vmlinux.btf, checked.insns, {
        progType: checked.progType,
        kptrStructIds: maps.flatMap((m) => m.kptrs?.map((k) => k.btf_id) ?? []),
        ...(progBtf.attachProto && { attachBtfId: progBtf.attachBtfId, attachBtf: deps.btf.find(progBtf.attachBtfObjId)?.btf }),
      }),
    };
    const verdict = await deps.verifier.verify(request);
    if (!isAccepted(verdict)) throw rejection(verdict);
    // Dead code becomes `ja -1` (sanitize_dead_code) before the kernel's own checks and the
    // compiler see the program: only calls some path reaches must name helpers and kfuncs it has.
    const dead = deadInstructions(checked.insns, verdict.facts);
    const xlated = sanitizeDeadCode(rewriteKsyms(rewriteMapReferences(checked.insns, refs, held), deps.percpu), dead);
    checkHelperCalls(xlated, gplCompatible, deps.implemented, (id, off) => deps.kfuncs.get(id, off) !== undefined);
    const probeLoads = probeLoadsOf(xlated, verdict.facts);
    const compiled: CompiledModule = await deps.compiler.compile({
      insns: xlated, ...(checked.name && { name: checked.name }), maps: inlineMapsOf([...held.values()]), ...(probeLoads.length > 0 && { probeLoads }),
    });
    const program: LoadedProgram = {
      id: deps.table.reserveId(),
      type: checked.progType,
      expectedAttachType: checked.expectedAttachType,
      name: checked.name,
      tag: programTag(checked.insns),
      license: checked.license,
      gplCompatible,
      flags: checked.flags,
      insns: checked.insns,
      xlated,
      compiled,
      maps: [...held.values()],
      loadTime: deps.clock.monotonicNs(),
      createdByUid: checked.uid,
      verifierStats: verdict.stats,
      verifierFacts: verdict.facts,
      btf: { btfId: progBtf.btfId, attachBtfId: progBtf.attachBtfId, attachBtfObjId: progBtf.attachBtfObjId, attachTo: progBtf.attachTo },
      stats: { runTimeNs: 0n, runCount: 0n, recursionMisses: 0n },
    };
    deps.table.add(program);
    return {
      program,
      stats: verdict.stats,
      ...(checked.logLevel !== 0 && { log: verdict.log, ...(verdict.log_true_size !== undefined && { logTrueSize: verdict.log_true_size }) }),
    };
  } catch (e) {
    for (const id of held.keys()) deps.maps.put(id);
    releaseProgBtf(deps.btf, progBtf);
    throw e;
  }
}

/** The verifier's share of the program's BTF: its functions and lines. */
function btfForVerifier(btf: ResolvedProgBtf): Pick<PrivilegedVerifyRequest, 'func_info' | 'line_info'> {
  return {
    ...(btf.funcInfo.length > 0 && { func_info: btf.funcInfo }),
    ...(btf.lineInfo.length > 0 && { line_info: btf.lineInfo }),
  };
}

/**
 * The instruction indexes of the loads the verifier found through kernel struct pointers (its
 * facts' `probe_mem_loads`, slot indices): the kernel runs them as BPF_PROBE_MEM loads.
 */
function probeLoadsOf(insns: readonly Instruction[], facts: unknown): number[] {
  const slots = (facts as { probe_mem_loads?: unknown } | undefined)?.probe_mem_loads;
  if (!Array.isArray(slots) || slots.length === 0) return [];
  const bySlot = new Map(slotIndex(insns).map((slot, i) => [slot, i]));
  return slots.flatMap((s) => (typeof s === 'number' && bySlot.has(s) && bySlot.get(s)! < insns.length ? [bySlot.get(s)!] : []));
}

/** Only an explicit 'accept' with its statistics counts; anything else is a rejection. */
function isAccepted(result: VerifyResult | undefined): result is VerifyResult {
  return result?.verdict === 'accept' && typeof result.stats === 'object' && result.stats !== null;
}

