import { AluOp, InsnClass, type Instruction, JmpOp, Mode, Source, classOf } from '@bpfhive/uapi';
import { NEGATE, SWAP } from './jump-algebra.js';
import { type BasicBlock, type CounterCheck, type FastBlock, type FunctionCfg, type Terminator, analyse, memoryBase, registersWritten, successors } from './cfg.js';

/**
 * Loop unrolling and versioning, as transformations of the control-flow graph before structuring.
 *
 * V8 puts an interrupt (stack) check at every wasm loop header and runs it on every trip; for a
 * small innermost loop that check and the back edge cost about as much as the body. So:
 *
 * Unrolling: the loop's blocks are copied (up to 8 times, see unrollCopies()); in copy i the back
 * edge goes on to the header of copy i + 1 (a forward edge: straight-line code after structuring),
 * only the last copy's back edge returns to the original header. Every copy keeps its own exit
 * tests and exits to the same blocks as the original, so the loop still leaves after exactly as
 * many trips as before; the copies run the same instructions, so per-trip state (may_goto's
 * budget, counters) is unchanged. Structuring then does the rest: the copies' merge nodes are
 * blocks of their own, and exits that several copies share become merge nodes.
 *
 * Versioning, for a counted loop: one whose blocks form a chain (no branching inside but exits)
 * and every exit test compares a counter, which the loop changes only by adding constants, with a
 * bound it does not change (a register or a constant). Such a loop gets a test in front (V) that
 * decides from the counters' values alone that the next n trips take no exit but perhaps the last
 * trip's latch test; then one straight-line block (F) runs those n trips without their tests.
 * There is such a pair for n = 16 (or 8, by size), 8, 4 and 2 (see versionLoop()); when no test
 * passes, the original loop (unrolled as above) runs to its end. Leaving the tests out changes
 * nothing: comparisons have no effects, and V proved how each would have gone. In F the code
 * generator computes counters, sums and addresses from their values at F's start, so that the
 * trips do not wait for each other (codegen.ts #fastBody).
 *
 * All of this together adds at most UNROLL_GROWTH_INSNS instructions to a function.
 */

/** Most copies of a loop's body one wasm loop trip runs. */
export const UNROLL_MAX_COPIES = 8;
/** Copies are added while the unrolled loop stays within this many eBPF instructions (jumps included)... */
export const UNROLL_BUDGET_INSNS = 96;
/** ...so loops of at most this many instructions (two copies) are unrolled. */
export const UNROLL_MAX_INSNS = UNROLL_BUDGET_INSNS / 2;

/** How many copies of a loop of `size` instructions to run per trip (1: leave it). */
export function unrollCopies(size: number): number {
  return Math.max(1, Math.min(UNROLL_MAX_COPIES, Math.floor(UNROLL_BUDGET_INSNS / Math.max(size, 1))));
}

/** Most eBPF instructions the copies of all loops of one function may add together. */
export const UNROLL_GROWTH_INSNS = 8192;

interface Loop {
  /** Copies to run per trip (at least 2). */
  readonly copies: number;
  /** Instructions (jumps included). */
  readonly size: number;
  readonly header: number;
  /** The one block with the back edge(s) to the header. */
  readonly latch: number;
  /** The blocks of the natural loop, the header first, in reverse postorder. */
  readonly blocks: readonly number[];
}

/** Returns `cfg` with its small innermost loops versioned and unrolled (or `cfg` itself when none qualifies). */
export function unrollLoops(cfg: FunctionCfg, insns: readonly Instruction[]): FunctionCfg {
  if (!cfg.reducible || !hasLoop(cfg)) return cfg;
  const loops = smallInnermostLoops(cfg, insns);
  if (loops.length === 0) return cfg;
  const blocks: BasicBlock[] = [...cfg.blocks];
  // Versioned loops: edges into the header from outside the loop go to V instead.
  const entries: { header: number; test: number; keep: Set<number> }[] = [];
  let room = UNROLL_GROWTH_INSNS;
  for (const loop of loops) {
    const copies = (loop.copies - 1) * loop.size;
    if (copies > room) continue;
    room -= copies;
    const keep = new Set(loop.blocks);
    const versioned = versionLoop(loop, blocks, insns, room);
    room -= versioned?.size ?? 0;
    unroll(loop, blocks, keep);
    if (versioned) entries.push({ header: loop.header, test: versioned.test, keep: new Set([...keep, ...versioned.blocks]) });
  }
  for (const { header, test, keep } of entries) {
    blocks.forEach((block, b) => {
      if (!keep.has(b)) blocks[b] = { ...block, term: retarget(block.term, (t) => (t === header ? test : t)) };
    });
  }
  const analysis = analyse(blocks);
  // Copying single-entry regions keeps a graph reducible; should that ever fail, keep the loops.
  if (!analysis.reducible) return cfg;
  return { ...cfg, blocks, ...analysis };
}

