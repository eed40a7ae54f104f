import { HelperId, InsnClass, type Instruction, JmpOp, PseudoCall } from '@bpfhive/uapi';
import type { HashInlineMap } from '../kernel/hash-table.js';
import { type InlineMap, indexInlineMaps } from '../kernel/inline-maps.js';
import { KERNEL_DATA_HELPERS, type KernelDataRead } from '../kernel/kernel-data.js';
import type { ProgramCfg } from './cfg.js';
import { hashLayoutKey } from './hash-lookup.js';
import { constantsAt } from './register-constants.js';

/**
 * Which helper calls the JIT replaces by code of its own, as Linux inlines some helpers:
 * - with `inlineKernelData`, the helpers of KERNEL_DATA_HELPERS become reads of the CPU's kernel
 *   data block (kernel-data.ts), bpf_get_prandom_u32 a step of its state there;
 * - `bpf_map_lookup_elem` where r1 holds, on every path to the call, the pointer of a map in
 *   `maps` (register-constants.ts) becomes that map's address arithmetic (inline-maps.ts), or for
 *   a hash map a call of the module's own lookup function (hash-lookup.ts); a per-CPU map only
 *   with `inlineKernelData` (its CPU is in the block).
 * Every other call stays a call to the embedder's helper.
 */
export interface InlineOptions {
  readonly maps?: readonly InlineMap[];
  readonly inlineKernelData?: boolean;
}

export type InlinedCall =
  | { readonly kind: 'kernel-data'; readonly read: KernelDataRead }
  | { readonly kind: 'map-lookup'; readonly map: InlineMap };

const CALL = InsnClass.JMP | JmpOp.CALL;

/**
 * The calls to inline, by instruction index. `lddw(i)` is the unsigned 64-bit value `lddw`
 * instruction i loads. Throws RangeError for bad map descriptors (indexInlineMaps).
 */
export function planInlining(insns: readonly Instruction[], cfg: ProgramCfg, lddw: (insnIndex: number) => bigint, options: InlineOptions): Map<number, InlinedCall> {
  const plan = new Map<number, InlinedCall>();
  const maps = indexInlineMaps(options.maps ?? []);
  const kernelData = options.inlineKernelData === true;
  for (const fn of cfg.functions) {
    const lookups = new Set<number>();
    for (let i = fn.start; i < fn.end; i++) {
      const insn = insns[i]!;
      if (insn.opcode !== CALL || insn.src !== PseudoCall.HELPER) continue;
      const read = kernelData ? KERNEL_DATA_HELPERS.get(insn.imm) : undefined;
      if (read) plan.set(i, { kind: 'kernel-data', read });
      else if (insn.imm === HelperId.map_lookup_elem && maps.size > 0) lookups.add(i);
    }
    if (lookups.size === 0) continue;
    for (const [i, pointer] of constantsAt(insns, fn, lddw, lookups, 1)) {
      const map = maps.get(pointer);
      if (map && (!perCpu(map) || kernelData)) plan.set(i, { kind: 'map-lookup', map });
    }
  }
  return plan;
}

/** Whether a lookup in `map` gives the current CPU's value (read from the kernel data block). */
const perCpu = (map: InlineMap): boolean => map.kind === 'percpu_array' || (map.kind === 'hash' && map.cpuStride !== undefined);

/** Whether inlined code reads the kernel data block (the module then imports its address). */
export function readsKernelData(plan: ReadonlyMap<number, InlinedCall>): boolean {
  for (const call of plan.values()) if (call.kind === 'kernel-data' || perCpu(call.map)) return true;
  return false;
}

/** The hash maps whose lookups the plan inlines, one per layout (hash-lookup.ts), in program order. */
export function hashLayouts(plan: ReadonlyMap<number, InlinedCall>): HashInlineMap[] {
  const byLayout = new Map<string, HashInlineMap>();
  for (const i of [...plan.keys()].sort((a, b) => a - b)) {
    const call = plan.get(i)!;
    if (call.kind === 'map-lookup' && call.map.kind === 'hash' && !byLayout.has(hashLayoutKey(call.map))) byLayout.set(hashLayoutKey(call.map), call.map);
  }
  return [...byLayout.values()];
}
