/**
 * Checks done on the instructions alone before any path is explored: every instruction is
 * well-formed (known opcode, registers, reserved fields zero), and every map or function a
 * `lddw` names exists and may be used by this program (the kernel's resolve_pseudo_ldimm64 and
 * check_map_prog_compatibility). Errors name the instruction by its slot index.
 */
import { InsnClass, LD_IMM64, MapType, PseudoLdImm64, checkInstruction } from '@bpfhive/uapi';
import { VerifierError } from './errors.js';
import type { KernelTypes } from './kernel-btf.js';
import { pseudoBtfIdFault } from './ksym.js';
import type { MapInfo } from './map-info.js';
import type { Slots } from './slots.js';
import { timerProgTypeError } from './timer.js';
import type { Errno } from './types.js';

/** A failure before exploration, naming the instruction. */
export class InsnError extends VerifierError {
  constructor(
    errno: Errno,
    message: string,
    readonly insn: number,
  ) {
    super(errno, message);
  }
}

const CLASS_NAME: Record<number, string> = {
  [InsnClass.LD]: 'BPF_LD_[ABS|IND]',
  [InsnClass.LDX]: 'BPF_LDX',
  [InsnClass.ST]: 'BPF_ST',
  [InsnClass.STX]: 'BPF_STX',
  [InsnClass.ALU]: 'BPF_ALU',
  [InsnClass.ALU64]: 'BPF_ALU',
  [InsnClass.JMP]: 'BPF_JMP/JMP32',
  [InsnClass.JMP32]: 'BPF_JMP/JMP32',
};

/** The kernel-style reason an instruction is malformed, or undefined. */
function malformed(slots: Slots, i: number): string | undefined {
  const insn = slots[i]!;
  const why = checkInstruction(insn);
  if (!why) return undefined;
  if (why === 'unknown opcode') return `unknown opcode ${insn.opcode.toString(16).padStart(2, '0')}`;
  if (insn.opcode === LD_IMM64) return 'invalid bpf_ld_imm64 insn';
  if (why.startsWith('reserved field')) return `${CLASS_NAME[insn.opcode & 0x07]} uses reserved fields`;
  if (why.startsWith('invalid')) return `R${why.includes('src') ? insn.src : insn.dst} is invalid`;
  return why;
}

/** Program types that run in tracing context (is_tracing_prog_type). */
const TRACING_TYPES = new Set([2, 5, 7, 17, 24, 26]);

/** Validates every instruction and the maps `lddw` names; returns the map ids used. */
export function validateInsns(slots: Slots, maps: ReadonlyMap<number, MapInfo>, progType: number, kernel?: KernelTypes): Set<number> {
  const used = new Set<number>();
  for (let i = 0; i < slots.length; i++) {
    const insn = slots[i];
    if (!insn) continue;
    const why = malformed(slots, i);
    if (why) throw new InsnError('EINVAL', why, i);
    if (insn.opcode !== LD_IMM64) continue;
    if (insn.src === PseudoLdImm64.MAP_IDX || insn.src === PseudoLdImm64.MAP_IDX_VALUE) {
      throw new InsnError('EINVAL', 'fd_idx without fd_array is invalid', i);
    }
    if (insn.src === PseudoLdImm64.BTF_ID) {
      const fault = pseudoBtfIdFault(kernel, insn.imm, insn.imm2 ?? 0);
      if (fault) throw new InsnError(fault.errno, fault.message, i);
      continue;
    }
    if (insn.src !== PseudoLdImm64.MAP_FD && insn.src !== PseudoLdImm64.MAP_VALUE) continue;
    const map = maps.get(insn.imm);
    if (!map) throw new InsnError('EBADF', `fd ${insn.imm} is not pointing to valid bpf_map`, i);
    if (insn.src === PseudoLdImm64.MAP_VALUE) {
      const off = (insn.imm2 ?? 0) >>> 0;
      if (map.type !== MapType.ARRAY || map.maxEntries !== 1) {
        throw new InsnError('EINVAL', 'no direct value access support for this map type', i);
      }
      if (off >= map.valueSize) {
        throw new InsnError('EINVAL', `invalid access to map value pointer, value_size=${map.valueSize} off=${off}`, i);
      }
    } else if ((insn.imm2 ?? 0) !== 0) {
      throw new InsnError('EINVAL', 'unrecognized bpf_ld_imm64 insn', i);
    }
    if (map.spinLockOff !== undefined) {
      if (progType === 1) throw new InsnError('EINVAL', 'socket filter progs cannot use bpf_spin_lock yet', i);
      if (TRACING_TYPES.has(progType)) throw new InsnError('EINVAL', 'tracing progs cannot use bpf_spin_lock yet', i);
    }
    const timerError = timerProgTypeError(map, progType);
    if (timerError) throw new InsnError('EINVAL', timerError, i);
    if (map.type === MapType.STRUCT_OPS) throw new InsnError('EINVAL', 'bpf_struct_ops map cannot be used in prog', i);
    used.add(insn.imm);
  }
  return used;
}
