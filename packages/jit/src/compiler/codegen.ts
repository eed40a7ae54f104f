import {
  ADDR_SPACE_CAST,
  AluOp,
  AtomicOp,
  CALLX,
  Endian,
  InsnClass,
  type Instruction,
  JmpOp,
  LD_IMM64,
  MAY_GOTO,
  Mode,
  PseudoCall,
  PseudoLdImm64,
  type Size,
  Source,
  classOf,
  imm64Of,
  sizeBytes,
} from '@bpfhive/uapi';
import { BPF_FUNC_TAIL_CALL, STACK_SIZE } from '../interp/limits.js';
import type { Instr, MemoryOp, PlainOp } from '../wasm/ir.js';
import { type BasicBlock, type CounterCheck, type FastBlock, type Terminator, registersWritten } from './cfg.js';
import { JitCompileError } from './errors.js';
import type { InlinedCall } from './inline.js';
import { inlinedCallCode } from './inline-codegen.js';
import { FAST_LOCALS, LOOPS, T, T32, U, br, get, getLocal, i32, i64, plain, push, set, setLocal, teeLocal } from './locals.js';
import type { FunctionIndexes } from './module-layout.js';
import { abiArguments, abiResult } from './helper-call.js';
import { type VectorLocals, vectorLoopCode } from './vector-codegen.js';

/**
 * Code generation for one eBPF function: each instruction becomes a short run of wasm IR over
 * the register locals (locals.ts). Pointers are offsets into the imported memory: an access at
 * `reg + off` reads `memory[u32(reg) + off]`, so whatever a program computes it can only reach
 * that memory (wasm traps outside it), never the host.
 */
export interface CodegenContext {
  readonly insns: readonly Instruction[];
  readonly indexes: FunctionIndexes;
  /** Instruction index -> index of the function a bpf-to-bpf call there targets. */
  readonly callTarget: (insnIndex: number) => number;
  /** The 64-bit value of a pseudo `lddw` (map pointers, function addresses…), resolved at compile time. */
  readonly ldImm64: (insnIndex: number) => bigint;
  /** Helper calls replaced by code of their own, by instruction index (inline.ts). */
  readonly inlined?: ReadonlyMap<number, InlinedCall>;
  /** Instruction indexes of BPF_PROBE_MEM loads (compile option `probeLoads`). */
  readonly probeLoads?: ReadonlySet<number>;
}

/**
 * Below this address a probe load reads 0: the kernel arena never hands out its first 64 KiB
 * (maps-store's NULL_GUARD), so NULL plus any struct offset lands here.
 */
export const PROBE_NULL_GUARD = 65536;

const op = plain;

const ALU64_ADD_K = InsnClass.ALU64 | AluOp.ADD | Source.K;
const ALU64_SUB_K = InsnClass.ALU64 | AluOp.SUB | Source.K;
const ALU64_ADD_X = InsnClass.ALU64 | AluOp.ADD | Source.X;
const ALU64_MOV_X = InsnClass.ALU64 | AluOp.MOV | Source.X;

/** Conditional jumps by operation: the wasm comparison suffix. */
const COMPARE: ReadonlyMap<number, string> = new Map([
  [JmpOp.JEQ, 'eq'],
  [JmpOp.JNE, 'ne'],
  [JmpOp.JGT, 'gt_u'],
  [JmpOp.JGE, 'ge_u'],
  [JmpOp.JLT, 'lt_u'],
  [JmpOp.JLE, 'le_u'],
  [JmpOp.JSGT, 'gt_s'],
  [JmpOp.JSGE, 'ge_s'],
  [JmpOp.JSLT, 'lt_s'],
  [JmpOp.JSLE, 'le_s'],
]);

/** The comparison that holds exactly when COMPARE's does not. */
const NEGATED_COMPARE: ReadonlyMap<number, string> = new Map([
  [JmpOp.JEQ, 'ne'],
  [JmpOp.JNE, 'eq'],
  [JmpOp.JGT, 'le_u'],
  [JmpOp.JGE, 'lt_u'],
  [JmpOp.JLT, 'ge_u'],
  [JmpOp.JLE, 'gt_u'],
  [JmpOp.JSGT, 'le_s'],
  [JmpOp.JSGE, 'lt_s'],
  [JmpOp.JSLT, 'ge_s'],
  [JmpOp.JSLE, 'gt_s'],
]);

