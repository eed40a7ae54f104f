import type { Instr } from '../wasm/ir.js';
import type { BasicBlock, FunctionCfg, Terminator } from './cfg.js';
import { br, brIf, push } from './locals.js';

/**
 * Turns a function's control-flow graph into WebAssembly's structured control flow.
 *
 * Reducible graphs (all that clang emits) follow N. Ramsey, "Beyond Relooper" (ICFP 2022): walk
 * the dominator tree; a block with a back edge into it becomes a `loop`; a block with two or more
 * forward edges into it (a merge node) is placed right after a `block` that the branches to it
 * leave; any other block is inlined where its single predecessor branches to it. Every branch is
 * then a `br` to an enclosing label or straight-line code. Irreducible graphs fall back to a
 * dispatch loop: a `br_table` on a block-number local inside one `loop`.
 */

type CondTerminator = Extract<Terminator, { kind: 'cond' }>;

const NONE: readonly number[] = [];

/** What the code generator supplies; structure.ts only arranges it. */
export interface BlockEmitter {
  /**
   * Appends the straight-line body of a block to `out` (with locals.ts push()). `depth` is the
   * number of labels (loops, blocks, ifs) the code stands inside: a `br depth` there leaves the
   * function body, which returns in a function and ends the entry's copy inlined in run_batch
   * (see codegen.ts, leave()).
   */
  body(block: BasicBlock, depth: number, out: Instr[]): void;
  /**
   * Pushes an i32 that is non-zero when the jump is taken (with `negated`, when it is not);
   * evaluated exactly once.
   */
  condition(term: CondTerminator, negated: boolean): Instr[];
  /** Leaves the function body with r0, from `depth` labels deep. */
  exit(depth: number): Instr[];
  /** An i32 local the dispatch fallback may use for the next block number. */
  readonly dispatchLocal: number;
}

export interface StructuredCode {
  readonly body: Instr[];
  /** False when the graph was irreducible and the dispatch loop was used. */
  readonly structured: boolean;
}

export function structureFunction(cfg: FunctionCfg, emit: BlockEmitter): StructuredCode {
  if (!cfg.reducible) return { body: dispatchLoop(cfg, emit), structured: false };
  const body: Instr[] = [];
  new Structurer(cfg, emit).tree(0, 0, body);
  body.push({ op: 'unreachable' });
  return { body, structured: true };
}

/**
 * Labels are tracked by nesting level, not as a list of scopes: `depth` is how many labels
 * (loops, blocks, ifs) enclose the code being placed, and the label of a loop header or of a
 * merge node's block records the depth outside it while it is open (-1 when not), so a branch's
 * relative depth is `depth - 1 - level`, in constant time.
 */
class Structurer {
  /** The blocks each block immediately dominates, in reverse postorder (undefined: none). */
  readonly #children: (number[] | undefined)[];
  readonly #forwardIn: Int32Array;
  readonly #loopHeader: Uint8Array;
  /** The level of the open `loop` of each header, and of the open `block` each merge node follows; -1: none. */
  readonly #loopLevel: Int32Array;
  readonly #blockLevel: Int32Array;

  constructor(
    private readonly cfg: FunctionCfg,
    private readonly emit: BlockEmitter,
  ) {
    const n = cfg.blocks.length;
    this.#children = new Array<number[] | undefined>(n).fill(undefined);
    this.#forwardIn = new Int32Array(n);
    this.#loopHeader = new Uint8Array(n);
    this.#loopLevel = new Int32Array(n).fill(-1);
    this.#blockLevel = new Int32Array(n).fill(-1);
    for (const b of cfg.rpo) {
      if (b !== 0) {
        const parent = cfg.idom[b]!;
        const siblings = this.#children[parent];
        if (siblings === undefined) this.#children[parent] = [b];
        else siblings.push(b);
      }
      const term = cfg.blocks[b]!.term;
      if (term.kind === 'goto') this.#edge(b, term.target);
      else if (term.kind === 'cond') {
        this.#edge(b, term.taken);
        this.#edge(b, term.fallthrough);
      }
    }
  }

  #edge(from: number, to: number): void {
    if (this.#backward(from, to)) this.#loopHeader[to] = 1;
    else this.#forwardIn[to]!++;
  }