/** Whether any reachable block has a back edge (an edge that does not go forward in reverse postorder). */
function hasLoop(cfg: FunctionCfg): boolean {
  const { blocks, rpo, rpoIndex } = cfg;
  for (let r = 0; r < rpo.length; r++) {
    const term = blocks[rpo[r]!]!.term;
    if (term.kind === 'goto' && rpoIndex[term.target]! <= r) return true;
    if (term.kind === 'cond' && (rpoIndex[term.taken]! <= r || rpoIndex[term.fallthrough]! <= r)) return true;
  }
  return false;
}

/** Copies the loop's blocks `loop.copies` times (adding the copies to `members`). */
function unroll(loop: Loop, blocks: BasicBlock[], members: Set<number>): void {
  const factor = loop.copies;
  const position = new Map(loop.blocks.map((b, k) => [b, k]));
  const first = blocks.length;
  const id = (copy: number, b: number): number => (copy === 0 ? b : first + (copy - 1) * loop.blocks.length + position.get(b)!);
  const to = (copy: number, from: number, target: number): number => {
    if (!position.has(target)) return target; // an exit: the same block from every copy
    if (target === loop.header && from === loop.latch) return id((copy + 1) % factor, target);
    return id(copy, target);
  };
  const originals = loop.blocks.map((b) => blocks[b]!);
  for (let copy = 0; copy < factor; copy++) {
    loop.blocks.forEach((b, k) => {
      const { body, term } = originals[k]!;
      blocks[id(copy, b)] = { id: id(copy, b), body, term: retarget(term, (t) => to(copy, b, t)) };
      members.add(id(copy, b));
    });
  }
}

function retarget(term: Terminator, to: (target: number) => number): Terminator {
  switch (term.kind) {
    case 'goto':
      return { kind: 'goto', target: to(term.target) };
    case 'cond':
      return { ...term, taken: to(term.taken), fallthrough: to(term.fallthrough) };
    case 'exit':
      return term;
  }
}

/** Instructions that call out (helpers, kfuncs, bpf functions, packet loads): not worth unrolling around. */
function calls(insn: Instruction): boolean {
  const cls = classOf(insn.opcode);
  if (cls === InsnClass.JMP || cls === InsnClass.JMP32) return true;
  const mode = insn.opcode & 0xe0;
  return cls === InsnClass.LD && (mode === Mode.ABS || mode === Mode.IND);
}

/**
 * Natural loops that qualify: one latch, no loop nested inside, at most UNROLL_MAX_INSNS
 * instructions and no calls. (In a reducible graph every back edge goes to a block that dominates
 * its source, so the back edges are the edges that do not go forward in reverse postorder.)
 */
function smallInnermostLoops(cfg: FunctionCfg, insns: readonly Instruction[]): Loop[] {
  const { blocks, rpo, rpoIndex } = cfg;
  const preds: Set<number>[] = blocks.map(() => new Set());
  for (const b of rpo) for (const s of successors(blocks[b]!.term)) preds[s]!.add(b);
  const latchesOf = (h: number): number[] => [...preds[h]!].filter((p) => rpoIndex[p]! >= rpoIndex[h]!);
  const loops: Loop[] = [];
  for (const header of rpo) {
    const latches = latchesOf(header);
    if (latches.length !== 1) continue;
    const latch = latches[0]!;
    // The natural loop: the header and every block that reaches the latch without passing it.
    const inLoop = new Set([header, latch]);
    const stack = latch === header ? [] : [latch];
    while (stack.length > 0) {
      for (const p of preds[stack.pop()!]!) {
        if (!inLoop.has(p)) {
          inLoop.add(p);
          stack.push(p);
        }
      }
    }
    const members = [...inLoop].sort((a, b) => rpoIndex[a]! - rpoIndex[b]!);
    if (members.some((b) => b !== header && latchesOf(b).length > 0)) continue; // not innermost
    let size = 0;
    let callsOut = false;
    for (const b of members) {
      const block = blocks[b]!;
      size += block.body.length + (block.term.kind === 'cond' ? 1 : 0);
      callsOut ||= block.body.some((i) => calls(insns[i]!));
    }
    const copies = unrollCopies(size);
    if (copies >= 2 && !callsOut) loops.push({ copies, size, header, latch, blocks: members });
  }
  return loops;
}