/** Arithmetic that maps onto one wasm operation of the same width. */
const SIMPLE_ALU: ReadonlyMap<number, string> = new Map([
  [AluOp.ADD, 'add'],
  [AluOp.SUB, 'sub'],
  [AluOp.MUL, 'mul'],
  [AluOp.OR, 'or'],
  [AluOp.AND, 'and'],
  [AluOp.XOR, 'xor'],
  [AluOp.LSH, 'shl'],
  [AluOp.RSH, 'shr_u'],
  [AluOp.ARSH, 'shr_s'],
]);

/**
 * A table by operation (the opcode's high four bits, `op >> 4`) of what `make` gives for each
 * entry of `names`; undefined for the others. Arrays, not Maps: read once per instruction.
 */
function byOperation<T>(names: ReadonlyMap<number, string>, make: (name: string) => T): readonly (T | undefined)[] {
  const table = new Array<T | undefined>(16).fill(undefined);
  for (const [o, name] of names) table[o >> 4] = make(name);
  return table;
}
/** The wasm instruction of each SIMPLE_ALU operation, 64-bit and 32-bit (shared values). */
const ALU64_OP = byOperation(SIMPLE_ALU, (name) => op(`i64.${name}` as PlainOp));
const ALU32_OP = byOperation(SIMPLE_ALU, (name) => op(`i32.${name}` as PlainOp));
/** The comparisons of conditional jumps, [64-bit, 32-bit], taken and negated (shared values). */
const compareOps = (names: ReadonlyMap<number, string>): readonly (readonly [Instr, Instr] | undefined)[] =>
  byOperation(names, (name) => [op(`i64.${name}` as PlainOp), op(`i32.${name}` as PlainOp)] as const);
const COMPARE_OP = compareOps(COMPARE);
const NEGATED_COMPARE_OP = compareOps(NEGATED_COMPARE);
const WRAP = op('i32.wrap_i64');
const EXTEND_U = op('i64.extend_i32_u');
const I32_ADD = op('i32.add');

/** Loads and stores by access size in bytes (1, 2, 4, 8). */
const LOADS: Readonly<Record<number, MemoryOp>> = { 1: 'i64.load8_u', 2: 'i64.load16_u', 4: 'i64.load32_u', 8: 'i64.load' };
const SIGNED_LOADS: Readonly<Record<number, MemoryOp>> = { 1: 'i64.load8_s', 2: 'i64.load16_s', 4: 'i64.load32_s' };
const STORES: Readonly<Record<number, MemoryOp>> = { 1: 'i64.store8', 2: 'i64.store16', 4: 'i64.store32', 8: 'i64.store' };
/** Sign extensions of `movsx` by its `off` (8, 16, 32; 0 is a plain move), 64-bit and 32-bit. */
const MOVSX64: Readonly<Record<number, PlainOp | undefined>> = { 0: undefined, 8: 'i64.extend8_s', 16: 'i64.extend16_s', 32: 'i64.extend32_s' };
const MOVSX32: Readonly<Record<number, PlainOp | undefined>> = { 0: undefined, 8: 'i32.extend8_s', 16: 'i32.extend16_s' };
/** Atomic loads and stores (load-acquire, store-release) by access size in bytes. */
const ATOMIC_LOADS: Readonly<Record<number, MemoryOp>> = { 1: 'i64.atomic.load8_u', 2: 'i64.atomic.load16_u', 4: 'i64.atomic.load32_u', 8: 'i64.atomic.load' };
const ATOMIC_STORES: Readonly<Record<number, MemoryOp>> = { 1: 'i64.atomic.store8', 2: 'i64.atomic.store16', 4: 'i64.atomic.store32', 8: 'i64.atomic.store' };
/** Read-modify-write atomics by operation (`imm` without FETCH). */
const ATOMIC_RMW: Readonly<Record<number, string>> = { [AtomicOp.ADD]: 'add', [AtomicOp.OR]: 'or', [AtomicOp.AND]: 'and', [AtomicOp.XOR]: 'xor' };
const mem = (o: MemoryOp, offset: number, align: number): Instr => ({ op: o, offset, align });

