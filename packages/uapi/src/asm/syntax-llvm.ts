import { insn, splitImm64 } from '../insn/instruction.js';
import {
  ADDR_SPACE_CAST,
  AluOp,
  AtomicOp,
  CALL,
  CALLX,
  EXIT,
  Endian,
  InsnClass,
  JA,
  JA32,
  JmpOp,
  LD_IMM64,
  MAY_GOTO,
  Mode,
  PseudoCall,
  PseudoLdImm64,
  Size,
  Source,
} from '../insn/opcode.js';
import { AsmSyntaxError, type AsmItem } from './item.js';
import {
  OperandError,
  type RegisterWidth,
  type Target,
  isRegister,
  parseImm32,
  parseBits32,
  parseImm64,
  parseInteger,
  parseOff16,
  parseRegister,
  parseTarget,
  splitOperands,
} from './operands.js';

/**
 * LLVM's BPF assembly syntax, as `llvm-objdump -d` prints it and `llvm-mc -triple bpf` reads it:
 * `r0 = 1`, `w1 += w2`, `if r1 > r2 goto +3`, `r0 = *(u32 *)(r1 + 4)`,
 * `lock *(u64 *)(r0 + 0) += r1`, `r1 = 0x1122334455667788 ll`, plus the newer forms
 * (`r1 s/= r2`, `r1 = (s8)r2`, `r1 = bswap16 r1`, `gotol +3`, `may_goto +1`, `callx r2`,
 * `*(u32 *)(r10 - 8) = 1`, `r0 = load_acquire((u64 *)(r1 + 0))`, …).
 *
 * The register letter picks the class: `w` registers make 32-bit arithmetic and jumps.
 */

const COMPOUND_OPS: Record<string, { op: number; off?: number }> = {
  '+': { op: AluOp.ADD },
  '-': { op: AluOp.SUB },
  '*': { op: AluOp.MUL },
  '/': { op: AluOp.DIV },
  's/': { op: AluOp.DIV, off: 1 },
  '%': { op: AluOp.MOD },
  's%': { op: AluOp.MOD, off: 1 },
  '|': { op: AluOp.OR },
  '&': { op: AluOp.AND },
  '^': { op: AluOp.XOR },
  '<<': { op: AluOp.LSH },
  '>>': { op: AluOp.RSH },
  's>>': { op: AluOp.ARSH },
};

const CONDITIONS: Record<string, number> = {
  '==': JmpOp.JEQ,
  '!=': JmpOp.JNE,
  '>': JmpOp.JGT,
  '>=': JmpOp.JGE,
  '<': JmpOp.JLT,
  '<=': JmpOp.JLE,
  's>': JmpOp.JSGT,
  's>=': JmpOp.JSGE,
  's<': JmpOp.JSLT,
  's<=': JmpOp.JSLE,
  '&': JmpOp.JSET,
};

const ATOMIC_COMPOUND: Record<string, number> = { '+': AtomicOp.ADD, '|': AtomicOp.OR, '&': AtomicOp.AND, '^': AtomicOp.XOR };
const ATOMIC_FETCH: Record<string, number> = { add: AtomicOp.ADD, or: AtomicOp.OR, and: AtomicOp.AND, xor: AtomicOp.XOR };

const SIZE_BITS: Record<string, number> = { '8': Size.B, '16': Size.H, '32': Size.W, '64': Size.DW };

const NUM = String.raw`[+-]?(?:0x[0-9a-fA-F]+|\d+)`;
const REG = String.raw`[rw]\d+`;
/** `(rN + off)`, `(rN - off)` or `(rN)`. */
const ADDR = String.raw`\(\s*([rw]\d+)\s*(?:([+-])\s*(\w+))?\s*\)`;
/** `*(u32 *)` or `(u32 *)` with the sign letter and the width captured. */
const PTR = String.raw`\(\s*([us])(8|16|32|64)\s*\*\s*\)`;

function width(token: string): { reg: number; width: RegisterWidth } {
  return parseRegister(token);
}

function sameWidth(a: RegisterWidth, token: string): number {
  const r = parseRegister(token);
  if (r.width !== a) throw new OperandError(`register ${token} does not match the ${a === 'w' ? '32' : '64'}-bit operation`);
  return r.reg;
}

function address(reg: string, sign: string | undefined, off: string | undefined): { reg: number; off: number } {
  const base = parseRegister(reg);
  if (base.width !== 'r') throw new OperandError(`a memory address takes a 64-bit register, found ${reg}`);
  return { reg: base.reg, off: off === undefined ? 0 : parseOff16(`${sign}${off}`) };
}

function size(bits: string): number {
  const s = SIZE_BITS[bits];
  if (s === undefined) throw new OperandError(`unknown access width u${bits}`);
  return s;
}

