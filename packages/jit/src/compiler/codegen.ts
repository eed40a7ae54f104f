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
import type { BasicBlock, Terminator } from './cfg.js';
import { JitCompileError } from './errors.js';
import { LOOPS, T, T32, U, get, getLocal, i32, i64, set, setLocal, teeLocal } from './locals.js';
import type { FunctionIndexes } from './module-layout.js';

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
}

const op = (o: PlainOp): Instr => ({ op: o });

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

const LOADS: ReadonlyMap<number, MemoryOp> = new Map([
  [1, 'i64.load8_u'],
  [2, 'i64.load16_u'],
  [4, 'i64.load32_u'],
  [8, 'i64.load'],
]);
const SIGNED_LOADS: ReadonlyMap<number, MemoryOp> = new Map([
  [1, 'i64.load8_s'],
  [2, 'i64.load16_s'],
  [4, 'i64.load32_s'],
]);
const STORES: ReadonlyMap<number, MemoryOp> = new Map([
  [1, 'i64.store8'],
  [2, 'i64.store16'],
  [4, 'i64.store32'],
  [8, 'i64.store'],
]);
const mem = (o: MemoryOp, offset: number, align: number): Instr => ({ op: o, offset, align });

/** Pushes the i32 address `u32(reg) + off` and returns the memarg offset to use with it. */
function address(reg: number, off: number): { code: Instr[]; offset: number } {
  if (off >= 0) return { code: [get(reg), op('i32.wrap_i64')], offset: off };
  return { code: [get(reg), op('i32.wrap_i64'), i32(off), op('i32.add')], offset: 0 };
}

export class FunctionCodegen {
  constructor(private readonly ctx: CodegenContext) {}

  body(block: BasicBlock): Instr[] {
    const out: Instr[] = [];
    for (const i of block.body) for (const x of this.instruction(i)) out.push(x);
    return out;
  }

  exit(): Instr[] {
    return [get(0), op('return')];
  }

  condition(term: Extract<Terminator, { kind: 'cond' }>): Instr[] {
    const insn = this.ctx.insns[term.insnIndex]!;
    if (insn.opcode === MAY_GOTO) {
      // Linux rewrites may_goto into a countdown: taken once the budget is spent.
      return [
        getLocal(LOOPS),
        op('i64.eqz'),
        {
          op: 'if',
          result: 'i32',
          then: [i32(1)],
          else: [getLocal(LOOPS), i64(1), op('i64.sub'), setLocal(LOOPS), i32(0)],
        },
      ];
    }
    const is32 = classOf(insn.opcode) === InsnClass.JMP32;
    const bySrc = (insn.opcode & 0x08) === Source.X;
    const lhs: Instr[] = is32 ? [get(insn.dst), op('i32.wrap_i64')] : [get(insn.dst)];
    const rhs: Instr[] = bySrc ? (is32 ? [get(insn.src), op('i32.wrap_i64')] : [get(insn.src)]) : [is32 ? i32(insn.imm) : i64(insn.imm)];
    const t = is32 ? 'i32' : 'i64';
    const jop = insn.opcode & 0xf0;
    if (jop === JmpOp.JSET) return [...lhs, ...rhs, op(`${t}.and`), op(`${t}.eqz`), op('i32.eqz')];
    const name = COMPARE.get(jop);
    if (name === undefined) throw new JitCompileError(term.insnIndex, `unsupported jump opcode 0x${insn.opcode.toString(16)}`);
    return [...lhs, ...rhs, op(`${t}.${name}` as PlainOp)];
  }

