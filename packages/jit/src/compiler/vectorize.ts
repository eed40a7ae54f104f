import { AluOp, InsnClass, type Instruction, JmpOp, Mode, Source, classOf, sizeBytes, type Size } from '@bpfhive/uapi';
import { NEGATE, SWAP } from './jump-algebra.js';
import { type BasicBlock, type FunctionCfg, type Terminator, analyse } from './cfg.js';
import type { VectorLoop, VectorReduction, VectorStream, ReductionOp } from './vector-loop.js';

/**
 * Vectorization of reduction loops, as a transformation of the control-flow graph before
 * unrolling (unroll.ts) and structuring.
 *
 * eBPF has no SIMD, so clang's auto-vectorizer cannot help a BPF program; native code summing a
 * buffer runs two u64 words per SSE2 instruction. This pass recognises the loops it can run that
 * way too: a loop of one block (no branches inside) whose registers, over one trip, are
 *
 * - inductions: changed only by adding constants (`i += 1`, `p += 8`);
 * - reductions: `acc = acc OP x1 OP x2 …` for one OP of add, xor, or, and (64-bit, or all
 *   32-bit: then only the low 32 bits matter and the result is zero-extended), where each x is a
 *   word loaded from `p + off` with p an induction that moves by the word's size (4 or 8 bytes,
 *   a contiguous stream, ascending);
 * - temporaries: written before they are read in the trip (their values at the start of a trip
 *   do not matter); or invariants: never written;
 *
 * with no stores, calls, BPF_PROBE_MEM loads (`probeLoads`: the vector code has no NULL guard and
 * no read-0-on-fault, so such a loop stays scalar, each load checked by codegen #probeLoad) or
 * other instructions, and whose only exit test compares an induction
 * with an invariant register or a constant. Add, xor, or and and are associative and commutative
 * mod 2^64, so summing the words two lanes at a time and the lanes at the end gives exactly the
 * same value as the loop.
 *
 * The loop gets a block X in front of its header (every edge from outside goes to X, X goes to
 * the header, so unroll.ts then treats X as any block before the loop). X's code
 * (vector-codegen.ts) computes from the registers alone how many trips v the loop is sure to
 * run with a next trip after them (the exit test holds after each of them), lowers v so that
 * every word those v trips load lies inside the wasm memory, to a multiple of the vector loop's
 * step, and if any remain, runs them as a wasm loop over v128 accumulators, then sets each
 * reduction and induction to its value after v trips. The original loop then runs the rest (at
 * least one trip, which rewrites the temporaries) with all its exit tests: the registers it sees
 * are those of the scalar run after v trips, and a load that would fault still faults, in the
 * same trip, since X never loads a word the scalar loop would not have loaded first.
 */

const NO_PROBE_LOADS: ReadonlySet<number> = new Set();

/**
 * Returns `cfg` with a vector block X in front of each loop that qualifies (or `cfg` itself).
 * `probeLoads`: the instruction indexes of BPF_PROBE_MEM loads (compile option probeLoads).
 */
export function vectorizeLoops(cfg: FunctionCfg, insns: readonly Instruction[], probeLoads: ReadonlySet<number> = NO_PROBE_LOADS): FunctionCfg {
  if (!cfg.reducible) return cfg;
  const blocks: BasicBlock[] = [...cfg.blocks];
  let changed = false;
  for (const b of cfg.rpo) {
    const block = cfg.blocks[b]!;
    const term = block.term;
    // A loop of one block: it branches to itself; the entry block must stay the entry.
    if (b === 0 || term.kind !== 'cond' || (term.taken === b) === (term.fallthrough === b)) continue;
    const vector = reductionLoop(block, term, insns, probeLoads);
    if (vector === undefined) continue;
    const x = blocks.length;
    for (let p = 0; p < blocks.length; p++) {
      if (p !== b) blocks[p] = { ...blocks[p]!, term: retarget(blocks[p]!.term, b, x) };
    }
    blocks.push({ id: x, body: [], term: { kind: 'goto', target: b }, vector });
    changed = true;
  }
  if (!changed) return cfg;
  const analysis = analyse(blocks);
  if (!analysis.reducible) return cfg;
  return { ...cfg, blocks, ...analysis };
}

function retarget(term: Terminator, from: number, to: number): Terminator {
  const t = (x: number): number => (x === from ? to : x);
  switch (term.kind) {
    case 'goto':
      return term.target === from ? { kind: 'goto', target: to } : term;
    case 'cond':
      return term.taken === from || term.fallthrough === from ? { ...term, taken: t(term.taken), fallthrough: t(term.fallthrough) } : term;
    case 'exit':
      return term;
  }
}

