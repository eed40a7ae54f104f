import type { Instruction } from '../insn/instruction.js';
import { imm64Of } from '../insn/instruction.js';
import {
  ADDR_SPACE_CAST,
  AluOp,
  AtomicOp,
  Endian,
  InsnClass,
  JmpOp,
  Mode,
  PseudoCall,
  PseudoLdImm64,
  Size,
  Source,
  classOf,
  sizeBytes,
} from '../insn/opcode.js';
import { checkInstruction } from '../insn/validate.js';

/**
 * One instruction in LLVM's BPF assembly syntax, as `llvm-objdump -d --mattr=+alu32` prints it
 * (LLVM 14 for everything it knows; LLVM 17-21's spellings for the cpu-v4 and newer Linux
 * instructions), without the address, the bytes and the `<sym+0x..>` jump annotation.
 *
 * The 32-bit views follow `--mattr=+alu32`: 32-bit arithmetic and jumps name `wN`, and so do
 * the value registers of 1, 2 and 4-byte loads, stores and atomics.
 *
 * Forms LLVM 14 does not print the way the kernel reads them:
 * - `callx` names the register in dst (the kernel, the conformance suite and LLVM 17+);
 *   LLVM 14 reads it from imm.
 * - `r1 s/= r2`, `r1 = (s8)r2`, `r1 = addr_space_cast(r2, 0, 1)`, `w0 = load_acquire(...)`:
 *   LLVM 14 ignores the field that makes them new and prints an older instruction, or
 *   `<unknown>`.
 */

/** How pseudo instructions are spelled. */
export type PseudoStyle = 'llvm' | 'explicit';

export interface FormatOptions {
  /**
   * `llvm` (default): as llvm-objdump, which drops what its syntax cannot hold: every call is
   * `call IMM` whatever its src, and `ld_pseudo` shows the first slot's imm (unsigned) only.
   *
   * `explicit`: nothing is dropped. A bpf-to-bpf call (src 1) is `call pc+4` as the kernel's
   * verifier log spells it; a kfunc call (src 2) is `call kfunc#ID`, followed by
   * ` (fd_array[N])` when off names a module BTF; `ld_pseudo` gets a fourth operand, the second
   * slot's imm, when it is not zero (`ld_pseudo\tr1, 2, 4, 8`: map 4, value offset 8).
   */
  readonly pseudo?: PseudoStyle;
}

/** What llvm-objdump prints for bytes it cannot decode; also returned for invalid instructions. */
export const UNKNOWN_INSN = '<unknown>';

/**
 * The instruction in LLVM syntax. Never throws: an instruction `checkInstruction` rejects
 * prints as `<unknown>`, as llvm-objdump prints bytes it cannot decode.
 */
export function formatInstruction(insn: Instruction, options: FormatOptions = {}): string {
  if (checkInstruction(insn) !== undefined) return UNKNOWN_INSN;
  switch (classOf(insn.opcode)) {
    case InsnClass.ALU:
    case InsnClass.ALU64:
      return formatAlu(insn);
    case InsnClass.JMP:
    case InsnClass.JMP32:
      return formatJmp(insn, options.pseudo ?? 'llvm');
    case InsnClass.LD:
      return formatLd(insn, options.pseudo ?? 'llvm');
    case InsnClass.LDX:
      return formatLdx(insn);
    case InsnClass.ST:
      return `${memRef(insn, insn.dst)} = ${insn.imm}`;
    case InsnClass.STX:
      return formatStx(insn);
  }
}

// --- operands ---------------------------------------------------------------------------------

const reg = (wide: boolean, n: number): string => `${wide ? 'r' : 'w'}${n}`;

/** A jump offset: explicit sign, `+0` included. */
const relative = (n: number): string => (n >= 0 ? `+${n}` : `${n}`);

/** `r1 + 3`, `r0 - 32768`, `r1 + 0`. */
const address = (base: number, off: number): string => `r${base} ${off < 0 ? '-' : '+'} ${Math.abs(off)}`;

