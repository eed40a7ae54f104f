import type { Instruction } from './instruction.js';
import {
  ADDR_SPACE_CAST,
  AluOp,
  AtomicOp,
  InsnClass,
  JmpOp,
  MAX_REG,
  Mode,
  PseudoCall,
  PseudoLdImm64,
  Size,
  Source,
  classOf,
} from './opcode.js';

/**
 * Structural validity of one instruction: a known opcode, registers in range, and every field
 * the opcode does not use set to zero (RFC 9669 §3, and the Linux extensions).
 *
 * Returns undefined when valid, else the reason, phrased for a person. Semantic rules (which
 * helper, which map, jump targets) belong to the verifier, not here.
 */
export function checkInstruction(insn: Instruction): string | undefined {
  const { opcode, dst, src } = insn;
  if (dst > MAX_REG) return `invalid dst register r${dst} (registers are r0..r${MAX_REG})`;
  switch (classOf(opcode)) {
    case InsnClass.ALU:
    case InsnClass.ALU64:
      return checkAlu(insn);
    case InsnClass.JMP:
    case InsnClass.JMP32:
      return checkJmp(insn);
    case InsnClass.LD:
      return checkLd(insn);
    default:
      if (src > MAX_REG) return `invalid src register r${src} (registers are r0..r${MAX_REG})`;
      return checkLoadStore(insn);
  }
}

const UNKNOWN = 'unknown opcode';

const mustBeZero = (insn: Instruction, ...fields: ('dst' | 'src' | 'off' | 'imm')[]): string | undefined => {
  for (const f of fields) {
    if (insn[f] !== 0) return `reserved field ${f} must be 0, found ${insn[f]}`;
  }
  return undefined;
};

const srcRegister = (insn: Instruction): string | undefined =>
  insn.src > MAX_REG ? `invalid src register r${insn.src} (registers are r0..r${MAX_REG})` : undefined;

function checkAlu(insn: Instruction): string | undefined {
  const is64 = classOf(insn.opcode) === InsnClass.ALU64;
  const op = insn.opcode & 0xf0;
  const bySrc = (insn.opcode & 0x08) === Source.X;
  switch (op) {
    case AluOp.NEG:
      return bySrc ? UNKNOWN : mustBeZero(insn, 'src', 'off', 'imm');
    case AluOp.END:
      if (is64 && bySrc) return UNKNOWN;
      if (insn.imm !== 16 && insn.imm !== 32 && insn.imm !== 64) {
        return `byte swap width must be 16, 32 or 64, found ${insn.imm}`;
      }
      return mustBeZero(insn, 'src', 'off');
    case AluOp.MOV:
      if (!bySrc) return mustBeZero(insn, 'src', 'off');
      if (is64 && insn.off === ADDR_SPACE_CAST) {
        if (insn.imm !== 1 && insn.imm !== 1 << 16) return `address space cast takes imm 1 or 0x10000, found ${insn.imm}`;
        return srcRegister(insn);
      }
      if (![0, 8, 16, ...(is64 ? [32] : [])].includes(insn.off)) {
        return `sign-extending move takes off 8, 16${is64 ? ' or 32' : ''}, found ${insn.off}`;
      }
      return srcRegister(insn) ?? mustBeZero(insn, 'imm');
    case AluOp.DIV:
    case AluOp.MOD:
      if (insn.off !== 0 && insn.off !== 1) return `off selects unsigned (0) or signed (1) division, found ${insn.off}`;
      return bySrc ? (srcRegister(insn) ?? mustBeZero(insn, 'imm')) : mustBeZero(insn, 'src');
    case AluOp.ADD:
    case AluOp.SUB:
    case AluOp.MUL:
    case AluOp.OR:
    case AluOp.AND:
    case AluOp.LSH:
    case AluOp.RSH:
    case AluOp.XOR:
    case AluOp.ARSH:
      return bySrc ? (srcRegister(insn) ?? mustBeZero(insn, 'off', 'imm')) : mustBeZero(insn, 'src', 'off');
    default:
      return UNKNOWN;
  }
}