// ---- versioning

const ALU64_ADD_K = InsnClass.ALU64 | AluOp.ADD | Source.K;
const ALU64_SUB_K = InsnClass.ALU64 | AluOp.SUB | Source.K;

/** Continue conditions `counter op bound` whose side depends on which way the counter moves. */
const SHAPE: ReadonlyMap<number, { up: boolean; signed: boolean; inclusive: boolean }> = new Map([
  [JmpOp.JLT, { up: true, signed: false, inclusive: false }],
  [JmpOp.JLE, { up: true, signed: false, inclusive: true }],
  [JmpOp.JSLT, { up: true, signed: true, inclusive: false }],
  [JmpOp.JSLE, { up: true, signed: true, inclusive: true }],
  [JmpOp.JGT, { up: false, signed: false, inclusive: false }],
  [JmpOp.JGE, { up: false, signed: false, inclusive: true }],
  [JmpOp.JSGT, { up: false, signed: true, inclusive: false }],
  [JmpOp.JSGE, { up: false, signed: true, inclusive: true }],
]);

/**
 * Versions a counted loop (see the top of this file): appends its test V (a chain of blocks) and
 * its fast blocks F and returns V's first block, all of V's blocks and the instructions they add
 * (at most `room`), or returns undefined (and changes nothing) when the loop does not qualify.
 * Edges into the header from outside the loop still have to be sent to V (unrollLoops()).
 */