/**
 * Leaves the function body with the i64 on the stack as r0, from `depth` labels inside it: a `br`
 * to the body's own label. In an eBPF function that is a return; the same code inlined in
 * run_batch stands in a `block (result i64)` there, so the `br` ends one run of the entry.
 */
const leave = (depth: number): Instr => br(depth);

/** A counter register of a versioned loop's F block: its value is `start + offset` (codegen #fastBody). */
interface CounterValue {
  readonly local: number;
  offset: bigint;
  /** F's test proved that u32(start + offset) = u32(start) + offset at every access (FastBlock.folded). */
  readonly folded: boolean;
}

const U32 = 0xffff_ffffn;

/**
 * Pushes the i32 address `u32(reg) + off` onto `out` and returns the memarg offset to use with it. For a
 * counter (in an F block) the address comes from its start value, so the copies' accesses do not
 * wait for each other's pointer updates: `u32(start) + u32(offset)` (the same value, mod 2^32),
 * or where F's test proved that this does not carry, `u32(start)` with `offset + off` in the memarg.
 */
function address(out: Instr[], reg: number, off: number, counter: CounterValue | undefined): number {
  if (counter === undefined) {
    out.push(get(reg), WRAP);
  } else if (counter.folded && counter.offset >= 0n && counter.offset + BigInt(off) >= 0n && counter.offset + BigInt(off) <= U32) {
    out.push(getLocal(counter.local), WRAP);
    return Number(counter.offset + BigInt(off));
  } else {
    out.push(getLocal(counter.local), WRAP);
    if (BigInt.asUintN(32, counter.offset) !== 0n) out.push(i32(Number(BigInt.asIntN(32, counter.offset))), I32_ADD);
  }
  if (off >= 0) return off;
  out.push(i32(off), I32_ADD);
  return 0;
}

/** The opposite of each comparison of a versioned loop's test. */
const NEGATED_CHECK: Readonly<Record<CounterCheck['op'], CounterCheck['op']>> = {
  lt_u: 'ge_u',
  ge_u: 'lt_u',
  le_u: 'gt_u',
  gt_u: 'le_u',
  lt_s: 'ge_s',
  ge_s: 'lt_s',
  le_s: 'gt_s',
  gt_s: 'le_s',
};

/** One comparison of a versioned loop's test (unroll.ts): non-zero when it holds (zero, `negated`). */
function counterCheck(check: CounterCheck, negated: boolean): Instr[] {
  const name = negated ? NEGATED_CHECK[check.op] : check.op;
  if (check.low32 && 'imm' in check.right) return [get(check.left), WRAP, i32(Number(BigInt.asIntN(32, check.right.imm))), op(`i32.${name}`)];
  const left: Instr[] = check.minus === undefined ? [get(check.left)] : [get(check.left), get(check.minus), op('i64.sub')];
  const right = 'reg' in check.right ? get(check.right.reg) : i64(check.right.imm);
  return [...left, right, op(`i64.${name}`)];
}

/**
 * The sums of an F block (#fastBody): sum m keeps its start value and its partial in two locals,
 * and each register known to hold `start + partial` of a sum is noted with the partial's version
 * then; only registers of the current version may stand for the sum.
 */
class Sums {
  readonly #versions: number[];
  readonly #form = new Map<number, { sum: number; version: number }>();

  constructor(
    fast: FastBlock,
    private readonly first: number,
  ) {
    this.#versions = fast.sums.map(() => 0);
    fast.sums.forEach((r, m) => this.#form.set(r, { sum: m, version: 0 }));
  }

  start(m: number): number {
    return this.first + 2 * m;
  }

  partial(m: number): number {
    return this.first + 2 * m + 1;
  }

  /** The sum that register r holds the current value of, if any. */
  of(r: number): number | undefined {
    const f = this.#form.get(r);
    return f !== undefined && f.version === this.#versions[f.sum] ? f.sum : undefined;
  }

  /** Sum m's partial grew and register r holds its new value. */
  added(m: number, r: number): void {
    this.#form.set(r, { sum: m, version: ++this.#versions[m]! });
  }

  copied(to: number, from: number): void {
    const f = this.#form.get(from);
    if (f) this.#form.set(to, f);
    else this.#form.delete(to);
  }

  overwritten(r: number): void {
    this.#form.delete(r);
  }
}

export class FunctionCodegen {
  /** While #fastBody generates a versioned loop's F block: its counters. */
  #counters: Map<number, CounterValue> | undefined;

