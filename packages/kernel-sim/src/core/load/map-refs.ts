import { ArrayMap } from '@bpfhive/maps-store';
import { BpfError, type Instruction, LD_IMM64, MapType, PseudoLdImm64, insn, mapTypeName, splitImm64 } from '@bpfhive/uapi';
import type { KernelMap } from '../maps/kernel-maps.js';

/** A `lddw` that names a map: by id (BPF_PSEUDO_MAP_FD) or one of its values (BPF_PSEUDO_MAP_VALUE). */
export interface MapReference {
  readonly insnIndex: number;
  readonly kind: typeof PseudoLdImm64.MAP_FD | typeof PseudoLdImm64.MAP_VALUE;
  readonly mapId: number;
  /** BPF_PSEUDO_MAP_VALUE: the byte offset into the value (the second slot's imm). */
  readonly offset: number;
}

const fail = (index: number, reason: string): BpfError => new BpfError('EINVAL', `load program: instruction ${index}: ${reason}`);

/**
 * The map references of a program, in order (resolve_pseudo_ldimm64's first half). EINVAL for a
 * map-fd load whose second immediate is not zero and for the pseudo loads bpfhive does not resolve
 * yet (fd_array indexes). Function addresses (src 4) are the JIT's business; kernel variables
 * (src 3, BPF_PSEUDO_BTF_ID) the verifier judges and kfuncs/ksym-refs.ts resolves.
 */
export function findMapReferences(insns: readonly Instruction[]): MapReference[] {
  const refs: MapReference[] = [];
  insns.forEach((i, index) => {
    if (i.opcode !== LD_IMM64 || i.src === PseudoLdImm64.IMM64 || i.src === PseudoLdImm64.FUNC || i.src === PseudoLdImm64.BTF_ID) return;
    switch (i.src) {
      case PseudoLdImm64.MAP_FD:
        if ((i.imm2 ?? 0) !== 0) throw fail(index, 'unrecognized bpf_ld_imm64 insn (a map reference with a non-zero second immediate)');
        refs.push({ insnIndex: index, kind: PseudoLdImm64.MAP_FD, mapId: i.imm >>> 0, offset: 0 });
        return;
      case PseudoLdImm64.MAP_VALUE:
        refs.push({ insnIndex: index, kind: PseudoLdImm64.MAP_VALUE, mapId: i.imm >>> 0, offset: (i.imm2 ?? 0) >>> 0 });
        return;
      default:
        throw fail(index, `lddw with src_reg ${i.src} (fd_array indexes) is not supported yet`);
    }
  });
  return refs;
}

/** The distinct map ids of `refs`, in first-use order. */
export const referencedMapIds = (refs: readonly MapReference[]): number[] => [...new Set(refs.map((r) => r.mapId))];

/**
 * The instructions as the kernel runs them (resolve_pseudo_ldimm64's second half): each map
 * reference becomes a plain 64-bit constant — the map's handle, or the address of the value plus
 * the offset (map_direct_value_addr: only single-element ARRAY maps have one; EINVAL for an
 * offset past the value, for other map types, ENOTSUPP for arrays of more than one element).
 */
export function rewriteMapReferences(insns: readonly Instruction[], refs: readonly MapReference[], maps: ReadonlyMap<number, KernelMap>): Instruction[] {
  const out = [...insns];
  for (const ref of refs) {
    const held = maps.get(ref.mapId)!;
    const value = ref.kind === PseudoLdImm64.MAP_FD ? BigInt(held.handle) : BigInt(directValueAddress(ref, held));
    const { imm, imm2 } = splitImm64(value);
    const original = insns[ref.insnIndex]!;
    out[ref.insnIndex] = insn(LD_IMM64, original.dst, PseudoLdImm64.IMM64, 0, imm, imm2);
  }
  return out;
}

function directValueAddress(ref: MapReference, held: KernelMap): number {
  const { map } = held;
  const type = mapTypeName(map.spec.map_type) ?? String(map.spec.map_type);
  if (map.spec.map_type !== MapType.ARRAY || !(map instanceof ArrayMap)) {
    throw fail(ref.insnIndex, `no direct value access support for map ${held.id} (${type})`);
  }
  if (map.spec.max_entries !== 1) {
    throw new BpfError('ENOTSUPP', `load program: instruction ${ref.insnIndex}: direct value access needs an array of one element; map ${held.id} has ${map.spec.max_entries}`);
  }
  if (ref.offset >= map.spec.value_size) {
    throw fail(ref.insnIndex, `direct value offset of ${ref.offset} is not allowed (map ${held.id} values are ${map.spec.value_size} bytes)`);
  }
  return map.base + ref.offset;
}