/**
 * A register's value during one trip, in terms of the values at the trip's start: `start + add`
 * of one register; a word of a stream; `acc OP terms` (acc a register's start value, or none
 * before one joins); or anything else (which must never be read).
 */
type Value =
  | { readonly kind: 'affine'; readonly reg: number; readonly add: bigint }
  | { readonly kind: 'word'; readonly stream: number }
  | { readonly kind: 'reduce'; readonly op: ReductionOp; readonly narrow: boolean; readonly acc: number | undefined; readonly terms: readonly number[] }
  | { readonly kind: 'other' };

const OTHER: Value = { kind: 'other' };

const REDUCTION_OPS: ReadonlyMap<number, ReductionOp> = new Map([
  [AluOp.ADD, 'add'],
  [AluOp.XOR, 'xor'],
  [AluOp.OR, 'or'],
  [AluOp.AND, 'and'],
]);

/** The stay conditions by jump operation, for a counter moving up (`step > 0`) and down. */
const STAY: ReadonlyMap<number, VectorLoop['test']['stay']> = new Map([
  [JmpOp.JLT, 'lt_u'],
  [JmpOp.JLE, 'le_u'],
  [JmpOp.JSLT, 'lt_s'],
  [JmpOp.JSLE, 'le_s'],
  [JmpOp.JGT, 'gt_u'],
  [JmpOp.JGE, 'ge_u'],
  [JmpOp.JSGT, 'gt_s'],
  [JmpOp.JSGE, 'ge_s'],
  [JmpOp.JNE, 'ne'],
]);
const UP_STAYS = new Set(['lt_u', 'le_u', 'lt_s', 'le_s', 'ne']);
const DOWN_STAYS = new Set(['gt_u', 'ge_u', 'gt_s', 'ge_s', 'ne']);

const ALU64_ADD_K = InsnClass.ALU64 | AluOp.ADD | Source.K;
const ALU64_SUB_K = InsnClass.ALU64 | AluOp.SUB | Source.K;
const ALU64_MOV_X = InsnClass.ALU64 | AluOp.MOV | Source.X;
const ALU32_MOV_X = InsnClass.ALU | AluOp.MOV | Source.X;

/** Most reductions and streams one vector loop handles (each reduction takes v128 locals). */
const MAX_REDUCTIONS = 4;
const MAX_STREAMS = 4;

/**
 * The VectorLoop of a one-block loop (`block` branching to itself), or undefined when it does not
 * qualify (among others: it holds one of `probeLoads`).
 */
