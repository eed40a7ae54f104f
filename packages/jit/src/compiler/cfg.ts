import {
  AtomicOp,
  InsnClass,
  type Instruction,
  JA,
  JA32,
  JmpOp,
  LD_IMM64,
  Mode,
  PseudoCall,
  PseudoLdImm64,
  classOf,
  slotIndex,
} from '@bpfhive/uapi';
import { JitCompileError } from './errors.js';
import type { VectorLoop } from './vector-loop.js';

/**
 * Control flow of a program: its functions (the entry and every bpf-to-bpf target), each split
 * into basic blocks with successors, reverse postorder, immediate dominators and loop headers.
 * Everything is by instruction index (a `lddw` is one instruction), converted from slots once.
 */

/** How a basic block ends. Targets are block ids. */
export type Terminator =
  | { readonly kind: 'goto'; readonly target: number }
  /**
   * A conditional jump (or `may_goto`) at `insnIndex`: `taken` when it holds, else `fallthrough`.
   * With `check` it is no instruction of the program but one test in front of a loop that
   * unroll.ts versioned: `taken` when the check holds.
   */
  | {
      readonly kind: 'cond';
      readonly insnIndex: number;
      readonly taken: number;
      readonly fallthrough: number;
      readonly check?: CounterCheck;
    }
  | { readonly kind: 'exit' };

/**
 * One comparison of a versioned loop's test (unroll.ts): `left op right`, or with `minus`,
 * `(left - minus) op right`, on 64-bit values.
 */
export interface CounterCheck {
  readonly left: number;
  readonly minus?: number;
  readonly op: 'lt_u' | 'le_u' | 'lt_s' | 'le_s' | 'gt_u' | 'ge_u' | 'gt_s' | 'ge_s';
  readonly right: { readonly reg: number } | { readonly imm: bigint };
  /** Compares the low 32 bits of `left` (with a constant `right` below 2^32) instead. */
  readonly low32?: boolean;
}

export interface BasicBlock {
  readonly id: number;
  /** Instruction indexes of the straight-line body (without a jump or exit that ends the block). */
  readonly body: readonly number[];
  readonly term: Terminator;
  /** For the straight-line copies of a versioned loop (unroll.ts): how to compute in them. */
  readonly fast?: FastBlock;
  /** A block in front of a reduction loop that runs its first trips vectorized (vectorize.ts); its body is empty. */
  readonly vector?: VectorLoop;
}

/**
 * Registers the code of a versioned loop's straight-line block F may compute differently, from
 * their values where F starts (codegen.ts): `counters` change only by adding constants, so each
 * of their values is computed from the start value (the copies' updates do not chain); `sums`
 * are accumulators, `sum += x`, whose additions are regrouped as `start + (x1 + x2 + ...)`.
 * Every register still holds its own value after every instruction.
 */
export interface FastBlock {
  readonly counters: readonly number[];
  readonly sums: readonly number[];
  /**
   * Counters that F's test proved do not carry out of their low 32 bits in F (for any offset at
   * which F accesses memory through them): `u32(start + c) = u32(start) + c`, so an access at
   * `counter + off` can put `c + off` into the memarg offset (codegen.ts address()).
   */
  readonly folded: readonly number[];
}

/** The register an access to memory goes through, if `insn` accesses memory. */
export function memoryBase(insn: Instruction): number | undefined {
  const cls = classOf(insn.opcode);
  const mode = insn.opcode & 0xe0;
  if (cls === InsnClass.LDX) return mode === Mode.MEM || mode === Mode.MEMSX ? insn.src : undefined;
  if (cls !== InsnClass.ST && cls !== InsnClass.STX) return undefined;
  if (mode === Mode.ATOMIC) return insn.imm === AtomicOp.LOAD_ACQ ? insn.src : insn.dst;
  return mode === Mode.MEM ? insn.dst : undefined;
}

/** Registers an instruction writes (calls and packet loads excluded: they also clobber r1..r5). */
export function registersWritten(insn: Instruction): number[] {
  const cls = classOf(insn.opcode);
  if (cls === InsnClass.ALU || cls === InsnClass.ALU64 || cls === InsnClass.LDX || cls === InsnClass.LD) return [insn.dst];
  if ((cls === InsnClass.STX || cls === InsnClass.ST) && (insn.opcode & 0xe0) === Mode.ATOMIC) {
    if (insn.imm === AtomicOp.LOAD_ACQ) return [insn.dst];
    if (insn.imm === AtomicOp.CMPXCHG) return [0];
    if ((insn.imm & AtomicOp.FETCH) !== 0) return [insn.src];
  }
  return [];
}

export interface FunctionCfg {
  /** Instruction index of the function's first instruction. */
  readonly start: number;
  /** One past its last instruction. */
  readonly end: number;
  /** Blocks in program order; block 0 is the entry. */
  readonly blocks: readonly BasicBlock[];
  /** Block ids reachable from the entry, in reverse postorder. */
  readonly rpo: readonly number[];
  /** rpoIndex[block] = its position in `rpo`, or -1 when unreachable. */
  readonly rpoIndex: readonly number[];
  /** Immediate dominator of each reachable block (the entry's is itself), -1 when unreachable. */
  readonly idom: readonly number[];
  /** True when every back edge goes to a block that dominates its source (the CFG is reducible). */
  readonly reducible: boolean;
}