  /** The current function's locals for vector blocks (vector-codegen.ts), set before its blocks are generated. */
  vectorLocals: VectorLocals | undefined;

  constructor(private readonly ctx: CodegenContext) {}

  /** Appends the code of a block's body to `out`, `depth` labels inside the function body (see leave()). */
  body(block: BasicBlock, depth: number, out: Instr[]): void {
    let code: readonly Instr[] | undefined;
    if (block.fast) code = this.#fastBody(block, block.fast, depth);
    else if (block.vector) {
      if (this.vectorLocals === undefined) throw new JitCompileError(-1, 'internal: a vector block without its locals');
      code = vectorLoopCode(block.vector, this.vectorLocals);
    }
    if (code !== undefined) {
      for (let k = 0; k < code.length; k++) push(out, code[k]!);
      return;
    }
    const body = block.body;
    for (let j = 0; j < body.length; j++) {
      const insnCode = this.instruction(body[j]!, depth);
      for (let k = 0; k < insnCode.length; k++) push(out, insnCode[k]!);
    }
  }

  /**
   * The straight-line block F of a versioned loop (unroll.ts, cfg.ts FastBlock). Counters: each
   * `c += k` is `c = start + (sum of the k so far)`, so the copies' updates are independent and
   * the ones nothing reads vanish, and addresses off a counter are computed from its start
   * value too (see address()). Sums: `s += x` is `partial += x; s = start + partial`, so the
   * additions of one trip chain among themselves but only their total joins the value carried
   * around the loop. Every register still holds its own value after every instruction. Start
   * values and partials live in the locals from FAST_LOCALS on.
   */
  #fastBody(block: BasicBlock, fast: FastBlock, depth: number): Instr[] {
    const out: Instr[] = [];
    const emit = (code: readonly Instr[]): void => {
      for (const x of code) push(out, x);
    };
    const counters = new Map<number, CounterValue>();
    fast.counters.forEach((r, k) => {
      counters.set(r, { local: FAST_LOCALS + k, offset: 0n, folded: fast.folded.includes(r) });
      emit([get(r), setLocal(FAST_LOCALS + k)]);
    });
    const sums = new Sums(fast, FAST_LOCALS + fast.counters.length);
    fast.sums.forEach((r, m) => emit([get(r), setLocal(sums.start(m)), i64(0), setLocal(sums.partial(m))]));
    this.#counters = counters;
    try {
      for (const i of block.body) {
        const insn = this.ctx.insns[i]!;
        const d = insn.dst;
        const counter = counters.get(d);
        if (counter && (insn.opcode === ALU64_ADD_K || insn.opcode === ALU64_SUB_K)) {
          counter.offset += insn.opcode === ALU64_ADD_K ? BigInt(insn.imm) : -BigInt(insn.imm);
          emit(counter.offset === 0n ? [getLocal(counter.local), set(d)] : [getLocal(counter.local), i64(counter.offset), op('i64.add'), set(d)]);
          continue;
        }
        const m = insn.opcode === ALU64_ADD_X && insn.src !== d ? (sums.of(insn.src) ?? sums.of(d)) : undefined;
        if (m !== undefined) {
          const other = sums.of(insn.src) === m ? d : insn.src;
          emit([getLocal(sums.partial(m)), get(other), op('i64.add'), teeLocal(sums.partial(m)), getLocal(sums.start(m)), op('i64.add'), set(d)]);
          sums.added(m, d);
          continue;
        }
        emit(this.instruction(i, depth));
        if (insn.opcode === ALU64_MOV_X && insn.off === 0) sums.copied(d, insn.src);
        else for (const r of registersWritten(insn)) sums.overwritten(r);
      }
    } finally {
      this.#counters = undefined;
    }
    return out;
  }

  exit(depth: number): Instr[] {
    return [get(0), leave(depth)];
  }