function versionLoop(loop: Loop, blocks: BasicBlock[], insns: readonly Instruction[], room: number): { test: number; blocks: Set<number>; size: number } | undefined {
  if (loop.header === 0) return undefined; // the function's entry block must stay its entry
  const inLoop = new Set(loop.blocks);
  // The chain: each block has one successor in the loop, the latch's is the header.
  const chain: number[] = [];
  for (let b = loop.header; ; ) {
    chain.push(b);
    const next = [...new Set(successors(blocks[b]!.term).filter((s) => inLoop.has(s)))];
    if (next.length !== 1 || chain.length > loop.blocks.length) return undefined;
    if (next[0] === loop.header) break;
    b = next[0]!;
  }
  if (chain.length !== loop.blocks.length || chain[chain.length - 1] !== loop.latch) return undefined;

  // Counters: registers the loop writes only by adding or subtracting constants.
  const writes = new Map<number, 'counter' | 'other'>();
  for (const b of chain) {
    for (const i of blocks[b]!.body) {
      const insn = insns[i]!;
      const counter = insn.opcode === ALU64_ADD_K || insn.opcode === ALU64_SUB_K;
      for (const r of registersWritten(insn)) writes.set(r, counter && writes.get(r) !== 'other' ? 'counter' : 'other');
    }
  }

  // The exit tests: counter against bound, as the condition to stay in the loop.
  interface Test {
    readonly counter: number;
    readonly bound: CounterCheck['right'];
    readonly op: number;
  }
  const tests = new Map<number, Test>();
  for (const b of chain) {
    const term = blocks[b]!.term;
    if (term.kind !== 'cond' || !successors(term).some((s) => !inLoop.has(s))) continue;
    const insn = insns[term.insnIndex]!;
    if (classOf(insn.opcode) !== InsnClass.JMP) return undefined;
    const jop = insn.opcode & 0xf0;
    if (!NEGATE.has(jop)) return undefined; // JSET, may_goto
    const stay = inLoop.has(term.taken) ? jop : NEGATE.get(jop)!;
    const byReg = (insn.opcode & 0x08) === Source.X;
    const invariant = (r: number): boolean => !writes.has(r);
    if (writes.get(insn.dst) === 'counter' && (!byReg || invariant(insn.src))) {
      tests.set(b, { counter: insn.dst, bound: byReg ? { reg: insn.src } : { imm: BigInt(insn.imm) }, op: stay });
    } else if (byReg && writes.get(insn.src) === 'counter' && invariant(insn.dst)) {
      tests.set(b, { counter: insn.src, bound: { reg: insn.dst }, op: SWAP.get(stay)! });
    } else {
      return undefined;
    }
  }
  if (tests.size === 0) return undefined;

  // One level per size of F, halving from the largest down to 2 trips. The comparisons of order
  // (a counter against a register bound) are the same for all levels and come first; then each
  // level's own checks (distances, constant bounds, addresses) and its F. When a level's checks
  // fail, the next level's run; after the last one (or a failed order) the original loop. The
  // largest F goes back to its own test (a loop); a smaller one, which runs when fewer trips
  // remain than the next larger level takes, goes on to the next smaller level's test: so a
  // rest of r trips runs as one F of each size in r's binary digits, and at most one trip of the
  // original loop.
  const trip = chain.flatMap((b) => blocks[b]!.body);
  const built = fastCopies(loop.copies, trip.length).map((copies) => fastLevel(copies, loop, chain.map((b) => [b, blocks[b]!.body] as const), tests, trip, insns, writes));
  const smallest = built[built.length - 1];
  if (smallest === undefined) return undefined;
  const levels = built.filter((level): level is FastLevel => level !== undefined && sameChecks(level.orders, smallest.orders));
  const { orders, latchHolds } = smallest;
  // What the levels add, in instructions (a check is one): the largest go first when too much.
  const sizeOf = (level: FastLevel): number => level.body.length + level.checks.length + 1;
  let size = orders.length + levels.reduce((sum, level) => sum + sizeOf(level), 0);
  while (size > room && levels.length > 0) size -= sizeOf(levels.shift()!);
  if (levels.length === 0) return undefined;
  // The test blocks name the first exit test's instruction (for messages; their code is `check`).
  const insnIndex = (blocks[[...tests.keys()][0]!]!.term as Extract<Terminator, { kind: 'cond' }>).insnIndex;
  const first = blocks.length;
  const levelStart: number[] = [];
  let at = first + orders.length;
  for (const level of levels) {
    levelStart.push(at);
    at += level.checks.length + 1;
  }
  const testBlocks = new Set<number>();
  const check = (id: number, c: CounterCheck, taken: number, orElse: number): void => {
    blocks[id] = { id, body: [], term: { kind: 'cond', insnIndex, taken, fallthrough: orElse, check: c } };
    testBlocks.add(id);
  };
  orders.forEach((c, k) => check(first + k, c, first + k + 1, loop.header));
  // Back from an F: the orders again but the latch's own (it just held), if there are others.
  const recheck = (latchHolds ? 1 : 0) < orders.length ? first + (latchHolds ? 1 : 0) : undefined;
  levels.forEach((level, n) => {
    const start = levelStart[n]!;
    const next = levelStart[n + 1] ?? loop.header;
    level.checks.forEach((c, k) => check(start + k, c, start + k + 1, next));
    const f = start + level.checks.length;
    const back = recheck ?? (n === 0 ? start : next);
    blocks[f] = { id: f, body: level.body, term: retarget(blocks[loop.latch]!.term, (t) => (t === loop.header ? back : t)), fast: level.fast };
  });
  return { test: first, blocks: testBlocks, size };
}

function sameChecks(a: readonly CounterCheck[], b: readonly CounterCheck[]): boolean {
  const key = (c: CounterCheck): string => `${c.left} ${c.minus} ${c.op} ${'reg' in c.right ? `r${c.right.reg}` : c.right.imm} ${c.low32}`;
  return a.length === b.length && a.every((c, k) => key(c) === key(b[k]!));
}

/** Most trips an F block runs, and most instructions its body has. */
const FAST_MAX_COPIES = 16;
const FAST_BUDGET_INSNS = 128;