const bitsOf = (insn: Instruction): number => sizeBytes((insn.opcode & 0x18) as Size) * 8;
const isDw = (insn: Instruction): boolean => (insn.opcode & 0x18) === Size.DW;

/** `*(u32 *)(r1 + 3)` with the base register in `base`. */
const memRef = (insn: Instruction, base: number, sign = 'u'): string =>
  `*(${sign}${bitsOf(insn)} *)(${address(base, insn.off)})`;

// --- arithmetic -------------------------------------------------------------------------------

const ALU_OPERATORS: Partial<Record<number, string>> = {
  [AluOp.ADD]: '+=',
  [AluOp.SUB]: '-=',
  [AluOp.MUL]: '*=',
  [AluOp.DIV]: '/=',
  [AluOp.OR]: '|=',
  [AluOp.AND]: '&=',
  [AluOp.LSH]: '<<=',
  [AluOp.RSH]: '>>=',
  [AluOp.MOD]: '%=',
  [AluOp.XOR]: '^=',
  [AluOp.ARSH]: 's>>=',
};

function formatAlu(insn: Instruction): string {
  const wide = classOf(insn.opcode) === InsnClass.ALU64;
  const op = insn.opcode & 0xf0;
  const bySrc = (insn.opcode & 0x08) === Source.X;
  const dst = reg(wide, insn.dst);
  const operand = bySrc ? reg(wide, insn.src) : `${insn.imm}`;
  switch (op) {
    case AluOp.NEG:
      return `${dst} = -${dst}`;
    case AluOp.END: {
      // The byte swaps always name the 64-bit register.
      const name = wide ? 'bswap' : (insn.opcode & 0x08) === Endian.TO_BE ? 'be' : 'le';
      return `r${insn.dst} = ${name}${insn.imm} r${insn.dst}`;
    }
    case AluOp.MOV:
      if (!bySrc || insn.off === 0) return `${dst} = ${operand}`;
      if (wide && insn.off === ADDR_SPACE_CAST) {
        return `${dst} = addr_space_cast(r${insn.src}, ${insn.imm >>> 16}, ${insn.imm & 0xffff})`;
      }
      return `${dst} = (s${insn.off})${operand}`;
    default: {
      const signed = (op === AluOp.DIV || op === AluOp.MOD) && insn.off === 1 ? 's' : '';
      return `${dst} ${signed}${ALU_OPERATORS[op]} ${operand}`;
    }
  }
}

// --- jumps and calls --------------------------------------------------------------------------

const CONDITIONS: Partial<Record<number, string>> = {
  [JmpOp.JEQ]: '==',
  [JmpOp.JGT]: '>',
  [JmpOp.JGE]: '>=',
  [JmpOp.JSET]: '&',
  [JmpOp.JNE]: '!=',
  [JmpOp.JSGT]: 's>',
  [JmpOp.JSGE]: 's>=',
  [JmpOp.JLT]: '<',
  [JmpOp.JLE]: '<=',
  [JmpOp.JSLT]: 's<',
  [JmpOp.JSLE]: 's<=',
};

function formatJmp(insn: Instruction, pseudo: PseudoStyle): string {
  const wide = classOf(insn.opcode) === InsnClass.JMP;
  const op = insn.opcode & 0xf0;
  const bySrc = (insn.opcode & 0x08) === Source.X;
  switch (op) {
    case JmpOp.JA:
      return wide ? `goto ${relative(insn.off)}` : `gotol ${relative(insn.imm)}`;
    case JmpOp.CALL:
      return bySrc ? `callx r${insn.dst}` : formatCall(insn, pseudo);
    case JmpOp.EXIT:
      return 'exit';
    case JmpOp.JCOND:
      return `may_goto ${relative(insn.off)}`;
    default: {
      const operand = bySrc ? reg(wide, insn.src) : `${insn.imm}`;
      return `if ${reg(wide, insn.dst)} ${CONDITIONS[op]} ${operand} goto ${relative(insn.off)}`;
    }
  }
}