  #backward(from: number, to: number): boolean {
    return this.cfg.rpoIndex[to]! <= this.cfg.rpoIndex[from]!;
  }

  #merge(b: number): boolean {
    return this.#forwardIn[b]! >= 2;
  }

  /** Appends to `out` the code of block x and everything it dominates, `depth` labels deep. */
  tree(x: number, depth: number, out: Instr[]): void {
    // Merge children, the one latest in reverse postorder first: it gets the outermost block.
    const merges = this.#mergeChildren(x);
    if (this.#loopHeader[x] === 0) {
      this.#within(x, merges, 0, depth, out);
      return;
    }
    const body: Instr[] = [];
    this.#loopLevel[x] = depth;
    this.#within(x, merges, 0, depth + 1, body);
    this.#loopLevel[x] = -1;
    out.push({ op: 'loop', label: `loop${x}`, body });
  }

  /** The children of x that are merge nodes, latest in reverse postorder first. */
  #mergeChildren(x: number): readonly number[] {
    const children = this.#children[x];
    if (children === undefined) return NONE;
    let merges: number[] | undefined;
    for (let k = 0; k < children.length; k++) {
      const c = children[k]!;
      if (this.#merge(c)) (merges ??= []).push(c);
    }
    if (merges === undefined) return NONE;
    if (merges.length > 1) merges.sort((a, b) => this.cfg.rpoIndex[b]! - this.cfg.rpoIndex[a]!);
    return merges;
  }

  #within(x: number, merges: readonly number[], next: number, depth: number, out: Instr[]): void {
    if (next < merges.length) {
      const follow = merges[next]!;
      const body: Instr[] = [];
      this.#blockLevel[follow] = depth;
      this.#within(x, merges, next + 1, depth + 1, body);
      this.#blockLevel[follow] = -1;
      out.push({ op: 'block', label: `to${follow}`, body });
      this.tree(follow, depth, out);
      return;
    }
    const block = this.cfg.blocks[x]!;
    this.emit.body(block, depth, out);
    const term = block.term;
    switch (term.kind) {
      case 'exit':
        append(out, this.emit.exit(depth));
        break;
      case 'goto':
        this.#branch(x, term.target, depth, out);
        break;
      case 'cond':
        this.#conditional(x, term, depth, out);
        break;
    }
  }

  /** A branch that needs no code of its own: a `br` to a loop header or to a merge node's block. */
  #isBr(from: number, to: number): boolean {
    return this.#backward(from, to) || this.#merge(to);
  }

  /** The relative depth of the label a branch to `to` goes to: its loop (backward) or its block. */
  #labelDepth(to: number, backward: boolean, depth: number): number {
    const level = backward ? this.#loopLevel[to]! : this.#blockLevel[to]!;
    if (level < 0) throw new Error(`structure: no enclosing label for block ${to}`);
    return depth - 1 - level;
  }

  #branch(from: number, to: number, depth: number, out: Instr[]): void {
    if (this.#isBr(from, to)) out.push(br(this.#labelDepth(to, this.#backward(from, to), depth)));
    else this.tree(to, depth, out);
  }

  #conditional(x: number, term: CondTerminator, depth: number, out: Instr[]): void {
    const { taken, fallthrough } = term;
    if (this.#isBr(x, taken)) {
      append(out, this.emit.condition(term, false));
      out.push(brIf(this.#labelDepth(taken, this.#backward(x, taken), depth)));
      this.#branch(x, fallthrough, depth, out);
      return;
    }
    if (this.#isBr(x, fallthrough)) {
      append(out, this.emit.condition(term, true));
      out.push(brIf(this.#labelDepth(fallthrough, this.#backward(x, fallthrough), depth)));
      this.#branch(x, taken, depth, out);
      return;
    }
    append(out, this.emit.condition(term, false));
    const then: Instr[] = [];
    const otherwise: Instr[] = [];
    this.#branch(x, taken, depth + 1, then);
    this.#branch(x, fallthrough, depth + 1, otherwise);
    out.push({ op: 'if', then, else: otherwise });
  }
}

/** Appends without spreading (a spread of a long array can overflow the call stack). */
function append(out: Instr[], code: readonly Instr[]): void {
  for (let k = 0; k < code.length; k++) push(out, code[k]!);
}

/**
 * The fallback for irreducible graphs: `loop { block_{n-1} { … block_0 { br_table pc } code_0 } … code_{n-1} }`,
 * where each block's code sets the pc local to its successor and branches back to the loop.
 */
function dispatchLoop(cfg: FunctionCfg, emit: BlockEmitter): Instr[] {
  const n = cfg.blocks.length;
  const pc = emit.dispatchLocal;
  const jumpTo = (target: number, depthToLoop: number): Instr[] => [
    { op: 'i32.const', value: target },
    { op: 'local.set', index: pc },
    { op: 'br', depth: depthToLoop },
  ];
  let inner: Instr[] = [{ op: 'local.get', index: pc }, { op: 'br_table', depths: [...Array(n).keys()], default: 0 }];
  for (let k = 0; k < n; k++) {
    // The code of block k stands inside blocks k+1 .. n-1, then the loop: its `br depth` goes to
    // the loop, `br depth + 1` leaves the function body.
    const depth = n - 1 - k;
    const block = cfg.blocks[k]!;
    const code: Instr[] = [];
    emit.body(block, depth + 1, code);
    const term = block.term;
    if (term.kind === 'exit') code.push(...emit.exit(depth + 1));
    else if (term.kind === 'goto') code.push(...jumpTo(term.target, depth));
    else {
      code.push(
        ...emit.condition(term, false),
        { op: 'if', then: jumpTo(term.taken, depth + 1), else: jumpTo(term.fallthrough, depth + 1) },
        { op: 'unreachable' },
      );
    }
    inner = [{ op: 'block', label: `b${k}`, body: inner }, ...code];
  }
  return [{ op: 'i32.const', value: 0 }, { op: 'local.set', index: pc }, { op: 'loop', label: 'dispatch', body: inner }, { op: 'unreachable' }];
}