function withTarget(base: ReturnType<typeof insn>, target: Target, field: 'off' | 'imm'): AsmItem {
  if (target.kind === 'label') return { insn: base, fixup: { label: target.name, field } };
  return { insn: { ...base, [field]: target.value } };
}

/** Lines that do not assign: jumps, calls, exit, stores, `lock`, `ld_pseudo`, `store_release`. */
function statement(line: string): AsmItem | undefined {
  let m: RegExpExecArray | null;
  if (line === 'exit') return { insn: insn(EXIT, 0, 0, 0, 0) };
  if ((m = /^(goto|gotol|may_goto)\s+(\S+)$/.exec(line))) {
    if (m[1] === 'gotol') return withTarget(insn(JA32, 0, 0, 0, 0), parseTarget(m[2]!, 32), 'imm');
    return withTarget(insn(m[1] === 'goto' ? JA : MAY_GOTO, 0, 0, 0, 0), parseTarget(m[2]!, 16), 'off');
  }
  if ((m = new RegExp(String.raw`^if\s+(${REG})\s+(s?[<>]=?|==|!=|&)\s+(\S+)\s+goto\s+(\S+)$`).exec(line))) {
    const op = CONDITIONS[m[2]!];
    if (op === undefined) throw new AsmSyntaxError(`unknown condition '${m[2]}'`);
    const dst = width(m[1]!);
    const cls = dst.width === 'w' ? InsnClass.JMP32 : InsnClass.JMP;
    const base = isRegister(m[3]!)
      ? insn(cls | op | Source.X, dst.reg, sameWidth(dst.width, m[3]!), 0, 0)
      : insn(cls | op | Source.K, dst.reg, 0, 0, parseImm32(m[3]!));
    return withTarget(base, parseTarget(m[4]!, 16), 'off');
  }
  if ((m = /^callx\s+(r\d+)$/.exec(line))) return { insn: insn(CALLX, width(m[1]!).reg, 0, 0, 0) };
  if ((m = /^call pc\s*([+-]\s*\d+)$/.exec(line))) {
    return { insn: insn(CALL, 0, PseudoCall.LOCAL, 0, parseImm32(m[1]!.replace(/\s/g, ''))) };
  }
  if ((m = /^call kfunc#(\d+)(?:\s*\(fd_array\[(\d+)\]\))?$/.exec(line))) {
    return { insn: insn(CALL, 0, PseudoCall.KFUNC, m[2] === undefined ? 0 : parseOff16(m[2]), parseImm32(m[1]!)) };
  }
  if ((m = /^call\s+(\S+)$/.exec(line))) {
    if (parseInteger(m[1]!) !== undefined) return { insn: insn(CALL, 0, PseudoCall.HELPER, 0, parseImm32(m[1]!)) };
    return withTarget(insn(CALL, 0, PseudoCall.LOCAL, 0, 0), parseTarget(m[1]!, 32), 'imm');
  }
  if ((m = /^ld_pseudo\s+(.*)$/.exec(line))) {
    const ops = splitOperands(m[1]!);
    if (ops.length < 3 || ops.length > 4) throw new AsmSyntaxError(`'ld_pseudo' takes rD, SRC, IMM [, IMM2]`);
    const src = Number(parseInteger(ops[1]!) ?? -1n);
    if (src < 1 || src > 6) throw new OperandError(`ld_pseudo source must be 1..6, found ${ops[1]}`);
    if (src === PseudoLdImm64.FUNC && ops.length === 3 && parseInteger(ops[2]!) === undefined) {
      // The address of a bpf-to-bpf function: imm is its slot offset from the next slot.
      return withTarget(insn(LD_IMM64, width(ops[0]!).reg, src, 0, 0, 0), parseTarget(ops[2]!, 32), 'imm');
    }
    // llvm-objdump prints these immediates as unsigned decimal numbers.
    return { insn: insn(LD_IMM64, width(ops[0]!).reg, src, 0, parseBits32(ops[2]!), ops[3] ? parseBits32(ops[3]) : 0) };
  }
  if ((m = new RegExp(String.raw`^lock\s+\*${PTR}${ADDR}\s*([+|&^])=\s*(${REG})$`).exec(line))) {
    const [, sign, bits, base, s, off, op, src] = m;
    if (sign !== 'u') throw new OperandError('atomic operations take an unsigned access width');
    const at = address(base!, s, off);
    return {
      insn: insn(InsnClass.STX | Mode.ATOMIC | size(bits!), at.reg, width(src!).reg, at.off, ATOMIC_COMPOUND[op!]!),
    };
  }
  if ((m = new RegExp(String.raw`^store_release\(\s*${PTR}${ADDR}\s*,\s*(${REG})\s*\)$`).exec(line))) {
    const [, , bits, base, s, off, src] = m;
    const at = address(base!, s, off);
    return { insn: insn(InsnClass.STX | Mode.ATOMIC | size(bits!), at.reg, width(src!).reg, at.off, AtomicOp.STORE_REL) };
  }
  if ((m = new RegExp(String.raw`^\*${PTR}${ADDR}\s*=\s*(\S+)$`).exec(line))) {
    const [, sign, bits, base, s, off, value] = m;
    if (sign !== 'u') throw new OperandError('stores take an unsigned access width');
    const at = address(base!, s, off);
    if (isRegister(value!)) {
      return { insn: insn(InsnClass.STX | Mode.MEM | size(bits!), at.reg, width(value!).reg, at.off, 0) };
    }
    return { insn: insn(InsnClass.ST | Mode.MEM | size(bits!), at.reg, 0, at.off, parseImm32(value!)) };
  }
  return undefined;
}

/** `rD = RHS` and `rD OP= RHS`. */
function assignment(line: string): AsmItem | undefined {
  const m = new RegExp(String.raw`^(${REG})\s*(s/|s%|s>>|<<|>>|[-+*/%|&^])?=\s*(.+)$`).exec(line);
  if (!m) return undefined;
  const dst = width(m[1]!);
  const rhs = m[3]!.trim();
  const cls = dst.width === 'w' ? InsnClass.ALU : InsnClass.ALU64;
  if (m[2] !== undefined) {
    const spec = COMPOUND_OPS[m[2]]!;
    if (isRegister(rhs)) return { insn: insn(cls | spec.op | Source.X, dst.reg, sameWidth(dst.width, rhs), spec.off ?? 0, 0) };
    return { insn: insn(cls | spec.op | Source.K, dst.reg, 0, spec.off ?? 0, parseImm32(rhs)) };
  }
  return loadLike(dst, rhs) ?? moveLike(dst, cls, rhs);
}

/** Right-hand sides that read memory or an atomic result. */
function loadLike(dst: { reg: number; width: RegisterWidth }, rhs: string): AsmItem | undefined {
  let m: RegExpExecArray | null;
  if ((m = new RegExp(String.raw`^(${NUM})\s+ll$`).exec(rhs))) {
    if (dst.width !== 'r') throw new OperandError('a 64-bit immediate load needs a 64-bit register');
    const { imm, imm2 } = splitImm64(parseImm64(m[1]!));
    return { insn: insn(LD_IMM64, dst.reg, 0, 0, imm, imm2) };
  }
  if ((m = new RegExp(String.raw`^\*${PTR}${ADDR}$`).exec(rhs))) {
    const [, sign, bits, base, s, off] = m;
    const at = address(base!, s, off);
    const mode = sign === 's' ? Mode.MEMSX : Mode.MEM;
    return { insn: insn(InsnClass.LDX | mode | size(bits!), dst.reg, at.reg, at.off, 0) };
  }
  if ((m = new RegExp(String.raw`^\*${PTR}skb\[\s*(?:(${REG})\s*(?:([+-])\s*(\w+))?|(${NUM}))\s*\]$`).exec(rhs))) {
    const [, , bits, index, sign, imm, abs] = m;
    if (dst.reg !== 0) throw new OperandError('legacy packet loads always write r0');
    if (abs !== undefined) return { insn: insn(InsnClass.LD | Mode.ABS | size(bits!), 0, 0, 0, parseImm32(abs)) };
    const offset = imm === undefined ? 0 : parseImm32(`${sign}${imm}`);
    return { insn: insn(InsnClass.LD | Mode.IND | size(bits!), 0, width(index!).reg, 0, offset) };
  }
  if ((m = new RegExp(String.raw`^atomic_fetch_(add|or|and|xor)\(\s*${PTR}${ADDR}\s*,\s*(${REG})\s*\)$`).exec(rhs))) {
    const [, op, , bits, base, s, off, src] = m;
    const at = address(base!, s, off);
    const srcReg = sameWidth(dst.width, src!);
    if (srcReg !== dst.reg) throw new OperandError('atomic_fetch_* returns into its value register: write rS = atomic_fetch_OP(…, rS)');
    return {
      insn: insn(InsnClass.STX | Mode.ATOMIC | size(bits!), at.reg, srcReg, at.off, ATOMIC_FETCH[op!]! | AtomicOp.FETCH),
    };
  }
  if ((m = new RegExp(String.raw`^(xchg_64|xchg32_32)\(\s*(r\d+)\s*(?:([+-])\s*(\w+))?\s*,\s*(${REG})\s*\)$`).exec(rhs))) {
    const [, fn, base, s, off, src] = m;
    const at = address(base!, s, off);
    const srcReg = sameWidth(dst.width, src!);
    if (srcReg !== dst.reg) throw new OperandError('xchg returns into its value register: write rS = xchg_64(…, rS)');
    return { insn: insn(InsnClass.STX | Mode.ATOMIC | (fn === 'xchg_64' ? Size.DW : Size.W), at.reg, srcReg, at.off, AtomicOp.XCHG) };
  }
  if (
    (m = new RegExp(String.raw`^(cmpxchg_64|cmpxchg32_32)\(\s*(r\d+)\s*(?:([+-])\s*(\w+))?\s*,\s*(${REG})\s*,\s*(${REG})\s*\)$`).exec(
      rhs,
    ))
  ) {
    const [, fn, base, s, off, old, src] = m;
    const at = address(base!, s, off);
    if (dst.reg !== 0 || sameWidth(dst.width, old!) !== 0) throw new OperandError('cmpxchg compares with and returns into r0');
    return {
      insn: insn(
        InsnClass.STX | Mode.ATOMIC | (fn === 'cmpxchg_64' ? Size.DW : Size.W),
        at.reg,
        sameWidth(dst.width, src!),
        at.off,
        AtomicOp.CMPXCHG,
      ),
    };
  }
  if ((m = new RegExp(String.raw`^load_acquire\(\s*${PTR}${ADDR}\s*\)$`).exec(rhs))) {
    const [, , bits, base, s, off] = m;
    const at = address(base!, s, off);
    return { insn: insn(InsnClass.STX | Mode.ATOMIC | size(bits!), dst.reg, at.reg, at.off, AtomicOp.LOAD_ACQ) };
  }
  return undefined;
}

/** Right-hand sides computed from registers and immediates. */
function moveLike(dst: { reg: number; width: RegisterWidth }, cls: number, rhs: string): AsmItem {
  let m: RegExpExecArray | null;
  if ((m = new RegExp(String.raw`^-\s*(${REG})$`).exec(rhs))) {
    if (sameWidth(dst.width, m[1]!) !== dst.reg) throw new OperandError('negation works in place: write rD = -rD');
    return { insn: insn(cls | AluOp.NEG, dst.reg, 0, 0, 0) };
  }
  if ((m = new RegExp(String.raw`^(be|le|bswap)(16|32|64)\s+(${REG})$`).exec(rhs))) {
    if (width(m[3]!).reg !== dst.reg) throw new OperandError('byte swaps work in place: write rD = be16 rD');
    const opcode =
      m[1] === 'bswap'
        ? InsnClass.ALU64 | AluOp.END | Endian.TO_LE
        : InsnClass.ALU | AluOp.END | (m[1] === 'le' ? Endian.TO_LE : Endian.TO_BE);
    return { insn: insn(opcode, dst.reg, 0, 0, Number(m[2])) };
  }
  if ((m = new RegExp(String.raw`^\(\s*s(8|16|32)\s*\)\s*(${REG})$`).exec(rhs))) {
    return { insn: insn(cls | AluOp.MOV | Source.X, dst.reg, sameWidth(dst.width, m[2]!), Number(m[1]), 0) };
  }
  if ((m = new RegExp(String.raw`^addr_space_cast\(\s*(r\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)$`).exec(rhs))) {
    const imm = (Number(m[2]) << 16) | Number(m[3]);
    return { insn: insn(InsnClass.ALU64 | AluOp.MOV | Source.X, dst.reg, width(m[1]!).reg, ADDR_SPACE_CAST, imm) };
  }
  if (isRegister(rhs)) return { insn: insn(cls | AluOp.MOV | Source.X, dst.reg, sameWidth(dst.width, rhs), 0, 0) };
  if (parseInteger(rhs) !== undefined) return { insn: insn(cls | AluOp.MOV | Source.K, dst.reg, 0, 0, parseImm32(rhs)) };
  throw new AsmSyntaxError(`cannot read the right-hand side '${rhs}'`);
}

/** True when a line is in LLVM's syntax rather than the conformance syntax. */
export function looksLikeLlvm(line: string): boolean {
  const text = line.trim();
  return /=/.test(text) || /^(if|goto|gotol|may_goto|callx|ld_pseudo|store_release)\b/.test(text) || /^call (pc|kfunc#)/.test(text);
}

/** Parses one line (comment and label already removed) in LLVM's syntax. */
export function parseLlvmLine(line: string): AsmItem {
  const text = line.trim().replace(/\s+/g, ' ');
  const item = statement(text) ?? assignment(text);
  if (!item) throw new AsmSyntaxError(`cannot read '${text}'`);
  return item;
}
