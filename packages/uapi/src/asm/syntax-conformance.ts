import { insn, splitImm64 } from '../insn/instruction.js';
import {
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
  Mode,
  PseudoCall,
  Size,
  Source,
} from '../insn/opcode.js';
import { AsmSyntaxError, type AsmItem } from './item.js';
import {
  OperandError,
  type Target,
  isRegister,
  parseImm32,
  parseImm64,
  parseInteger,
  parseOff16,
  parseRegister,
  parseTarget,
  splitOperands,
} from './operands.js';

/**
 * The bpf_conformance / ubpf assembly syntax: `mnemonic operands`, registers `%rN`, memory
 * `[%rN+off]`, e.g. `mov32 %r0, 1`, `ldxdw %r0, [%r1+8]`, `jeq %r1, 0xb, exit`,
 * `lock fetch add32 [%r10-8], %r1`, `call local func1`, `call %r2`.
 *
 * Arithmetic without a suffix (or with `64`) is 64-bit; a `32` suffix selects the 32-bit
 * class. Jumps take `+N`/`-N` slot offsets or labels.
 */

const ALU_OPS: Record<string, { op: number; off?: number }> = {
  add: { op: AluOp.ADD },
  sub: { op: AluOp.SUB },
  mul: { op: AluOp.MUL },
  div: { op: AluOp.DIV },
  sdiv: { op: AluOp.DIV, off: 1 },
  or: { op: AluOp.OR },
  and: { op: AluOp.AND },
  lsh: { op: AluOp.LSH },
  rsh: { op: AluOp.RSH },
  mod: { op: AluOp.MOD },
  smod: { op: AluOp.MOD, off: 1 },
  xor: { op: AluOp.XOR },
  mov: { op: AluOp.MOV },
  arsh: { op: AluOp.ARSH },
};

const JMP_OPS: Record<string, number> = {
  jeq: JmpOp.JEQ,
  jgt: JmpOp.JGT,
  jge: JmpOp.JGE,
  jset: JmpOp.JSET,
  jne: JmpOp.JNE,
  jsgt: JmpOp.JSGT,
  jsge: JmpOp.JSGE,
  jlt: JmpOp.JLT,
  jle: JmpOp.JLE,
  jslt: JmpOp.JSLT,
  jsle: JmpOp.JSLE,
};

const SIZES: Record<string, number> = { b: Size.B, h: Size.H, w: Size.W, dw: Size.DW };

const ATOMIC_OPS: Record<string, number> = {
  add: AtomicOp.ADD,
  or: AtomicOp.OR,
  and: AtomicOp.AND,
  xor: AtomicOp.XOR,
  xchg: AtomicOp.XCHG,
  cmpxchg: AtomicOp.CMPXCHG,
};

function expectCount(mnemonic: string, ops: string[], count: number): void {
  if (ops.length !== count) {
    throw new AsmSyntaxError(`'${mnemonic}' takes ${count} operand${count === 1 ? '' : 's'}, found ${ops.length}`);
  }
}

const reg = (token: string): number => parseRegister(token).reg;

/** `[%rN+off]`, `[%rN-off]` or `[%rN]`. */
export function parseMemory(token: string): { reg: number; off: number } {
  const m = /^\[\s*(%?r\d+)\s*(?:([+-])\s*(\w+))?\s*\]$/.exec(token.trim());
  if (!m) throw new OperandError(`expected a memory operand like [%r1+8], found '${token}'`);
  const off = m[3] === undefined ? 0 : parseOff16(`${m[2]}${m[3]}`);
  return { reg: reg(m[1]!), off };
}

function withTarget(base: ReturnType<typeof insn>, target: Target, field: 'off' | 'imm'): AsmItem {
  if (target.kind === 'label') return { insn: base, fixup: { label: target.name, field } };
  return { insn: { ...base, [field]: target.value } };
}