function checkJmp(insn: Instruction): string | undefined {
  const is32 = classOf(insn.opcode) === InsnClass.JMP32;
  const op = insn.opcode & 0xf0;
  const bySrc = (insn.opcode & 0x08) === Source.X;
  switch (op) {
    case JmpOp.JA:
      if (bySrc) return UNKNOWN;
      return is32 ? mustBeZero(insn, 'dst', 'src', 'off') : mustBeZero(insn, 'dst', 'src', 'imm');
    case JmpOp.CALL:
      if (is32) return UNKNOWN;
      if (bySrc) return mustBeZero(insn, 'src', 'off', 'imm'); // callx: the target is in dst
      if (insn.src !== PseudoCall.HELPER && insn.src !== PseudoCall.LOCAL && insn.src !== PseudoCall.KFUNC) {
        return `call src must be 0 (helper), 1 (bpf-to-bpf) or 2 (kfunc), found ${insn.src}`;
      }
      return insn.src === PseudoCall.KFUNC ? mustBeZero(insn, 'dst') : mustBeZero(insn, 'dst', 'off');
    case JmpOp.EXIT:
      return is32 || bySrc ? UNKNOWN : mustBeZero(insn, 'dst', 'src', 'off', 'imm');
    case JmpOp.JCOND:
      if (is32 || bySrc) return UNKNOWN;
      if (insn.src !== 0) return `conditional pseudo jump src must be 0 (may_goto), found ${insn.src}`;
      return mustBeZero(insn, 'dst', 'imm');
    case 0xf0:
      return UNKNOWN;
    default:
      return bySrc ? (srcRegister(insn) ?? mustBeZero(insn, 'imm')) : mustBeZero(insn, 'src');
  }
}

function checkLd(insn: Instruction): string | undefined {
  const mode = insn.opcode & 0xe0;
  const size = insn.opcode & 0x18;
  if (mode === Mode.IMM) {
    if (size !== Size.DW) return UNKNOWN;
    if (insn.src > PseudoLdImm64.MAP_IDX_VALUE) return `64-bit immediate load src must be 0..6, found ${insn.src}`;
    return mustBeZero(insn, 'off');
  }
  if (mode === Mode.ABS || mode === Mode.IND) {
    if (size === Size.DW) return UNKNOWN;
    if (mode === Mode.ABS) return mustBeZero(insn, 'dst', 'src', 'off');
    return srcRegister(insn) ?? mustBeZero(insn, 'dst', 'off');
  }
  return UNKNOWN;
}

const RMW_ATOMICS: readonly number[] = [AtomicOp.ADD, AtomicOp.OR, AtomicOp.AND, AtomicOp.XOR].flatMap((op) => [
  op,
  op | AtomicOp.FETCH,
]);

function checkLoadStore(insn: Instruction): string | undefined {
  const cls = classOf(insn.opcode);
  const mode = insn.opcode & 0xe0;
  const size = insn.opcode & 0x18;
  if (cls === InsnClass.LDX) {
    if (mode === Mode.MEM) return mustBeZero(insn, 'imm');
    if (mode === Mode.MEMSX) return size === Size.DW ? UNKNOWN : mustBeZero(insn, 'imm');
    return UNKNOWN;
  }
  if (cls === InsnClass.ST) return mode === Mode.MEM ? mustBeZero(insn, 'src') : UNKNOWN;
  // STX
  if (mode === Mode.MEM) return mustBeZero(insn, 'imm');
  if (mode !== Mode.ATOMIC) return UNKNOWN;
  if (insn.imm === AtomicOp.LOAD_ACQ || insn.imm === AtomicOp.STORE_REL) return undefined;
  if (size !== Size.W && size !== Size.DW) return 'atomic read-modify-write operations take 32 or 64-bit operands';
  if (RMW_ATOMICS.includes(insn.imm) || insn.imm === AtomicOp.XCHG || insn.imm === AtomicOp.CMPXCHG) return undefined;
  return `unknown atomic operation 0x${insn.imm.toString(16)}`;
}