export interface ProgramCfg {
  readonly functions: readonly FunctionCfg[];
  /** Function index by its first instruction index. */
  readonly functionAt: ReadonlyMap<number, number>;
  /** Slot of each instruction, and the total at the end (see slotIndex). */
  readonly slots: readonly number[];
  /** Instruction index by slot (undefined for the second slot of a lddw). */
  readonly insnAtSlot: readonly (number | undefined)[];
}

/** Slot-relative targets of jumps, calls and function-address loads, as instruction indexes. */
export function jumpTarget(insns: readonly Instruction[], slots: readonly number[], insnAtSlot: readonly (number | undefined)[], i: number, relative: number): number {
  const slot = slots[i]! + 1 + relative;
  const target = insnAtSlot[slot];
  if (target === undefined) {
    const where = slot < 0 || slot >= slots[insns.length]! ? 'outside the program' : 'into the middle of a lddw';
    throw new JitCompileError(i, `jump or call to slot ${slot} lands ${where}`);
  }
  return target;
}

const isJump = (insn: Instruction): boolean => {
  const cls = classOf(insn.opcode);
  if (cls !== InsnClass.JMP && cls !== InsnClass.JMP32) return false;
  const op = insn.opcode & 0xf0;
  return op !== JmpOp.CALL && op !== JmpOp.EXIT;
};
const isExit = (insn: Instruction): boolean => insn.opcode === (InsnClass.JMP | JmpOp.EXIT);
const isUnconditional = (insn: Instruction): boolean => insn.opcode === JA || insn.opcode === JA32;
/** The relative slot offset of a jump: `imm` for gotol, `off` otherwise. */
const jumpOffset = (insn: Instruction): number => (insn.opcode === JA32 ? insn.imm : insn.off);

/** How an instruction passes control on (each instruction is classified once). */
const FLOW_NEXT = 0;
const FLOW_COND = 1;
const FLOW_GOTO = 2;
const FLOW_EXIT = 3;
const flowOf = (insn: Instruction): number => (isExit(insn) ? FLOW_EXIT : isUnconditional(insn) ? FLOW_GOTO : isJump(insn) ? FLOW_COND : FLOW_NEXT);

/** Builds the control flow of a whole program. Throws JitCompileError for malformed control flow. */
export function buildProgramCfg(insns: readonly Instruction[]): ProgramCfg {
  if (insns.length === 0) throw new JitCompileError(0, 'the program has no instructions');
  const slots = slotIndex(insns);
  const insnAtSlot: (number | undefined)[] = new Array(slots[insns.length]!).fill(undefined);
  for (let i = 0; i < insns.length; i++) insnAtSlot[slots[i]!] = i;

  const starts = new Set<number>([0]);
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    const localCall = insn.opcode === (InsnClass.JMP | JmpOp.CALL) && insn.src === PseudoCall.LOCAL;
    const funcAddress = insn.opcode === LD_IMM64 && insn.src === PseudoLdImm64.FUNC;
    if (localCall || funcAddress) starts.add(jumpTarget(insns, slots, insnAtSlot, i, insn.imm));
  }
  const ordered = [...starts].sort((a, b) => a - b);
  const functions = ordered.map((start, f) => buildFunctionCfg(insns, slots, insnAtSlot, start, ordered[f + 1] ?? insns.length));
  return { functions, functionAt: new Map(ordered.map((s, f) => [s, f])), slots, insnAtSlot };
}

function buildFunctionCfg(
  insns: readonly Instruction[],
  slots: readonly number[],
  insnAtSlot: readonly (number | undefined)[],
  start: number,
  end: number,
): FunctionCfg {
  const last = insns[end - 1]!;
  if (!isExit(last) && !isUnconditional(last)) {
    throw new JitCompileError(end - 1, 'the function can run past its last instruction (it must end with exit or a jump)');
  }
  const n = end - start;
  // By position in the function (instruction index - start): how it passes control on, where it
  // jumps to, and whether a block starts there. Leaders: the start, every jump target, every
  // instruction after a jump or exit.
  const flow = new Uint8Array(n);
  const target = new Int32Array(n);
  const leader = new Uint8Array(n + 1);
  leader[0] = 1;
  for (let k = 0; k < n; k++) {
    const insn = insns[start + k]!;
    const f = flowOf(insn);
    if (f === FLOW_NEXT) continue;
    flow[k] = f;
    if (f !== FLOW_EXIT) {
      const t = jumpTarget(insns, slots, insnAtSlot, start + k, jumpOffset(insn));
      if (t < start || t >= end) throw new JitCompileError(start + k, `jump to instruction ${t} leaves the function [${start}, ${end})`);
      target[k] = t - start;
      leader[t - start] = 1;
    }
    if (k + 1 < n) leader[k + 1] = 1;
  }
  const heads: number[] = [];
  // blockAt[k] = the block starting at position k (only read at leaders).
  const blockAt = new Int32Array(n + 1).fill(-1);
  for (let k = 0; k < n; k++) {
    if (leader[k] === 1) {
      blockAt[k] = heads.length;
      heads.push(k);
    }
  }
  const blocks: BasicBlock[] = new Array<BasicBlock>(heads.length);
  for (let id = 0; id < heads.length; id++) {
    const stop = id + 1 < heads.length ? heads[id + 1]! : n;
    const lastK = stop - 1;
    const f = flow[lastK]!;
    const head = heads[id]!;
    const body = new Array<number>((f === FLOW_NEXT ? stop : lastK) - head);
    for (let k = 0; k < body.length; k++) body[k] = start + head + k;
    let term: Terminator;
    if (f === FLOW_EXIT) term = { kind: 'exit' };
    else if (f === FLOW_GOTO) term = { kind: 'goto', target: blockAt[target[lastK]!]! };
    else if (f === FLOW_COND) term = { kind: 'cond', insnIndex: start + lastK, taken: blockAt[target[lastK]!]!, fallthrough: blockAt[stop]! };
    else term = { kind: 'goto', target: blockAt[stop]! };
    blocks[id] = { id, body, term };
  }
  return { start, end, blocks, ...analyse(blocks) };
}