function alu(mnemonic: string, ops: string[]): AsmItem | undefined {
  const m = /^([a-z]+?)(32|64)?$/.exec(mnemonic);
  if (!m) return undefined;
  const [, name, width] = m;
  const cls = width === '32' ? InsnClass.ALU : InsnClass.ALU64;
  if (name === 'neg') {
    expectCount(mnemonic, ops, 1);
    return { insn: insn(cls | AluOp.NEG, reg(ops[0]!), 0, 0, 0) };
  }
  const spec = ALU_OPS[name!];
  if (!spec) return undefined;
  expectCount(mnemonic, ops, 2);
  const dst = reg(ops[0]!);
  if (isRegister(ops[1]!)) return { insn: insn(cls | spec.op | Source.X, dst, reg(ops[1]!), spec.off ?? 0, 0) };
  return { insn: insn(cls | spec.op | Source.K, dst, 0, spec.off ?? 0, parseImm32(ops[1]!)) };
}

function byteSwap(mnemonic: string, ops: string[]): AsmItem | undefined {
  const m = /^(le|be|bswap|swap)(16|32|64)$/.exec(mnemonic);
  if (!m) return undefined;
  expectCount(mnemonic, ops, 1);
  const opcode =
    m[1] === 'bswap' || m[1] === 'swap'
      ? InsnClass.ALU64 | AluOp.END | Endian.TO_LE
      : InsnClass.ALU | AluOp.END | (m[1] === 'le' ? Endian.TO_LE : Endian.TO_BE);
  return { insn: insn(opcode, reg(ops[0]!), 0, 0, Number(m[2])) };
}

function signExtendingMove(mnemonic: string, ops: string[]): AsmItem | undefined {
  const m = /^movsx(8|16|32)(32|64)$/.exec(mnemonic);
  if (!m) return undefined;
  expectCount(mnemonic, ops, 2);
  const cls = m[2] === '32' ? InsnClass.ALU : InsnClass.ALU64;
  return { insn: insn(cls | AluOp.MOV | Source.X, reg(ops[0]!), reg(ops[1]!), Number(m[1]), 0) };
}

function jump(mnemonic: string, ops: string[]): AsmItem | undefined {
  if (mnemonic === 'ja' || mnemonic === 'ja32') {
    expectCount(mnemonic, ops, 1);
    return mnemonic === 'ja'
      ? withTarget(insn(JA, 0, 0, 0, 0), parseTarget(ops[0]!, 16), 'off')
      : withTarget(insn(JA32, 0, 0, 0, 0), parseTarget(ops[0]!, 32), 'imm');
  }
  const m = /^([a-z]+?)(32)?$/.exec(mnemonic);
  const op = m ? JMP_OPS[m[1]!] : undefined;
  if (op === undefined) return undefined;
  expectCount(mnemonic, ops, 3);
  const cls = m![2] === '32' ? InsnClass.JMP32 : InsnClass.JMP;
  const dst = reg(ops[0]!);
  const base = isRegister(ops[1]!)
    ? insn(cls | op | Source.X, dst, reg(ops[1]!), 0, 0)
    : insn(cls | op | Source.K, dst, 0, 0, parseImm32(ops[1]!));
  return withTarget(base, parseTarget(ops[2]!, 16), 'off');
}

function call(rest: string): AsmItem {
  const words = rest.trim().split(/\s+/);
  if (words[0] === 'local') {
    if (words.length !== 2) throw new AsmSyntaxError(`'call local' takes a function label`);
    return withTarget(insn(CALL, 0, PseudoCall.LOCAL, 0, 0), parseTarget(words[1]!, 32), 'imm');
  }
  if (words.length !== 1 || words[0] === '') throw new AsmSyntaxError(`'call' takes a helper id, a register or 'local LABEL'`);
  if (isRegister(words[0]!)) return { insn: insn(CALLX, reg(words[0]!), 0, 0, 0) };
  if (parseInteger(words[0]!) !== undefined) return { insn: insn(CALL, 0, PseudoCall.HELPER, 0, parseImm32(words[0]!)) };
  return withTarget(insn(CALL, 0, PseudoCall.LOCAL, 0, 0), parseTarget(words[0]!, 32), 'imm');
}