  /** An i32 that is non-zero when the jump is taken, or with `negated` when it is not. */
  condition(term: Extract<Terminator, { kind: 'cond' }>, negated: boolean): Instr[] {
    if (term.check) return counterCheck(term.check, negated);
    const insn = this.ctx.insns[term.insnIndex]!;
    if (insn.opcode === MAY_GOTO) {
      // Linux rewrites may_goto into a countdown: taken once the budget is spent.
      return [
        getLocal(LOOPS),
        op('i64.eqz'),
        {
          op: 'if',
          result: 'i32',
          then: [i32(negated ? 0 : 1)],
          else: [getLocal(LOOPS), i64(1), op('i64.sub'), setLocal(LOOPS), i32(negated ? 1 : 0)],
        },
      ];
    }
    const is32 = classOf(insn.opcode) === InsnClass.JMP32;
    const bySrc = (insn.opcode & 0x08) === Source.X;
    const jop = insn.opcode & 0xf0;
    const compare = (negated ? NEGATED_COMPARE_OP : COMPARE_OP)[jop >> 4];
    if (compare !== undefined && !is32) return [get(insn.dst), bySrc ? get(insn.src) : i64(insn.imm), compare[0]];
    const lhs: Instr[] = is32 ? [get(insn.dst), WRAP] : [get(insn.dst)];
    const rhs: Instr[] = bySrc ? (is32 ? [get(insn.src), WRAP] : [get(insn.src)]) : [is32 ? i32(insn.imm) : i64(insn.imm)];
    const t = is32 ? 'i32' : 'i64';
    if (jop === JmpOp.JSET) return [...lhs, ...rhs, op(`${t}.and`), op(`${t}.eqz`), ...(negated ? [] : [op('i32.eqz')])];
    if (compare === undefined) throw new JitCompileError(term.insnIndex, `unsupported jump opcode 0x${insn.opcode.toString(16)}`);
    return [...lhs, ...rhs, compare[1]];
  }

  /** The code of instruction i, `depth` labels inside the function body. */
  instruction(i: number, depth: number): Instr[] {
    const insn = this.ctx.insns[i]!;
    switch (classOf(insn.opcode)) {
      case InsnClass.ALU:
      case InsnClass.ALU64:
        return this.#alu(i, insn);
      case InsnClass.LDX:
        return this.ctx.probeLoads?.has(i) ? this.#probeLoad(insn) : this.#load(insn);
      case InsnClass.ST:
      case InsnClass.STX:
        return (insn.opcode & 0xe0) === Mode.ATOMIC ? this.#atomic(i, insn) : this.#store(insn);
      case InsnClass.LD:
        return this.#ld(i, insn, depth);
      case InsnClass.JMP:
        return this.#call(i, insn, depth);
      default:
        throw new JitCompileError(i, `unexpected instruction 0x${insn.opcode.toString(16)} in a block body`);
    }
  }

  #alu(i: number, insn: Instruction): Instr[] {
    const is64 = classOf(insn.opcode) === InsnClass.ALU64;
    const bySrc = (insn.opcode & 0x08) === Source.X;
    const aop = insn.opcode & 0xf0;
    const d = insn.dst;
    if (aop === AluOp.END) return this.#byteSwap(insn);
    if (aop === AluOp.NEG) {
      return is64 ? [i64(0), get(d), op('i64.sub'), set(d)] : [i32(0), get(d), WRAP, op('i32.sub'), EXTEND_U, set(d)];
    }
    if (aop === AluOp.MOV) return this.#move(i, insn, is64, bySrc);
    const simple = (is64 ? ALU64_OP : ALU32_OP)[aop >> 4];
    if (simple !== undefined) {
      if (is64) return [get(d), bySrc ? get(insn.src) : i64(insn.imm), simple, set(d)];
      return bySrc ? [get(d), WRAP, get(insn.src), WRAP, simple, EXTEND_U, set(d)] : [get(d), WRAP, i32(insn.imm), simple, EXTEND_U, set(d)];
    }
    const dst: Instr[] = is64 ? [get(d)] : [get(d), WRAP];
    const src: Instr[] = bySrc ? (is64 ? [get(insn.src)] : [get(insn.src), WRAP]) : [is64 ? i64(insn.imm) : i32(insn.imm)];
    const finish: Instr[] = is64 ? [set(d)] : [EXTEND_U, set(d)];
    if (aop === AluOp.DIV || aop === AluOp.MOD) return [...this.#divide(insn, is64, bySrc, dst, src), ...finish];
    throw new JitCompileError(i, `unsupported arithmetic opcode 0x${insn.opcode.toString(16)}`);
  }