  instruction(i: number): Instr[] {
    const insn = this.ctx.insns[i]!;
    switch (classOf(insn.opcode)) {
      case InsnClass.ALU:
      case InsnClass.ALU64:
        return this.#alu(i, insn);
      case InsnClass.LDX:
        return this.#load(insn);
      case InsnClass.ST:
      case InsnClass.STX:
        return (insn.opcode & 0xe0) === Mode.ATOMIC ? this.#atomic(i, insn) : this.#store(insn);
      case InsnClass.LD:
        return this.#ld(i, insn);
      case InsnClass.JMP:
        return this.#call(i, insn);
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
      return is64 ? [i64(0), get(d), op('i64.sub'), set(d)] : [i32(0), get(d), op('i32.wrap_i64'), op('i32.sub'), op('i64.extend_i32_u'), set(d)];
    }
    if (aop === AluOp.MOV) return this.#move(i, insn, is64, bySrc);
    const t = is64 ? 'i64' : 'i32';
    const dst: Instr[] = is64 ? [get(d)] : [get(d), op('i32.wrap_i64')];
    const src: Instr[] = bySrc ? (is64 ? [get(insn.src)] : [get(insn.src), op('i32.wrap_i64')]) : [is64 ? i64(insn.imm) : i32(insn.imm)];
    const finish: Instr[] = is64 ? [set(d)] : [op('i64.extend_i32_u'), set(d)];
    const name = SIMPLE_ALU.get(aop);
    if (name !== undefined) return [...dst, ...src, op(`${t}.${name}` as PlainOp), ...finish];
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
    const divisor: Instr[] = is64 ? [getLocal(U)] : [getLocal(U), op('i32.wrap_i64')];
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
      const ext: Record<number, PlainOp | undefined> = { 0: undefined, 8: 'i64.extend8_s', 16: 'i64.extend16_s', 32: 'i64.extend32_s' };
      const e = ext[insn.off];
      return e === undefined ? [get(s), set(d)] : [get(s), op(e), set(d)];
    }
    const ext32: Record<number, PlainOp | undefined> = { 0: undefined, 8: 'i32.extend8_s', 16: 'i32.extend16_s' };
    const e = ext32[insn.off];
    return [get(s), op('i32.wrap_i64'), ...(e === undefined ? [] : [op(e)]), op('i64.extend_i32_u'), set(d)];
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
              op('i32.wrap_i64'),
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
              op('i64.extend_i32_u'),
              set(d),
            ]
          : [get(d), op('i32.wrap_i64'), op('i64.extend_i32_u'), set(d)];
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
    const a = address(insn.src, insn.off);
    return [...a.code, mem((signed ? SIGNED_LOADS : LOADS).get(bytes)!, a.offset, 0), set(insn.dst)];
  }

  #store(insn: Instruction): Instr[] {
    const bytes = sizeBytes((insn.opcode & 0x18) as Size);
    const value = classOf(insn.opcode) === InsnClass.ST ? i64(insn.imm) : get(insn.src);
    const a = address(insn.dst, insn.off);
    return [...a.code, value, mem(STORES.get(bytes)!, a.offset, 0)];
  }

  /** Atomics map onto the threads proposal; wasm traps on a misaligned one, as Linux forbids them. */
  #atomic(i: number, insn: Instruction): Instr[] {
    const bytes = sizeBytes((insn.opcode & 0x18) as Size);
    const align = Math.log2(bytes);
    if (insn.imm === AtomicOp.LOAD_ACQ) {
      const name: Record<number, MemoryOp> = { 1: 'i64.atomic.load8_u', 2: 'i64.atomic.load16_u', 4: 'i64.atomic.load32_u', 8: 'i64.atomic.load' };
      const a = address(insn.src, insn.off);
      return [...a.code, mem(name[bytes]!, a.offset, align), set(insn.dst)];
    }
    if (insn.imm === AtomicOp.STORE_REL) {
      const name: Record<number, MemoryOp> = { 1: 'i64.atomic.store8', 2: 'i64.atomic.store16', 4: 'i64.atomic.store32', 8: 'i64.atomic.store' };
      const a = address(insn.dst, insn.off);
      return [...a.code, get(insn.src), mem(name[bytes]!, a.offset, align)];
    }
    const w = bytes === 8 ? 'i64.atomic.rmw' : 'i64.atomic.rmw32';
    const u = bytes === 8 ? '' : '_u';
    const a = address(insn.dst, insn.off);
    if (insn.imm === AtomicOp.CMPXCHG) {
      return [...a.code, get(0), get(insn.src), mem(`${w}.cmpxchg${u}` as MemoryOp, a.offset, align), set(0)];
    }
    if (insn.imm === AtomicOp.XCHG) return [...a.code, get(insn.src), mem(`${w}.xchg${u}` as MemoryOp, a.offset, align), set(insn.src)];
    const names: Record<number, string> = { [AtomicOp.ADD]: 'add', [AtomicOp.OR]: 'or', [AtomicOp.AND]: 'and', [AtomicOp.XOR]: 'xor' };
    const name = names[insn.imm & ~AtomicOp.FETCH];
    if (name === undefined) throw new JitCompileError(i, `unsupported atomic operation 0x${insn.imm.toString(16)}`);
    const rmw = mem(`${w}.${name}${u}` as MemoryOp, a.offset, align);
    const fetch = (insn.imm & AtomicOp.FETCH) !== 0;
    return [...a.code, get(insn.src), rmw, fetch ? set(insn.src) : op('drop')];
  }

  #ld(i: number, insn: Instruction): Instr[] {
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
      { op: 'if', then: [i64(0), op('return')] },
      getLocal(T),
      set(0),
    ];
  }

  #call(i: number, insn: Instruction): Instr[] {
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
        if (insn.imm === BPF_FUNC_TAIL_CALL) return this.#tailCall(i);
        const f = indexes.helpers.get(insn.imm);
        if (f === undefined) throw new JitCompileError(i, `internal: helper ${insn.imm} not imported`);
        return [...args, { op: 'call', func: f }, set(0)];
      }
    }
  }

  /**
   * bpf_tail_call(ctx, map, index): the embedder answers with a slot of the shared program table
   * (or -1: empty slot, out of range, or the 33-call limit reached), and a successful call never
   * comes back: this function returns what the tail-called program returns, in this frame's stack.
   */
  #tailCall(i: number): Instr[] {
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
        then: [get(1), i64(0), i64(0), i64(0), i64(0), get(10), getLocal(T), op('i32.wrap_i64'), { op: 'call_indirect', type: programType, table: 0 }, op('return')],
      },
      getLocal(T),
      set(0),
    ];
  }
}