function memory(mnemonic: string, ops: string[]): AsmItem | undefined {
  let m = /^ldx(s)?(b|h|w|dw)$/.exec(mnemonic);
  if (m) {
    expectCount(mnemonic, ops, 2);
    const mem = parseMemory(ops[1]!);
    const mode = m[1] ? Mode.MEMSX : Mode.MEM;
    return { insn: insn(InsnClass.LDX | mode | SIZES[m[2]!]!, reg(ops[0]!), mem.reg, mem.off, 0) };
  }
  m = /^st(x)?(b|h|w|dw)$/.exec(mnemonic);
  if (m) {
    expectCount(mnemonic, ops, 2);
    const mem = parseMemory(ops[0]!);
    if (m[1]) return { insn: insn(InsnClass.STX | Mode.MEM | SIZES[m[2]!]!, mem.reg, reg(ops[1]!), mem.off, 0) };
    return { insn: insn(InsnClass.ST | Mode.MEM | SIZES[m[2]!]!, mem.reg, 0, mem.off, parseImm32(ops[1]!)) };
  }
  m = /^ld(abs|ind)(b|h|w)$/.exec(mnemonic);
  if (m) {
    if (m[1] === 'abs') {
      expectCount(mnemonic, ops, 1);
      return { insn: insn(InsnClass.LD | Mode.ABS | SIZES[m[2]!]!, 0, 0, 0, parseImm32(ops[0]!)) };
    }
    expectCount(mnemonic, ops, 2);
    return { insn: insn(InsnClass.LD | Mode.IND | SIZES[m[2]!]!, 0, reg(ops[0]!), 0, parseImm32(ops[1]!)) };
  }
  if (mnemonic === 'lddw') {
    expectCount(mnemonic, ops, 2);
    const { imm, imm2 } = splitImm64(parseImm64(ops[1]!));
    return { insn: insn(LD_IMM64, reg(ops[0]!), 0, 0, imm, imm2) };
  }
  return undefined;
}

/** `lock [fetch] OP[32] [%rD+off], %rS`. */
function atomic(rest: string): AsmItem {
  const m = /^(fetch\s+)?([a-z]+?)(32)?\s+(.*)$/.exec(rest.trim());
  const ops = m ? splitOperands(m[4]!) : [];
  if (!m || ops.length !== 2) throw new AsmSyntaxError('Invalid number of operands for lock: expected lock [fetch] OP [%rD+off], %rS');
  const op = ATOMIC_OPS[m[2]!];
  if (op === undefined) throw new AsmSyntaxError(`unknown atomic operation '${m[2]}'`);
  if (m[1] && (op === AtomicOp.XCHG || op === AtomicOp.CMPXCHG)) {
    throw new AsmSyntaxError(`'${m[2]}' always fetches; write 'lock ${m[2]}'`);
  }
  const mem = parseMemory(ops[0]!);
  const size = m[3] ? Size.W : Size.DW;
  return { insn: insn(InsnClass.STX | Mode.ATOMIC | size, mem.reg, reg(ops[1]!), mem.off, op | (m[1] ? AtomicOp.FETCH : 0)) };
}

/** Parses one line (comment and label already removed) in the conformance syntax. */
export function parseConformanceLine(line: string): AsmItem {
  const m = /^([a-z][a-z0-9]*)\b\s*(.*)$/i.exec(line.trim());
  if (!m) throw new AsmSyntaxError(`expected a mnemonic, found '${line.trim()}'`);
  const mnemonic = m[1]!.toLowerCase();
  const rest = m[2]!;
  if (mnemonic === 'exit') {
    if (rest.trim() !== '') throw new AsmSyntaxError(`'exit' takes no operands`);
    return { insn: insn(EXIT, 0, 0, 0, 0) };
  }
  if (mnemonic === 'call') return call(rest);
  if (mnemonic === 'lock') return atomic(rest);
  const ops = splitOperands(rest);
  const item =
    memory(mnemonic, ops) ??
    byteSwap(mnemonic, ops) ??
    signExtendingMove(mnemonic, ops) ??
    jump(mnemonic, ops) ??
    alu(mnemonic, ops);
  if (!item) throw new AsmSyntaxError(`unknown mnemonic '${mnemonic}'`);
  return item;
}