export function reductionLoop(
  block: BasicBlock,
  term: Extract<Terminator, { kind: 'cond' }>,
  insns: readonly Instruction[],
  probeLoads: ReadonlySet<number> = NO_PROBE_LOADS,
): VectorLoop | undefined {
  const values = new Map<number, Value>();
  const value = (r: number): Value => values.get(r) ?? { kind: 'affine', reg: r, add: 0n };
  const streams: VectorStream[] = [];
  // Start values read, by use: as a load's base (must be inductions), as an accumulator (must be
  // that register's reduction), as a bound (must be invariant).
  const bases = new Set<number>();
  const accs = new Set<number>();
  for (const i of block.body) {
    const insn = insns[i]!;
    const cls = classOf(insn.opcode);
    const d = insn.dst;
    if (insn.opcode === ALU64_ADD_K || insn.opcode === ALU64_SUB_K) {
      const v = value(d);
      if (v.kind !== 'affine') return undefined;
      const imm = BigInt(insn.imm);
      values.set(d, { kind: 'affine', reg: v.reg, add: v.add + (insn.opcode === ALU64_ADD_K ? imm : -imm) });
    } else if (insn.opcode === ALU64_MOV_X && insn.off === 0) {
      values.set(d, value(insn.src));
    } else if (insn.opcode === ALU32_MOV_X && insn.off === 0) {
      // wd = ws zero-extends: a copy of a 32-bit reduction (already zero-extended); else opaque.
      const v = value(insn.src);
      values.set(d, v.kind === 'reduce' && v.narrow ? v : OTHER);
    } else if ((cls === InsnClass.ALU64 || cls === InsnClass.ALU) && (insn.opcode & 0x08) === Source.X && REDUCTION_OPS.has(insn.opcode & 0xf0)) {
      if (insn.src === d) return undefined;
      const combined = combine(value(d), value(insn.src), REDUCTION_OPS.get(insn.opcode & 0xf0)!, cls === InsnClass.ALU, accs);
      if (combined === undefined) return undefined;
      values.set(d, combined);
    } else if (cls === InsnClass.LDX && ((insn.opcode & 0xe0) === Mode.MEM || (insn.opcode & 0xe0) === Mode.MEMSX) && !probeLoads.has(i)) {
      const size = sizeBytes((insn.opcode & 0x18) as Size);
      const signed = (insn.opcode & 0xe0) === Mode.MEMSX;
      const base = value(insn.src);
      if ((size !== 4 && size !== 8) || (signed && size !== 4) || base.kind !== 'affine' || streams.length === MAX_STREAMS) return undefined;
      bases.add(base.reg);
      streams.push({ base: base.reg, offset: base.add, off: insn.off, size, signed });
      values.set(d, { kind: 'word', stream: streams.length - 1 });
    } else if ((cls === InsnClass.ALU64 || cls === InsnClass.ALU) && (insn.opcode & 0xf0) === AluOp.MOV && (insn.opcode & 0x08) === Source.K) {
      values.set(d, OTHER); // a constant: fine for a temporary nothing reads
    } else {
      return undefined; // stores, calls, other arithmetic: not a reduction loop
    }
  }

  // What each written register is over a trip.
  const inductions: { reg: number; step: bigint }[] = [];
  const reductions: VectorReduction[] = [];
  for (const [r, v] of values) {
    if (v.kind === 'affine' && v.reg === r) {
      if (v.add !== 0n) inductions.push({ reg: r, step: v.add });
    } else if (v.kind === 'reduce' && v.acc === r) {
      if (v.terms.length === 0) return undefined;
      reductions.push({ reg: r, op: v.op, narrow: v.narrow, terms: v.terms });
    } else if (bases.has(r) || accs.has(r) || readsStart(values, r)) {
      return undefined; // its start value is read, but it is neither an induction nor a reduction
    }
  }
  const induction = new Map(inductions.map((x) => [x.reg, x.step]));
  if (reductions.length === 0 || reductions.length > MAX_REDUCTIONS) return undefined;
  for (const r of bases) if (!induction.has(r)) return undefined;
  for (const r of accs) if (!reductions.some((x) => x.reg === r)) return undefined;
  for (const s of streams) if (induction.get(s.base) !== BigInt(s.size)) return undefined;

  // The exit test, on the registers after the trip.
  const insn = insns[term.insnIndex]!;
  if (classOf(insn.opcode) !== InsnClass.JMP) return undefined;
  const jop = insn.opcode & 0xf0;
  if (!NEGATE.has(jop)) return undefined;
  let stayOp = term.taken === block.id ? jop : NEGATE.get(jop)!;
  const byReg = (insn.opcode & 0x08) === Source.X;
  const invariant = (r: number): boolean => !values.has(r);
  let counter: number;
  let bound: VectorLoop['test']['bound'];
  if (induction.has(insn.dst) && (!byReg || invariant(insn.src))) {
    counter = insn.dst;
    bound = byReg ? { reg: insn.src } : { imm: BigInt(insn.imm) };
  } else if (byReg && induction.has(insn.src) && invariant(insn.dst)) {
    counter = insn.src;
    bound = { reg: insn.dst };
    stayOp = SWAP.get(stayOp)!;
  } else {
    return undefined;
  }
  const stay = STAY.get(stayOp);
  const step = induction.get(counter)!;
  if (stay === undefined || !(step > 0n ? UP_STAYS : DOWN_STAYS).has(stay)) return undefined;
  return { inductions, streams, reductions, test: { counter, step, stay, bound } };
}

/** Whether some value of the trip was computed from register r's start value. */
function readsStart(values: ReadonlyMap<number, Value>, r: number): boolean {
  for (const v of values.values()) if ((v.kind === 'affine' && v.reg === r && v.add !== 0n) || (v.kind === 'reduce' && v.acc === r)) return true;
  return false;
}

/**
 * `a OP b` as a reduction value, or undefined when it is not one: each side a word, a reduction
 * of the same OP, or a register's start value (the accumulator; at most one).
 */
function combine(a: Value, b: Value, op: ReductionOp, narrow: boolean, accs: Set<number>): Value | undefined {
  let acc: number | undefined;
  const terms: number[] = [];
  for (const v of [a, b]) {
    if (v.kind === 'word') {
      terms.push(v.stream);
    } else if (v.kind === 'reduce') {
      // 32-bit after 64-bit keeps the low 32 bits of the same total; 64-bit after 32-bit does not.
      if (v.op !== op || (v.narrow && !narrow)) return undefined;
      if (v.acc !== undefined) {
        if (acc !== undefined) return undefined;
        acc = v.acc;
      }
      terms.push(...v.terms);
    } else if (v.kind === 'affine' && v.add === 0n) {
      if (acc !== undefined) return undefined;
      acc = v.reg;
    } else {
      return undefined;
    }
  }
  if (acc !== undefined) accs.add(acc);
  return { kind: 'reduce', op, narrow, acc, terms };
}
