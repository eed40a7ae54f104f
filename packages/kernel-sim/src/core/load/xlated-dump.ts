import { ArrayMap } from '@bpfhive/maps-store';
import { type Instruction, LD_IMM64, MapType, PseudoLdImm64, imm64Of, insn } from '@bpfhive/uapi';
import type { KernelMap } from '../maps/kernel-maps.js';

/** A 64-bit constant the kernel put in place of a map reference, named back. */
interface MapConstant {
  readonly kind: typeof PseudoLdImm64.MAP_FD | typeof PseudoLdImm64.MAP_VALUE;
  readonly mapId: number;
  readonly offset: number;
}

/**
 * bpf_map_from_imm: the map a constant points at — a held map's pointer (BPF_PSEUDO_MAP_FD), or
 * an address inside an ARRAY map's values (BPF_PSEUDO_MAP_VALUE, with the offset from the first
 * value) — or undefined for any other constant.
 */
function mapFromImm(value: bigint, maps: readonly KernelMap[]): MapConstant | undefined {
  for (const { id, map, handle } of maps) {
    if (value === BigInt(handle)) return { kind: PseudoLdImm64.MAP_FD, mapId: id, offset: 0 };
    if (!(map instanceof ArrayMap) || map.spec.map_type !== MapType.ARRAY) continue;
    const offset = value - BigInt(map.base);
    if (offset >= 0n && offset < BigInt(map.stride) * BigInt(map.spec.max_entries)) {
      return { kind: PseudoLdImm64.MAP_VALUE, mapId: id, offset: Number(offset) };
    }
  }
  return undefined;
}

/**
 * The instructions as BPF_OBJ_GET_INFO_BY_FD's xlated_prog_insns gives them
 * (bpf_insn_prepare_dump, kernel/bpf/syscall.c): the instructions the kernel runs, with every
 * 64-bit load of a map's pointer or of an address in its value turned back into a reference by
 * map id (src_reg 1, imm the id; src_reg 2, imm the id and the second imm the offset), so a
 * dump names maps as bpftool prints them. Other constants stay as they are.
 */
export function xlatedForDump(xlated: readonly Instruction[], maps: readonly KernelMap[]): Instruction[] {
  return xlated.map((i) => {
    if (i.opcode !== LD_IMM64 || i.src !== PseudoLdImm64.IMM64) return i;
    const ref = mapFromImm(imm64Of(i), maps);
    return ref ? insn(LD_IMM64, i.dst, ref.kind, i.off, ref.mapId, ref.offset) : i;
  });
}