export function successors(term: Terminator): number[] {
  switch (term.kind) {
    case 'goto':
      return [term.target];
    case 'cond':
      return [term.taken, term.fallthrough];
    case 'exit':
      return [];
  }
}

/** Reverse postorder, immediate dominators (Cooper, Harvey and Kennedy), reducibility. */
export function analyse(blocks: readonly BasicBlock[]): Pick<FunctionCfg, 'rpo' | 'rpoIndex' | 'idom' | 'reducible'> {
  const n = blocks.length;
  // Successors of block b: succ[2b] and, when succCount[b] is 2, succ[2b + 1] (taken, then fallthrough).
  const succ = new Int32Array(2 * n);
  const succCount = new Uint8Array(n);
  for (let b = 0; b < n; b++) {
    const term = blocks[b]!.term;
    if (term.kind === 'goto') {
      succ[2 * b] = term.target;
      succCount[b] = 1;
    } else if (term.kind === 'cond') {
      succ[2 * b] = term.taken;
      succ[2 * b + 1] = term.fallthrough;
      succCount[b] = 2;
    }
  }
  const post: number[] = [];
  const visited = new Uint8Array(n);
  // Iterative DFS: a stack of blocks and, beside it, the next successor of each to visit.
  const stack = new Int32Array(n);
  const nextSucc = new Uint8Array(n);
  let top = 0;
  stack[0] = 0;
  visited[0] = 1;
  while (top >= 0) {
    const b = stack[top]!;
    const k = nextSucc[top]!;
    if (k < succCount[b]!) {
      nextSucc[top] = k + 1;
      const next = succ[2 * b + k]!;
      if (visited[next] === 0) {
        visited[next] = 1;
        top++;
        stack[top] = next;
        nextSucc[top] = 0;
      }
    } else {
      post.push(b);
      top--;
    }
  }
  const rpo = post.reverse();
  const rpoIndex = new Array<number>(n).fill(-1);
  for (let i = 0; i < rpo.length; i++) rpoIndex[rpo[i]!] = i;

  // Predecessors (reachable ones, in reverse postorder) of block b: pred[predStart[b] .. predStart[b + 1]).
  const predStart = new Int32Array(n + 1);
  for (const b of rpo) for (let k = 0; k < succCount[b]!; k++) predStart[succ[2 * b + k]! + 1]!++;
  for (let b = 0; b < n; b++) predStart[b + 1]! += predStart[b]!;
  const pred = new Int32Array(predStart[n]!);
  const fill = predStart.slice(0, n);
  for (const b of rpo) for (let k = 0; k < succCount[b]!; k++) pred[fill[succ[2 * b + k]!]!++] = b;

  const idom = new Array<number>(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (rpoIndex[a]! > rpoIndex[b]!) a = idom[a]!;
      while (rpoIndex[b]! > rpoIndex[a]!) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let r = 1; r < rpo.length; r++) {
      const b = rpo[r]!;
      let dom = -1;
      for (let q = predStart[b]!; q < predStart[b + 1]!; q++) {
        const p = pred[q]!;
        if (idom[p] === -1) continue;
        dom = dom === -1 ? p : intersect(p, dom);
      }
      if (dom !== idom[b]) {
        idom[b] = dom;
        changed = true;
      }
    }
  }

  const dominates = (a: number, b: number): boolean => {
    for (let x = b; ; x = idom[x]!) {
      if (x === a) return true;
      if (x === 0) return a === 0;
    }
  };
  let reducible = true;
  for (const b of rpo) {
    for (let k = 0; k < succCount[b]!; k++) {
      const s = succ[2 * b + k]!;
      if (rpoIndex[s]! <= rpoIndex[b]! && !dominates(s, b)) reducible = false;
    }
  }
  return { rpo, rpoIndex, idom, reducible };
}