/**
 * The sizes of F for a loop unrolled `copies` times whose trip has `size` body instructions: the
 * largest twice `copies` when that fits (long loops then run fewer tests per trip), then halving
 * down to 2.
 */
function fastCopies(copies: number, size: number): number[] {
  const twice = 2 * copies;
  const top = twice <= FAST_MAX_COPIES && twice * size <= FAST_BUDGET_INSNS ? twice : copies;
  const out: number[] = [];
  for (let c = top; c >= 2; c = Math.floor(c / 2)) out.push(c);
  return out;
}

interface FastLevel {
  /** Comparisons of order, the same for every level: the latch test's first when `latchHolds`. */
  readonly orders: CounterCheck[];
  /** The first order is the latch test itself: it holds whenever F goes back. */
  readonly latchHolds: boolean;
  /** This level's own comparisons. */
  readonly checks: CounterCheck[];
  readonly body: number[];
  readonly fast: FastBlock;
}

/** The test and the F block of one level: `copies` trips, all tests left out but the last latch test. */
function fastLevel(
  copies: number,
  loop: Loop,
  chain: readonly (readonly [number, readonly number[]])[],
  tests: ReadonlyMap<number, { readonly counter: number; readonly bound: CounterCheck['right']; readonly op: number }>,
  trip: readonly number[],
  insns: readonly Instruction[],
  writes: ReadonlyMap<number, 'counter' | 'other'>,
): FastLevel | undefined {
  // Where each counter is, from its value at the test, at every exit test F leaves out.
  const offsets = new Map<number, bigint[]>([...tests.keys()].map((b) => [b, []]));
  const offset = new Map<number, bigint>();
  const body: number[] = [];
  for (let copy = 0; copy < copies; copy++) {
    for (const [b, blockBody] of chain) {
      for (const i of blockBody) {
        body.push(i);
        const insn = insns[i]!;
        if (insn.opcode !== ALU64_ADD_K && insn.opcode !== ALU64_SUB_K) continue;
        const step = insn.opcode === ALU64_ADD_K ? BigInt(insn.imm) : -BigInt(insn.imm);
        offset.set(insn.dst, (offset.get(insn.dst) ?? 0n) + step);
      }
      const test = tests.get(b);
      if (test && !(copy === copies - 1 && b === loop.latch)) offsets.get(b)!.push(offset.get(test.counter) ?? 0n);
    }
  }
  const orders: CounterCheck[] = [];
  const checks: CounterCheck[] = [];
  // When F goes back, the latch test it ends with just held: if that is a register bound's
  // order (`counter op bound` itself), it goes first and F goes back past it.
  let latchHolds = false;
  for (const [b, { counter, bound, op }] of tests) {
    const at = offsets.get(b)!;
    const up = at.every((d) => d >= 0n);
    const down = at.every((d) => d <= 0n);
    const shape = op === JmpOp.JNE ? (up || down ? { up, signed: false, inclusive: false } : undefined) : SHAPE.get(op);
    if (shape === undefined || !(shape.up ? up : down)) return undefined;
    const span = at.reduce((m, d) => (d < 0n ? (-d > m ? -d : m) : d > m ? d : m), 0n);
    const check = counterChecks(counter, bound, shape, span);
    if (check === undefined) return undefined;
    if ('reg' in bound) {
      if (b === loop.latch && op !== JmpOp.JNE) {
        latchHolds = true;
        orders.unshift(check[0]!);
      } else {
        orders.push(check[0]!);
      }
      checks.push(...check.slice(1));
    } else {
      checks.push(...check);
    }
  }
  const fast = fastBlock(trip, body, insns, writes);
  checks.push(...fast.checks);
  return { orders, latchHolds, checks, body, fast: fast.block };
}