  /**
   * eBPF division never traps: x / 0 = 0, x % 0 = x, and signed INT_MIN / -1 = INT_MIN
   * (INT_MIN % -1 = 0, which wasm's rem_s already gives). Pushes the result (i64, or i32 for ALU).
   */
  #divide(insn: Instruction, is64: boolean, bySrc: boolean, dst: Instr[], src: Instr[]): Instr[] {
    const t = is64 ? 'i64' : 'i32';
    const signed = insn.off === 1;
    const isDiv = (insn.opcode & 0xf0) === AluOp.DIV;
    const direct = op(`${t}.${isDiv ? 'div' : 'rem'}_${signed ? 's' : 'u'}` as PlainOp);
    const zero = is64 ? i64(0) : i32(0);
    const onZero: Instr[] = isDiv ? [zero] : dst;
    const negate: Instr[] = [zero, ...dst, op(`${t}.sub` as PlainOp)];
    if (!bySrc) {
      if (insn.imm === 0) return onZero;
      if (signed && isDiv && insn.imm === -1) return negate;
      return [...dst, ...src, direct];
    }
    const divisor: Instr[] = is64 ? [getLocal(U)] : [getLocal(U), WRAP];
    const regular: Instr[] = [...dst, ...divisor, direct];
    const nonZero: Instr[] =
      signed && isDiv ? [...divisor, is64 ? i64(-1) : i32(-1), op(`${t}.eq` as PlainOp), { op: 'if', result: t, then: negate, else: regular }] : regular;
    return [get(insn.src), setLocal(U), ...divisor, op(`${t}.eqz` as PlainOp), { op: 'if', result: t, then: onZero, else: nonZero }];
  }

  #move(i: number, insn: Instruction, is64: boolean, bySrc: boolean): Instr[] {
    const d = insn.dst;
    if (!bySrc) return [is64 ? i64(insn.imm) : i64(insn.imm >>> 0), set(d)];
    if (is64 && insn.off === ADDR_SPACE_CAST) {
      throw new JitCompileError(i, 'address space casts (arenas) are not supported by the JIT yet');
    }
    const s = insn.src;
    if (is64) {
      const e = MOVSX64[insn.off];
      return e === undefined ? [get(s), set(d)] : [get(s), op(e), set(d)];
    }
    const e = MOVSX32[insn.off];
    return [get(s), WRAP, ...(e === undefined ? [] : [op(e)]), EXTEND_U, set(d)];
  }

  #byteSwap(insn: Instruction): Instr[] {
    const d = insn.dst;
    const is64 = classOf(insn.opcode) === InsnClass.ALU64;
    const toBe = !is64 && (insn.opcode & 0x08) === Endian.TO_BE;
    const swap = is64 || toBe; // TO_LE on a little-endian machine only truncates
    switch (insn.imm) {
      case 16:
        return swap
          ? [get(d), i64(0xff), op('i64.and'), i64(8), op('i64.shl'), get(d), i64(8), op('i64.shr_u'), i64(0xff), op('i64.and'), op('i64.or'), set(d)]
          : [get(d), i64(0xffff), op('i64.and'), set(d)];
      case 32:
        return swap
          ? [
              get(d),
              WRAP,
              teeLocal(T32),
              i32(0xff00ff00),
              op('i32.and'),
              i32(8),
              op('i32.rotl'),
              getLocal(T32),
              i32(0x00ff00ff),
              op('i32.and'),
              i32(8),
              op('i32.rotr'),
              op('i32.or'),
              EXTEND_U,
              set(d),
            ]
          : [get(d), WRAP, EXTEND_U, set(d)];
      case 64: {
        if (!swap) return [];
        const step = (mask: bigint, shift: number): Instr[] => [
          getLocal(T),
          i64(mask),
          op('i64.and'),
          i64(shift),
          op('i64.shl'),
          getLocal(T),
          i64(shift),
          op('i64.shr_u'),
          i64(mask),
          op('i64.and'),
          op('i64.or'),
          setLocal(T),
        ];
        return [get(d), setLocal(T), ...step(0x00ff00ff00ff00ffn, 8), ...step(0x0000ffff0000ffffn, 16), getLocal(T), i64(32), op('i64.rotl'), set(d)];
      }
      default:
        throw new JitCompileError(-1, `byte swap width ${insn.imm}`);
    }
  }

  #load(insn: Instruction): Instr[] {
    const signed = (insn.opcode & 0xe0) === Mode.MEMSX;
    const bytes = sizeBytes((insn.opcode & 0x18) as Size);
    const code: Instr[] = [];
    const offset = address(code, insn.src, insn.off, this.#counters?.get(insn.src));
    code.push(mem((signed ? SIGNED_LOADS : LOADS)[bytes]!, offset, 0), set(insn.dst));
    return code;
  }

  /**
   * A BPF_PROBE_MEM load (a load through a kernel struct pointer, which Linux's JIT covers with an
   * exception table entry): an address in the NULL guard, or whose bytes are not all inside the
   * memory, reads 0 instead of trapping.
   */
  #probeLoad(insn: Instruction): Instr[] {
    const signed = (insn.opcode & 0xe0) === Mode.MEMSX;
    const bytes = sizeBytes((insn.opcode & 0x18) as Size);
    const memoryBytes: Instr[] = [{ op: 'memory.size' }, EXTEND_U, i64(16), op('i64.shl')];
    return [
      get(insn.src), i64(insn.off), op('i64.add'), setLocal(U),
      getLocal(U), i64(PROBE_NULL_GUARD), op('i64.ge_u'),
      getLocal(U), ...memoryBytes, i64(bytes), op('i64.sub'), op('i64.le_u'),
      op('i32.and'),
      { op: 'if', result: 'i64', then: [getLocal(U), WRAP, mem((signed ? SIGNED_LOADS : LOADS)[bytes]!, 0, 0)], else: [i64(0)] },
      set(insn.dst),
    ];
  }

  #store(insn: Instruction): Instr[] {
    const bytes = sizeBytes((insn.opcode & 0x18) as Size);
    const value = classOf(insn.opcode) === InsnClass.ST ? i64(insn.imm) : get(insn.src);
    const code: Instr[] = [];
    const offset = address(code, insn.dst, insn.off, this.#counters?.get(insn.dst));
    code.push(value, mem(STORES[bytes]!, offset, 0));
    return code;
  }

  /** Atomics map onto the threads proposal; wasm traps on a misaligned one, as Linux forbids them. */
  #atomic(i: number, insn: Instruction): Instr[] {
    const bytes = sizeBytes((insn.opcode & 0x18) as Size);
    const align = Math.log2(bytes);
    if (insn.imm === AtomicOp.LOAD_ACQ) {
      const code: Instr[] = [];
      const offset = address(code, insn.src, insn.off, this.#counters?.get(insn.src));
      code.push(mem(ATOMIC_LOADS[bytes]!, offset, align), set(insn.dst));
      return code;
    }
    if (insn.imm === AtomicOp.STORE_REL) {
      const code: Instr[] = [];
      const offset = address(code, insn.dst, insn.off, this.#counters?.get(insn.dst));
      code.push(get(insn.src), mem(ATOMIC_STORES[bytes]!, offset, align));
      return code;
    }
    const w = bytes === 8 ? 'i64.atomic.rmw' : 'i64.atomic.rmw32';
    const u = bytes === 8 ? '' : '_u';
    const code: Instr[] = [];
    const offset = address(code, insn.dst, insn.off, this.#counters?.get(insn.dst));
    if (insn.imm === AtomicOp.CMPXCHG) {
      code.push(get(0), get(insn.src), mem(`${w}.cmpxchg${u}` as MemoryOp, offset, align), set(0));
      return code;
    }
    if (insn.imm === AtomicOp.XCHG) {
      code.push(get(insn.src), mem(`${w}.xchg${u}` as MemoryOp, offset, align), set(insn.src));
      return code;
    }
    const name = ATOMIC_RMW[insn.imm & ~AtomicOp.FETCH];
    if (name === undefined) throw new JitCompileError(i, `unsupported atomic operation 0x${insn.imm.toString(16)}`);
    const fetch = (insn.imm & AtomicOp.FETCH) !== 0;
    code.push(get(insn.src), mem(`${w}.${name}${u}` as MemoryOp, offset, align), fetch ? set(insn.src) : op('drop'));
    return code;
  }

  #ld(i: number, insn: Instruction, depth: number): Instr[] {
    if (insn.opcode === LD_IMM64) {
      const value = insn.src === PseudoLdImm64.IMM64 ? imm64Of(insn) : this.ctx.ldImm64(i);
      return [i64(value), set(insn.dst)];
    }
    // Legacy packet loads: read through the embedder; out of bounds ends the function with r0 = 0.
    const { ldPacket } = this.ctx.indexes;
    if (ldPacket === undefined) throw new JitCompileError(i, 'internal: LD_ABS/LD_IND without the packet import');
    const indirect = (insn.opcode & 0xe0) === Mode.IND;
    return [
      get(6),
      i64(insn.imm),
      indirect ? get(insn.src) : i64(0),
      i64(indirect ? 1 : 0),
      i64(sizeBytes((insn.opcode & 0x18) as Size)),
      { op: 'call', func: ldPacket },
      teeLocal(T),
      i64(-1),
      op('i64.eq'),
      { op: 'if', then: [i64(0), leave(depth + 1)] },
      getLocal(T),
      set(0),
    ];
  }

  #call(i: number, insn: Instruction, depth: number): Instr[] {
    const args = [get(1), get(2), get(3), get(4), get(5)];
    const { indexes } = this.ctx;
    if (insn.opcode === CALLX) {
      if (indexes.callx === undefined) throw new JitCompileError(i, 'internal: callx without its dispatcher');
      return [get(insn.dst), ...args, get(10), { op: 'call', func: indexes.callx }, set(0)];
    }
    if ((insn.opcode & 0xf0) !== JmpOp.CALL) throw new JitCompileError(i, `unexpected jump 0x${insn.opcode.toString(16)} in a block body`);
    switch (insn.src) {
      case PseudoCall.LOCAL:
        return [...args, get(10), i64(STACK_SIZE), op('i64.sub'), { op: 'call', func: indexes.functions[this.ctx.callTarget(i)]! }, set(0)];
      case PseudoCall.KFUNC: {
        const f = indexes.kfuncs.get(`${insn.off}:${insn.imm}`);
        if (f === undefined) throw new JitCompileError(i, `internal: kfunc ${insn.imm} not imported`);
        return [...args, { op: 'call', func: f }, set(0)];
      }
      default: {
        const inlined = this.ctx.inlined?.get(i);
        if (inlined) return inlinedCallCode(inlined, indexes);
        if (insn.imm === BPF_FUNC_TAIL_CALL) return this.#tailCall(i, depth);
        const f = indexes.helpers.get(insn.imm);
        const abi = indexes.helperAbis.get(insn.imm);
        if (f === undefined || abi === undefined) throw new JitCompileError(i, `internal: helper ${insn.imm} not imported`);
        return [...abiArguments(abi), { op: 'call', func: f }, ...abiResult(abi), set(0)];
      }
    }
  }

  /**
   * bpf_tail_call(ctx, map, index): the embedder answers with a slot of the shared program table
   * (or -1: empty slot, out of range, or the 33-call limit reached), and a successful call never
   * comes back: this function returns what the tail-called program returns, in this frame's stack.
   */
  #tailCall(i: number, depth: number): Instr[] {
    const { tailCall, programType } = this.ctx.indexes;
    if (tailCall === undefined) throw new JitCompileError(i, 'internal: tail call without its import');
    return [
      get(1),
      get(2),
      get(3),
      i64(0),
      i64(0),
      { op: 'call', func: tailCall },
      teeLocal(T),
      i64(0),
      op('i64.ge_s'),
      {
        op: 'if',
        then: [get(1), i64(0), i64(0), i64(0), i64(0), get(10), getLocal(T), WRAP, { op: 'call_indirect', type: programType, table: 0 }, leave(depth + 1)],
      },
      getLocal(T),
      set(0),
    ];
  }
}