function formatCall(insn: Instruction, pseudo: PseudoStyle): string {
  if (pseudo === 'explicit' && insn.src === PseudoCall.LOCAL) return `call pc${relative(insn.imm)}`;
  if (pseudo === 'explicit' && insn.src === PseudoCall.KFUNC) {
    return `call kfunc#${insn.imm}${insn.off !== 0 ? ` (fd_array[${insn.off}])` : ''}`;
  }
  return `call ${insn.imm}`;
}

// --- loads and stores -------------------------------------------------------------------------

function formatLd(insn: Instruction, pseudo: PseudoStyle): string {
  const mode = insn.opcode & 0xe0;
  if (mode === Mode.IMM) {
    if (insn.src === PseudoLdImm64.IMM64) return `r${insn.dst} = ${imm64Of(insn)} ll`;
    const imm2 = insn.imm2 ?? 0;
    const extra = pseudo === 'explicit' && imm2 !== 0 ? `, ${imm2}` : '';
    return `ld_pseudo\tr${insn.dst}, ${insn.src}, ${insn.imm >>> 0}${extra}`;
  }
  // LLVM prints LD_IND as skb[rN] and drops the immediate; keep it when it is not 0.
  const index =
    mode === Mode.ABS ? `${insn.imm}` : insn.imm === 0 ? `r${insn.src}` : `r${insn.src} ${insn.imm < 0 ? '-' : '+'} ${Math.abs(insn.imm)}`;
  return `r0 = *(u${bitsOf(insn)} *)skb[${index}]`;
}

function formatLdx(insn: Instruction): string {
  if ((insn.opcode & 0xe0) === Mode.MEMSX) return `r${insn.dst} = ${memRef(insn, insn.src, 's')}`;
  return `${reg(isDw(insn), insn.dst)} = ${memRef(insn, insn.src)}`;
}

const ATOMIC_OPERATORS: Partial<Record<number, { sign: string; name: string }>> = {
  [AtomicOp.ADD]: { sign: '+', name: 'add' },
  [AtomicOp.OR]: { sign: '|', name: 'or' },
  [AtomicOp.AND]: { sign: '&', name: 'and' },
  [AtomicOp.XOR]: { sign: '^', name: 'xor' },
};

function formatStx(insn: Instruction): string {
  const wide = isDw(insn);
  const src = reg(wide, insn.src);
  if ((insn.opcode & 0xe0) === Mode.MEM) return `${memRef(insn, insn.dst)} = ${src}`;
  const bits = bitsOf(insn);
  const at = address(insn.dst, insn.off);
  switch (insn.imm) {
    case AtomicOp.LOAD_ACQ:
      // The loaded register is dst, the address is in src.
      return `${reg(wide, insn.dst)} = load_acquire((u${bits} *)(${address(insn.src, insn.off)}))`;
    case AtomicOp.STORE_REL:
      return `store_release((u${bits} *)(${at}), ${src})`;
    case AtomicOp.XCHG:
      return wide ? `${src} = xchg_64(${at}, ${src})` : `${src} = xchg32_32(${at}, ${src})`;
    case AtomicOp.CMPXCHG:
      return wide ? `r0 = cmpxchg_64(${at}, r0, ${src})` : `w0 = cmpxchg32_32(${at}, w0, ${src})`;
  }
  const operator = ATOMIC_OPERATORS[insn.imm & ~AtomicOp.FETCH];
  if (operator === undefined) return UNKNOWN_INSN; // unreachable: checkInstruction accepted it
  if (insn.imm & AtomicOp.FETCH) return `${src} = atomic_fetch_${operator.name}((u${bits} *)(${at}), ${src})`;
  return `lock *(u${bits} *)(${at}) ${operator.sign}= ${src}`;
}