const U64 = (1n << 64n) - 1n;
const U32 = (1n << 32n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/**
 * Comparisons that hold only if the counter, compared with the bound, stays on the side the loop
 * continues on while it moves `span` (up or down) from its value now, without wrapping. A
 * constant bound takes one comparison with the bound moved by the span; a register bound two:
 * the order, then (unless the span is 0) the distance: the difference of the larger and the
 * smaller value fits in 64 bits unsigned, signed or not, and is only meaningful after the order.
 * Undefined when no value of the counter can pass.
 */
function counterChecks(
  counter: number,
  bound: { readonly reg: number } | { readonly imm: bigint },
  shape: { up: boolean; signed: boolean; inclusive: boolean },
  span: bigint,
): CounterCheck[] | undefined {
  const { up, signed, inclusive } = shape;
  const op = (o: 'lt' | 'le' | 'gt' | 'ge', s = signed): CounterCheck['op'] => `${o}_${s ? 's' : 'u'}`;
  if ('imm' in bound) {
    // The bound as the comparison sees it: sign-extended, read unsigned for unsigned jumps.
    const n = signed ? bound.imm : BigInt.asUintN(64, bound.imm);
    const moved = up ? n - span : n + span;
    if (signed ? moved < I64_MIN || moved > I64_MAX : moved < 0n || moved > U64) return undefined;
    return [{ left: counter, op: op(up ? (inclusive ? 'le' : 'lt') : inclusive ? 'ge' : 'gt'), right: { imm: BigInt.asIntN(64, moved) } }];
  }
  const order: CounterCheck = { left: counter, op: op(up ? (inclusive ? 'le' : 'lt') : inclusive ? 'ge' : 'gt'), right: bound };
  if (span === 0n) return [order];
  const [larger, smaller] = up ? [bound.reg, counter] : [counter, bound.reg];
  return [order, { left: larger, minus: smaller, op: op(inclusive ? 'ge' : 'gt', false), right: { imm: span } }];
}

/** Most registers F computes from their start values (each takes a wasm local, a sum two). */
const MAX_COUNTERS = 4;
const MAX_SUMS = 2;

/**
 * What F may compute from start values (see FastBlock): the loop's counters; the registers that
 * one trip (`trip`) reads in a 64-bit `+=` of registers before it writes them: a sum carried from
 * trip to trip (regrouping is right for any register; these are where it pays); and the counters
 * F accesses memory through, with the comparison F's test needs so that their offsets fold into
 * the accesses.
 */
function fastBlock(
  trip: readonly number[],
  body: readonly number[],
  insns: readonly Instruction[],
  writes: ReadonlyMap<number, 'counter' | 'other'>,
): { block: FastBlock; checks: CounterCheck[] } {
  const counters = [...writes].filter(([, w]) => w === 'counter').map(([r]) => r).sort((a, b) => a - b).slice(0, MAX_COUNTERS);
  const sums: number[] = [];
  const seen = new Set<number>();
  for (const i of trip) {
    const insn = insns[i]!;
    if (insn.opcode === (InsnClass.ALU64 | AluOp.ADD | Source.X) && insn.dst !== insn.src) {
      for (const r of [insn.src, insn.dst]) if (!seen.has(r) && writes.get(r) === 'other' && !sums.includes(r)) sums.push(r);
    }
    for (const r of registersWritten(insn)) seen.add(r);
  }
  // The largest offset (from its start value) at which F goes through each counter to memory.
  const offset = new Map(counters.map((r) => [r, 0n]));
  const largest = new Map<number, bigint>();
  for (const i of body) {
    const insn = insns[i]!;
    const base = memoryBase(insn);
    const c = base === undefined ? undefined : offset.get(base);
    if (c !== undefined && c >= 0n) largest.set(base!, c > (largest.get(base!) ?? 0n) ? c : (largest.get(base!) ?? 0n));
    if (offset.has(insn.dst) && (insn.opcode === ALU64_ADD_K || insn.opcode === ALU64_SUB_K)) {
      offset.set(insn.dst, offset.get(insn.dst)! + (insn.opcode === ALU64_ADD_K ? BigInt(insn.imm) : -BigInt(insn.imm)));
    }
  }
  const folded: number[] = [];
  const checks: CounterCheck[] = [];
  for (const [r, c] of largest) {
    if (c > U32) continue;
    folded.push(r);
    if (c > 0n) checks.push({ left: r, op: 'le_u', right: { imm: U32 - c }, low32: true });
  }
  return { block: { counters, sums: sums.slice(0, MAX_SUMS), folded: folded.sort((a, b) => a - b) }, checks };
}
