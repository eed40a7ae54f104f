import {
  AluOp,
  AtomicOp,
  CALL,
  CALLX,
  EXIT,
  Endian,
  InsnClass,
  type Instruction,
  JA,
  JA32,
  JmpOp,
  LD_IMM64,
  Mode,
  PseudoCall,
  PseudoLdImm64,
  Size,
  Source,
  insn,
  slotIndex,
  splitImm64,
} from '@bpfhive/uapi';
import { conditionHolds } from '../interp/jump.js';
import { STACK_SIZE } from '../interp/limits.js';
import { unwindHelperId } from './kernel-fixture.js';
import { type KernelFeature, type KernelHost, kernelHelperCall, mapLookup } from './kernel-statements.js';
import { Rng } from './rng.js';

/**
 * A seeded generator of random eBPF programs that every engine must run to the same end: the
 * same r0 and the same input memory. Same seed, same program and input.
 *
 * What a program may do is what the Linux verifier would let it do, so that the engines need
 * agree only where eBPF defines the result:
 * - a register is read only once it is written on every path to the read (r1..r5 count as
 *   written in a callee when they carry arguments, and as clobbered after any call);
 * - pointers (the input base, the frame pointer, the caller's stack, copies and offsets of those)
 *   are only used as memory bases, copied, offset by constants and passed to callees: their
 *   values differ between engines, so they never reach arithmetic, comparisons or memory;
 * - every access lies inside the input buffer or the stack slots a function initialised in its
 *   prologue (a callee may also reach its caller's slots through the pointer it is given), and
 *   atomic accesses are aligned;
 * - the last 16 bytes of the input only ever get computed values atomically added (or xored)
 *   to them, before the registers holding them are overwritten or clobbered, and the epilogues
 *   fold every live register into r0: what an engine computes wrongly shows in the result;
 * - the only backward jumps are loop latches on a counter no other instruction writes, so every
 *   program ends; loops nest, have several exits, and are sometimes entered in the middle
 *   (irreducible control flow); counted loops (a pointer walking the input, a sum, a counter
 *   against a bound, up to 40 trips) take the shapes the JIT versions and unrolls;
 * - K-form shifts stay below the operand width (X-form shifts take any count).
 *
 * Functions: the entry (r6 = input base) and up to three bpf-to-bpf callees, each called with
 * r1 = the input base, r2 = a pointer to the caller's stack slots, r3.. = scalar arguments; a
 * callee keeps them in r6 and r7. Function i only calls functions after it, so there is no
 * recursion.
 *
 * Kernel mode (`{ kernel: true }`) adds the statements of kernel-statements.ts: helpers that read
 * the kernel data block and map lookups on the fixture's maps (kernel-fixture.ts), where the
 * engines must run with the same memory at the same addresses (map values are pointers that
 * reach the result); the unwind helper is KERNEL_MODE_UNWIND_ID there. Without it, a seed gives
 * the same program as before kernel mode existed.
 */

export interface RandomProgram {
  readonly seed: number;
  /** Generated in kernel mode: run it in the kernel fixture (kernel-fixture.ts). */
  readonly kernel: boolean;
  readonly insns: readonly Instruction[];
  /** The input memory the program runs on (r1), from the same seed. */
  readonly input: Uint8Array;
  /** How often the generator used each shape and edge case (see FEATURES), for coverage checks. */
  readonly features: Readonly<Record<string, number>>;
}

/** Every program has this many instructions at least and at most (a `lddw` counts once). */
export const MIN_PROGRAM_INSNS = 20;
export const MAX_PROGRAM_INSNS = 300;

/** Shapes and edge cases the generator counts in `features`. */
export const FEATURES = [
  'if-then',
  'if-else',
  'jump-offset-zero',
  'goto-open-label',
  'merge-node',
  'early-exit',
  'exit-in-branch',
  'loop-do-while',
  'loop-while',
  'loop-two-back-edges',
  'loop-nested',
  'loop-multi-exit',
  'loop-counter-caller-saved',
  'irreducible-loop',
  'div-by-zero-k',
  'div-by-zero-x',
  'div-by-minus-one-k',
  'div-by-minus-one-x',
  'sdiv-int-min-by-minus-one',
  'shift-big-count',
  'input-access',
  'stack-access',
  'caller-stack-access',
  'pointer-offset',
  'negative-offset',
  'call-local',
  'callx-local',
  'callx-helper',
  'call-in-loop',
  'call-from-callee',
  'helper-exit',
  'cmpxchg-loaded',
  'loop-counted',
  'loop-counted-long',
] as const;
export type Feature = (typeof FEATURES)[number];

export interface GeneratorOptions {
  /** Kernel mode: kernel data helpers and map lookups too (see above). */
  readonly kernel?: boolean;
}

/** Generates the program of `seed`. */
export function randomProgram(seed: number, options: GeneratorOptions = {}): RandomProgram {
  const rng = new Rng(seed);
  const kernel = options.kernel === true;
  for (;;) {
    const generated = new ProgramGenerator(rng, kernel).generate();
    if (generated.insns.length >= MIN_PROGRAM_INSNS && generated.insns.length <= MAX_PROGRAM_INSNS) return { seed, kernel, ...generated };
  }
}

// ---- register state

type RegionName = 'input' | 'stack' | 'caller';

/** What a register holds: nothing readable, a scalar, or a pointer `delta` bytes from a region's origin. */
type Kind = { readonly k: 'u' } | { readonly k: 's' } | { readonly k: 'p'; readonly region: RegionName; readonly delta: number };
type State = Kind[];

const UNINIT: Kind = { k: 'u' };
const SCALAR: Kind = { k: 's' };
const ptr = (region: RegionName, delta: number): Kind => ({ k: 'p', region, delta });

const sameKind = (a: Kind, b: Kind): boolean =>
  a.k === b.k && (a.k !== 'p' || (b.k === 'p' && a.region === b.region && a.delta === b.delta));

/** The state that holds on every one of `states`. */
function meet(states: readonly State[]): State {
  const first = states[0]!;
  return first.map((kind, r) => (states.every((s) => sameKind(s[r]!, kind)) ? kind : UNINIT));
}

// ---- code with labels, resolved to slot offsets at the end

interface Label {
  readonly id: number;
  /** States of the forward jumps to it. */
  readonly incoming: State[];
  /** For a loop head (a backward target): the state every jump to it must provide. */
  fixed?: State;
  placed: boolean;
  /** The exit of a loop: jumps to it leave the loop early. */
  readonly loopExit: boolean;
}

type Item =
  | { readonly kind: 'insn'; readonly insn: Instruction }
  | { readonly kind: 'jump'; readonly opcode: number; readonly dst: number; readonly src: number; readonly imm: number; readonly label: Label }
  | { readonly kind: 'call'; readonly fn: number }
  | { readonly kind: 'funcAddr'; readonly dst: number; readonly fn: number }
  | { readonly kind: 'label'; readonly label: Label };

// ---- constants

const ALU64 = InsnClass.ALU64;
const ALU32 = InsnClass.ALU;
const CONDITIONS = [JmpOp.JEQ, JmpOp.JGT, JmpOp.JGE, JmpOp.JSET, JmpOp.JNE, JmpOp.JSGT, JmpOp.JSGE, JmpOp.JLT, JmpOp.JLE, JmpOp.JSLT, JmpOp.JSLE];
const SIZES = [Size.B, Size.H, Size.W, Size.DW] as const;
const BYTES: Record<Size, 1 | 2 | 4 | 8> = { [Size.B]: 1, [Size.H]: 2, [Size.W]: 4, [Size.DW]: 8 };
const RMW = [AtomicOp.ADD, AtomicOp.OR, AtomicOp.AND, AtomicOp.XOR];
/** Start values of counted loops' counters next to where comparisons wrap. */
const COUNTER_EDGES = [0x7fff_fff0n, -0x8000_0000n, 0x7fff_ffff_ffff_fff0n, -0x7fff_ffff_ffff_fffcn, 0xffff_fffan, -6n, -0x1_0000_0005n];
const NEGATED_JUMP: ReadonlyMap<number, number> = new Map([
  [JmpOp.JEQ, JmpOp.JNE],
  [JmpOp.JNE, JmpOp.JEQ],
  [JmpOp.JGT, JmpOp.JLE],
  [JmpOp.JLE, JmpOp.JGT],
  [JmpOp.JGE, JmpOp.JLT],
  [JmpOp.JLT, JmpOp.JGE],
  [JmpOp.JSGT, JmpOp.JSLE],
  [JmpOp.JSLE, JmpOp.JSGT],
  [JmpOp.JSGE, JmpOp.JSLT],
  [JmpOp.JSLT, JmpOp.JSGE],
]);
const SWAPPED_JUMP: ReadonlyMap<number, number> = new Map([
  [JmpOp.JEQ, JmpOp.JEQ],
  [JmpOp.JNE, JmpOp.JNE],
  [JmpOp.JGT, JmpOp.JLT],
  [JmpOp.JLT, JmpOp.JGT],
  [JmpOp.JGE, JmpOp.JLE],
  [JmpOp.JLE, JmpOp.JGE],
  [JmpOp.JSGT, JmpOp.JSLT],
  [JmpOp.JSLT, JmpOp.JSGT],
  [JmpOp.JSGE, JmpOp.JSLE],
  [JmpOp.JSLE, JmpOp.JSGE],
]);

/** Whether `a op b` holds for a conditional jump of class JMP (64-bit) or JMP32: the interpreter's rule. */
const jumpHolds = (cls: number, op: number, a: bigint, b: bigint): boolean =>
  conditionHolds(op as JmpOp, cls === InsnClass.JMP ? 64 : 32, a, b);

/**
 * Trips of a counted loop (#countedLoop): the counter starts at i0; each trip may leave on
 * `i breakOp at` (before the step), then steps by inc and goes on while `i op bound`. Undefined
 * when that is more than `most` trips. The bound and the break value are as the jumps see them
 * (a 32-bit immediate is sign-extended).
 */
function countedTrips(cls: number, i0: bigint, inc: bigint, op: number, bound: bigint, brk: { op: number; at: bigint } | undefined, most: number): number | undefined {
  let i = BigInt.asUintN(64, i0);
  const b = BigInt.asUintN(64, cls === InsnClass.JMP ? BigInt.asIntN(64, bound) : BigInt.asIntN(32, bound));
  for (let trip = 1; trip <= most; trip++) {
    if (brk && jumpHolds(cls, brk.op, i, BigInt.asUintN(64, BigInt.asIntN(32, brk.at)))) return trip;
    i = BigInt.asUintN(64, i + inc);
    if (!jumpHolds(cls, op, i, b)) return trip;
  }
  return undefined;
}

const EDGE32 = [0, 1, -1, 2, 3, 7, 8, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, -0x80000000, -2, -0x81, 0x12345678];
const EDGE64 = [
  0n,
  1n,
  -1n,
  0x7fff_ffff_ffff_ffffn,
  -0x8000_0000_0000_0000n,
  0xffff_ffffn,
  0x1_0000_0000n,
  0x8000_0000n,
  -0x8000_0000n,
  0x0123_4567_89ab_cdefn,
  0xfedc_ba98_7654_3210n,
  0x8000_0000_0000_0001n,
  0xffff_ffff_0000_0000n,
  0x0000_ffff_0000_ffffn,
];

/** Upper bound of the instructions one run of the entry may execute (roughly), to keep runs short. */
const COST_LIMIT = 20_000;
/** Most nested-loop iterations a loop body may run. */
const MAX_MULTIPLIER = 64;
/** Most nesting of if/loop constructs. */
const MAX_NESTING = 4;
/** The last bytes of the input: only observations (atomic adds and xors of computed values) touch them. */
const OBSERVED_BYTES = 16;
/** Instructions kept free for a function's epilogue. */
const EPILOGUE = 8;

class ProgramGenerator {
  readonly features: Record<string, number> = {};
  readonly inputSize: number;
  /** 8-byte stack slots each function initialises (the same in all, so callees know their callers'). */
  readonly stackSlots: number;
  #labels = 0;

  /** The id of the suite's unwind helper in this mode. */
  readonly unwindId: number;

  constructor(
    readonly rng: Rng,
    readonly kernel: boolean,
  ) {
    this.unwindId = unwindHelperId(kernel);
    this.inputSize = 8 * rng.range(2, 32) + OBSERVED_BYTES;
    this.stackSlots = rng.range(1, 12);
  }

  count(feature: Feature | KernelFeature): void {
    this.features[feature] = (this.features[feature] ?? 0) + 1;
  }

  label(loopExit = false): Label {
    return { id: this.#labels++, incoming: [], placed: false, loopExit };
  }

  generate(): { insns: Instruction[]; input: Uint8Array; features: Record<string, number> } {
    const rng = this.rng;
    const input = rng.bytes(this.inputSize);
    if (rng.chance(0.3)) input.fill(rng.pick([0, 0xff, 0x80]), rng.below(this.inputSize));
    const total = rng.chance(0.3) ? rng.range(MIN_PROGRAM_INSNS, 80) : rng.range(60, 250);
    const callees = total < 50 ? rng.range(0, 1) : rng.range(0, 3);
    const budgets = Array.from({ length: callees }, () => rng.range(12, Math.max(12, Math.min(60, Math.floor(total / 3)))));
    const mainBudget = Math.max(MIN_PROGRAM_INSNS, total - budgets.reduce((a, b) => a + b, 0));

    // Callees first, the last one first: a caller knows what its callees cost.
    const functions: FunctionGenerator[] = [];
    for (let f = callees; f >= 1; f--) {
      const fn = new FunctionGenerator(this, f, budgets[f - 1]!, rng.range(0, 3), functions.slice(), COST_LIMIT / 8);
      fn.generate();
      functions.unshift(fn);
    }
    const main = new FunctionGenerator(this, 0, mainBudget, -1, functions.slice(), COST_LIMIT);
    main.generate();
    return { insns: resolve([main, ...functions].map((f) => f.items)), input, features: this.features };
  }
}

/** Lays the functions out one after the other and turns labels into slot offsets. */
function resolve(functions: readonly (readonly Item[])[]): Instruction[] {
  const items = functions.flat();
  // Slot of every item (a label: the slot of what follows), and where each function starts.
  const slotOf: number[] = [];
  const labelSlot = new Map<Label, number>();
  const fnSlot: number[] = [];
  let slot = 0;
  let index = 0;
  for (const fnItems of functions) {
    fnSlot.push(slot);
    for (const item of fnItems) {
      slotOf[index++] = slot;
      if (item.kind === 'label') labelSlot.set(item.label, slot);
      else slot += item.kind === 'funcAddr' || (item.kind === 'insn' && item.insn.opcode === LD_IMM64) ? 2 : 1;
    }
  }
  const out: Instruction[] = [];
  items.forEach((item, i) => {
    const at = slotOf[i]!;
    switch (item.kind) {
      case 'label':
        return;
      case 'insn':
        out.push(item.insn);
        return;
      case 'call':
        out.push(insn(CALL, 0, PseudoCall.LOCAL, 0, fnSlot[item.fn]! - (at + 1)));
        return;
      case 'funcAddr':
        out.push(insn(LD_IMM64, item.dst, PseudoLdImm64.FUNC, 0, fnSlot[item.fn]! - (at + 1), 0));
        return;
      case 'jump': {
        const relative = labelSlot.get(item.label)! - (at + 1);
        if (item.opcode === JA32) out.push(insn(JA32, 0, 0, 0, relative));
        else out.push(insn(item.opcode, item.dst, item.src, relative, item.imm));
      }
    }
  });
  if (slotIndex(out)[out.length] !== slot) throw new Error('random program: slot layout mismatch');
  return out;
}

class FunctionGenerator {
  readonly items: Item[] = [];
  #state: State;
  #reachable = true;
  readonly #locked = new Set<number>();
  /** Scalars holding computed values nothing has observed yet (a heuristic, blind to paths). */
  readonly #dirty = new Set<number>();
  readonly #reserved: ReadonlySet<number>;
  /** Labels ahead that code here may jump to: ends of enclosing constructs, loop exits, the epilogue. */
  readonly #open: Label[] = [];
  readonly #loops: { readonly noCalls: boolean }[] = [];
  #multiplier = 1;
  /** Estimated instructions one call of this function executes at most. */
  cost = 0;
  #emitted = 0;
  readonly #rng: Rng;
  /**
   * Bytes between the frame pointer and this function's slots: they are [r10 - gap - 8 * slots,
   * r10 - gap), anywhere in the 512-byte frame, so that frames an engine lets overlap show.
   */
  readonly #stackGap: number;

  constructor(
    private readonly program: ProgramGenerator,
    readonly index: number,
    private readonly budget: number,
    /** Scalar arguments in r3.. (callees), -1 for the entry. */
    readonly args: number,
    private readonly callees: readonly FunctionGenerator[],
    private readonly costLimit: number,
  ) {
    this.#rng = program.rng;
    this.#stackGap = this.#rng.chance(0.4) ? 0 : 8 * this.#rng.range(0, STACK_SIZE / 8 - program.stackSlots);
    this.#reserved = new Set(index === 0 ? [6, 10] : [6, 7, 10]);
    this.#state = Array.from({ length: 11 }, () => UNINIT);
    this.#state[10] = ptr('stack', 0);
    if (index === 0) {
      this.#state[1] = ptr('input', 0);
      this.#state[2] = SCALAR; // the input's length
    } else {
      this.#state[1] = ptr('input', 0);
      this.#state[2] = ptr('caller', 0);
      for (let a = 0; a < args; a++) this.#state[3 + a] = SCALAR;
    }
  }

  generate(): void {
    this.#prologue();
    const end = this.program.label();
    this.#open.push(end);
    this.#block(this.budget - this.#emitted - EPILOGUE, 0);
    this.#open.pop();
    this.#place(end);
    this.#epilogue();
  }

  // ---- emission and state

  #emit(instruction: Instruction): void {
    this.items.push({ kind: 'insn', insn: instruction });
    this.#emitted++;
    this.cost += this.#multiplier;
  }

  #set(reg: number, kind: Kind): void {
    this.#state[reg] = kind;
    this.#dirty.delete(reg);
  }

  /** `reg` now holds a computed scalar. */
  #computed(reg: number): void {
    this.#state[reg] = SCALAR;
    this.#dirty.add(reg);
  }

  /**
   * A register to overwrite with a new value: mostly one whose value is unobserved-free; a
   * register with an unobserved computed value is first put in the input memory, so that what
   * the engines compute reaches the result.
   */
  #target(exclude: readonly number[] = []): number {
    const writable = this.#writable().filter((r) => !exclude.includes(r));
    const clean = writable.filter((r) => !this.#dirty.has(r));
    const r = clean.length > 0 && this.#rng.chance(0.85) ? this.#rng.pick(clean) : this.#rng.pick(writable);
    if (this.#dirty.has(r)) this.#observeRegister(r);
    return r;
  }

  #kind(reg: number): Kind {
    return this.#state[reg]!;
  }

  /** Registers code may write: r0..r9 but the reserved pointers and live loop counters. */
  #writable(): number[] {
    const out: number[] = [];
    for (let r = 0; r <= 9; r++) if (!this.#reserved.has(r) && !this.#locked.has(r)) out.push(r);
    return out;
  }

  #scalars(): number[] {
    const out: number[] = [];
    for (let r = 0; r <= 9; r++) if (this.#kind(r).k === 's') out.push(r);
    return out;
  }

  /** A scalar register to read (any, counters included); writes one first when there is none. */
  #scalar(): number {
    const all = this.#scalars();
    if (all.length > 0 && this.#rng.chance(0.95)) return this.#rng.pick(all);
    const r = this.#target();
    this.#init(r);
    return r;
  }

  /** A scalar register code may modify; writes one first when there is none. */
  #writableScalar(): number {
    const candidates = this.#writable().filter((r) => this.#kind(r).k === 's');
    if (candidates.length > 0 && this.#rng.chance(0.97)) return this.#rng.pick(candidates);
    const r = this.#target();
    this.#init(r);
    return r;
  }

  /** Writes a scalar constant to `reg`. */
  #init(reg: number): void {
    const rng = this.#rng;
    const choice = rng.below(10);
    if (choice < 4) this.#emit(insn(ALU64 | AluOp.MOV | Source.K, reg, 0, 0, this.#imm32()));
    else if (choice < 7) this.#emit(insn(ALU32 | AluOp.MOV | Source.K, reg, 0, 0, this.#imm32()));
    else this.#lddw(reg, this.#imm64());
    this.#set(reg, SCALAR);
  }

  #ensureScalar(reg: number): void {
    if (this.#kind(reg).k !== 's') this.#init(reg);
  }

  #lddw(reg: number, value: bigint): void {
    const { imm, imm2 } = splitImm64(value);
    this.#emit(insn(LD_IMM64, reg, 0, 0, imm, imm2));
    this.#set(reg, SCALAR);
  }

  #imm32(): number {
    const rng = this.#rng;
    const c = rng.below(10);
    if (c < 5) return rng.pick(EDGE32);
    if (c < 8) return rng.range(-300, 300);
    return rng.int32();
  }

  #imm64(): bigint {
    const rng = this.#rng;
    const c = rng.below(10);
    if (c < 5) return rng.pick(EDGE64);
    if (c < 7) return BigInt(rng.range(-1000, 1000));
    return BigInt.asIntN(64, rng.u64());
  }

  /** Pointers of a region (as reachable from `delta`): the byte range [lo, hi) one may access. */
  #bounds(region: RegionName): { lo: number; hi: number } {
    const slots = 8 * this.program.stackSlots;
    switch (region) {
      case 'input':
        return { lo: 0, hi: this.program.inputSize - OBSERVED_BYTES };
      case 'stack':
        return { lo: -this.#stackGap - slots, hi: -this.#stackGap };
      case 'caller':
        return { lo: 0, hi: slots };
    }
  }

  /** A base register and offset for an access of `size` bytes (aligned to `size` if asked). */
  #address(size: number, aligned: boolean): { base: number; off: number } {
    const rng = this.#rng;
    const pointers: number[] = [];
    for (let r = 0; r <= 10; r++) if (this.#kind(r).k === 'p') pointers.push(r);
    const base = rng.pick(pointers);
    const kind = this.#kind(base) as Extract<Kind, { k: 'p' }>;
    const { lo, hi } = this.#bounds(kind.region);
    // Region origins (input, frame pointer, the caller's slot area) are all 8-byte aligned.
    let at: number;
    if (aligned || rng.chance(0.5)) at = lo + size * rng.below((hi - lo) / size);
    else at = rng.range(lo, hi - size);
    const off = at - kind.delta;
    this.program.count(kind.region === 'input' ? 'input-access' : kind.region === 'stack' ? 'stack-access' : 'caller-stack-access');
    if (off < 0) this.program.count('negative-offset');
    return { base, off };
  }

  // ---- labels and jumps

  #place(label: Label): void {
    const incoming = [...label.incoming];
    if (this.#reachable) incoming.push(this.#state);
    if (incoming.length >= 3) this.program.count('merge-node');
    if (label.fixed !== undefined) {
      this.#state = [...label.fixed];
      this.#reachable = true;
    } else if (incoming.length > 0) {
      this.#state = meet(incoming);
      this.#reachable = true;
    }
    for (const r of [...this.#dirty]) if (this.#kind(r).k !== 's') this.#dirty.delete(r);
    label.placed = true;
    this.items.push({ kind: 'label', label });
  }

  /** The loop-head state: what holds now, without pointers that are not reserved (they may move). */
  #headState(): State {
    return this.#state.map((kind, r) => (kind.k === 'p' && !this.#reserved.has(r) ? UNINIT : kind));
  }

  /**
   * Emits a jump: `cond` undefined for `goto` (or `gotol`). A backward jump first writes what the
   * loop head expects and is missing now (registers a call clobbered, for one).
   */
  #jump(label: Label, cond?: { opcode: number; dst: number; src: number; imm: number }): void {
    if (label.placed) {
      const fixed = label.fixed!;
      for (let r = 0; r <= 9; r++) if (fixed[r]!.k === 's' && this.#kind(r).k !== 's') this.#init(r);
    } else {
      label.incoming.push([...this.#state]);
    }
    if (cond === undefined) {
      const opcode = this.#rng.chance(0.15) ? JA32 : JA;
      this.items.push({ kind: 'jump', opcode, dst: 0, src: 0, imm: 0, label });
      this.#reachable = false;
    } else {
      this.items.push({ kind: 'jump', ...cond, label });
    }
    this.#emitted++;
    this.cost += this.#multiplier;
  }

  /** A random condition over initialised scalars. */
  #condition(): { opcode: number; dst: number; src: number; imm: number } {
    const rng = this.#rng;
    const cls = rng.chance(0.4) ? InsnClass.JMP32 : InsnClass.JMP;
    const op = rng.pick(CONDITIONS);
    const dst = this.#scalar();
    if (rng.chance(0.5)) return { opcode: cls | op | Source.X, dst, src: this.#scalar(), imm: 0 };
    return { opcode: cls | op | Source.K, dst, src: 0, imm: rng.chance(0.5) ? rng.range(-4, 16) : this.#imm32() };
  }

  /** A condition that rarely holds (for jumps that skip much code: early exits, escapes). */
  #rareCondition(): { opcode: number; dst: number; src: number; imm: number } {
    const rng = this.#rng;
    const dst = this.#scalar();
    switch (rng.below(3)) {
      case 0:
        return { opcode: (rng.chance(0.5) ? InsnClass.JMP32 : InsnClass.JMP) | JmpOp.JEQ | Source.K, dst, src: 0, imm: rng.int32() };
      case 1:
        return { opcode: InsnClass.JMP | JmpOp.JGE | Source.K, dst, src: 0, imm: -8 };
      default:
        return { opcode: InsnClass.JMP32 | JmpOp.JSLE | Source.K, dst, src: 0, imm: -0x7fff_fff8 };
    }
  }

  /** A condition for a jump that leaves much code behind: mostly a rare one. */
  #exitCondition(): { opcode: number; dst: number; src: number; imm: number } {
    return this.#rng.chance(0.7) ? this.#rareCondition() : this.#condition();
  }

  /** A condition that mostly holds: the negation of a rare one. */
  #negatedRare(): { opcode: number; dst: number; src: number; imm: number } {
    if (this.#rng.chance(0.3)) return this.#condition();
    const rare = this.#rareCondition();
    const op = rare.opcode & 0xf0;
    const negated = op === JmpOp.JEQ ? JmpOp.JNE : op === JmpOp.JGE ? JmpOp.JLT : JmpOp.JSGT;
    return { ...rare, opcode: (rare.opcode & 0x0f) | negated };
  }

  // ---- prologue and epilogue

  #prologue(): void {
    const rng = this.#rng;
    this.#emit(insn(ALU64 | AluOp.MOV | Source.X, 6, 1, 0, 0));
    this.#set(6, ptr('input', 0));
    if (this.index > 0) {
      this.#emit(insn(ALU64 | AluOp.MOV | Source.X, 7, 2, 0, 0));
      this.#set(7, ptr('caller', 0));
    }
    for (let k = 1; k <= this.program.stackSlots; k++) {
      const at = -this.#stackGap - 8 * k;
      if (rng.chance(0.7)) {
        this.#emit(insn(InsnClass.ST | Mode.MEM | Size.DW, 10, 0, at, this.#imm32()));
      } else {
        this.#emit(insn(InsnClass.ST | Mode.MEM | Size.W, 10, 0, at, this.#imm32()));
        this.#emit(insn(InsnClass.ST | Mode.MEM | Size.W, 10, 0, at + 4, this.#imm32()));
      }
    }
    for (const r of this.#writable()) if (this.#kind(r).k === 'u' && rng.chance(0.4)) this.#init(r);
  }

  #epilogue(): void {
    const rng = this.#rng;
    this.#ensureScalar(0);
    // Fold what the registers hold into r0, so a difference anywhere shows in the result.
    for (const r of this.#scalars()) {
      if (r === 0) continue;
      this.#emit(insn(ALU64 | rng.pick([AluOp.XOR, AluOp.ADD, AluOp.SUB]) | Source.X, 0, r, 0, 0));
    }
    if (rng.chance(0.6)) {
      const temp = rng.pick(this.#writable().filter((r) => r !== 0));
      const { base, off } = this.#address(8, true);
      this.#emit(insn(InsnClass.LDX | Mode.MEM | Size.DW, temp, base, off, 0));
      this.#set(temp, SCALAR);
      this.#emit(insn(ALU64 | AluOp.XOR | Source.X, 0, temp, 0, 0));
    }
    if (this.index > 0 || rng.chance(0.5)) this.#observeRegister(0);
    this.#emit(insn(EXIT, 0, 0, 0, 0));
  }

  // ---- statements

  #callsAllowed(): boolean {
    return this.#loops.every((l) => !l.noCalls);
  }

  #block(budget: number, nesting: number): void {
    const stopAt = this.#emitted + budget;
    for (;;) {
      const left = stopAt - this.#emitted;
      if (left <= 0 || this.cost >= this.costLimit) return;
      this.#statement(left, nesting);
    }
  }

  #statement(left: number, nesting: number): void {
    const rng = this.#rng;
    const nest = nesting < MAX_NESTING && left >= 6;
    const counters = this.#writable().length > 4;
    const loop = nest && counters && this.#multiplier * 2 <= MAX_MULTIPLIER && this.cost < this.costLimit / 2;
    const calls = this.#callsAllowed();
    const kind = rng.weighted({
      alu: 34,
      observe: 4,
      lddw: 2,
      pointer: 3,
      load: 10,
      store: 8,
      atomic: 6,
      helper: calls ? 1.5 : 0,
      local: calls && this.callees.length > 0 ? 4 : 0,
      ifThen: nest ? 5 : 0,
      ifElse: nest ? 4 : 0,
      doWhile: loop ? 3 : 0,
      whileLoop: loop ? 2 : 0,
      irreducible: loop ? 1 : 0,
      twoLatches: loop ? 1.5 : 0,
      counted: loop && this.#writable().length >= 6 ? 2 : 0,
      earlyExit: 1,
      escape: 2.5,
      kernelHelper: this.program.kernel && calls ? 2 : 0,
      mapLookup: this.program.kernel && calls ? 3 : 0,
    });
    switch (kind) {
      case 'alu':
        return this.#alu();
      case 'lddw':
        return this.#lddw(this.#target(), this.#imm64());
      case 'pointer':
        return this.#pointer();
      case 'load':
        return this.#load();
      case 'store':
        return this.#store();
      case 'atomic':
        return this.#atomic();
      case 'helper':
        return this.#helperCall();
      case 'local':
        return this.#localCall();
      case 'ifThen':
        return this.#ifThen(left, nesting);
      case 'ifElse':
        return this.#ifElse(left, nesting);
      case 'doWhile':
        return this.#doWhile(left, nesting);
      case 'whileLoop':
        return this.#whileLoop(left, nesting);
      case 'twoLatches':
        return this.#twoLatches(left, nesting);
      case 'irreducible':
        return this.#irreducible(left, nesting);
      case 'counted':
        return this.#countedLoop(left, nesting);
      case 'earlyExit':
        return this.#earlyExit();
      case 'escape':
        return this.#escape();
      case 'observe':
        return this.#observe();
      case 'kernelHelper':
        return kernelHelperCall(this.#kernelHost());
      case 'mapLookup':
        return mapLookup(this.#kernelHost());
    }
  }

  /** What kernel-statements.ts uses of this generator. */
  #kernelHost(): KernelHost {
    const fallback = (exclude: readonly number[]): number => {
      const r = this.#target(exclude);
      this.#init(r);
      return r;
    };
    return {
      rng: this.#rng,
      emit: (instruction) => this.#emit(instruction),
      beforeCall: () => this.#beforeCall(),
      afterCall: () => this.#afterCall(),
      target: (exclude) => this.#target(exclude),
      scalar: (exclude = []) => {
        const all = this.#scalars();
        return all.length > 0 ? this.#rng.pick(all) : fallback(exclude);
      },
      computed: (reg) => this.#computed(reg),
      opaque: (reg) => this.#set(reg, UNINIT),
      stackSlot: () => -this.#stackGap - 8 * this.#rng.range(1, this.program.stackSlots),
      label: () => this.program.label(),
      jump: (label, cond) => this.#jump(label as Label, cond),
      place: (label) => this.#place(label as Label),
      condition: (exclude = []) => {
        const rng = this.#rng;
        const scalar = (): number => (this.#scalars().length > 0 ? rng.pick(this.#scalars()) : fallback(exclude));
        const opcode = (rng.chance(0.4) ? InsnClass.JMP32 : InsnClass.JMP) | rng.pick(CONDITIONS);
        const dst = scalar();
        if (rng.chance(0.5)) return { opcode: opcode | Source.X, dst, src: scalar(), imm: 0 };
        return { opcode: opcode | Source.K, dst, src: 0, imm: rng.range(-4, 16) };
      },
      count: (feature) => this.program.count(feature),
    };
  }

  /** A budget for a nested block: up to what is left after `overhead`, mostly small. */
  #sub(left: number, overhead: number): number {
    const room = Math.max(0, left - overhead);
    const cap = Math.min(room, this.#rng.chance(0.7) ? 12 : 40);
    return this.#rng.range(0, cap);
  }

  /** A nested block, which sometimes ends by jumping away (to an open label) or exiting. */
  #nested(budget: number, nesting: number): void {
    this.#block(budget, nesting + 1);
    if (!this.#reachable) return;
    const c = this.#rng.below(100);
    if (c < 8) {
      this.program.count('goto-open-label');
      this.#jump(this.#rng.pick(this.#open));
    } else if (c < 11) {
      this.program.count('exit-in-branch');
      this.#ensureScalar(0);
      this.#emit(insn(EXIT, 0, 0, 0, 0));
      this.#reachable = false;
    }
  }

  // ---- arithmetic

  #alu(): void {
    const rng = this.#rng;
    const is64 = rng.chance(0.55);
    const cls = is64 ? ALU64 : ALU32;
    const width = is64 ? 64 : 32;
    const op = rng.weighted({
      add: 6,
      sub: 5,
      mul: 5,
      div: 5,
      sdiv: 4,
      mod: 5,
      smod: 4,
      or: 4,
      and: 4,
      xor: 4,
      lsh: 5,
      rsh: 5,
      arsh: 5,
      mov: 6,
      movsx: 4,
      neg: 2,
      end: 5,
    });
    const byX = rng.chance(0.5);
    switch (op) {
      case 'mov': {
        const dst = this.#target();
        if (byX) {
          const src = this.#scalar();
          this.#emit(insn(cls | AluOp.MOV | Source.X, dst, src, 0, 0));
          if (this.#dirty.has(src)) this.#computed(dst);
          else this.#set(dst, SCALAR);
        } else {
          this.#emit(insn(cls | AluOp.MOV | Source.K, dst, 0, 0, this.#imm32()));
          this.#set(dst, SCALAR);
        }
        return;
      }
      case 'movsx': {
        const src = this.#scalar();
        const dst = this.#target([src]);
        this.#emit(insn(cls | AluOp.MOV | Source.X, dst, src, rng.pick(is64 ? [8, 16, 32] : [8, 16]), 0));
        this.#computed(dst);
        return;
      }
      case 'neg': {
        const dst = this.#writableScalar();
        this.#emit(insn(cls | AluOp.NEG | Source.K, dst, 0, 0, 0));
        this.#computed(dst);
        return;
      }
      case 'end': {
        const bits = rng.pick([16, 32, 64]);
        const opcode = is64 ? ALU64 | AluOp.END | Endian.TO_LE : ALU32 | AluOp.END | (byX ? Endian.TO_BE : Endian.TO_LE);
        const dst = this.#writableScalar();
        this.#emit(insn(opcode, dst, 0, 0, bits));
        this.#computed(dst);
        return;
      }
      case 'lsh':
      case 'rsh':
      case 'arsh': {
        const aop = op === 'lsh' ? AluOp.LSH : op === 'rsh' ? AluOp.RSH : AluOp.ARSH;
        const dst = this.#writableScalar();
        if (!byX) {
          this.#emit(insn(cls | aop | Source.K, dst, 0, 0, rng.chance(0.3) ? rng.pick([0, 1, width - 1, width / 2]) : rng.below(width)));
          this.#computed(dst);
          return;
        }
        let src = this.#scalar();
        if (rng.chance(0.3)) {
          src = this.#pickWritableOtherThan(dst);
          this.#emit(insn(ALU64 | AluOp.MOV | Source.K, src, 0, 0, rng.chance(0.5) ? rng.range(width, 300) : this.#imm32()));
          this.#set(src, SCALAR);
          this.program.count('shift-big-count');
        }
        this.#emit(insn(cls | aop | Source.X, dst, src, 0, 0));
        this.#computed(dst);
        return;
      }
      case 'div':
      case 'sdiv':
      case 'mod':
      case 'smod':
        return this.#divide(cls, op === 'div' || op === 'sdiv' ? AluOp.DIV : AluOp.MOD, op === 'sdiv' || op === 'smod', byX);
      default: {
        const aop = { add: AluOp.ADD, sub: AluOp.SUB, mul: AluOp.MUL, or: AluOp.OR, and: AluOp.AND, xor: AluOp.XOR }[op];
        const dst = this.#writableScalar();
        if (byX) {
          const src = this.#scalar();
          this.#emit(insn(cls | aop | Source.X, dst, src, 0, 0));
          if (src !== dst) this.#dirty.delete(src); // its value flowed into dst
        } else {
          this.#emit(insn(cls | aop | Source.K, dst, 0, 0, this.#imm32()));
        }
        this.#computed(dst);
      }
    }
  }

  #pickWritableOtherThan(reg: number): number {
    return this.#writable().some((r) => r !== reg) ? this.#target([reg]) : reg;
  }

  /** Division and modulo, with their edge cases: by zero, by -1, INT_MIN by -1. */
  #divide(cls: number, aop: number, signed: boolean, byX: boolean): void {
    const rng = this.#rng;
    const is64 = cls === ALU64;
    const off = signed ? 1 : 0;
    const dst = this.#writableScalar();
    const special = rng.weighted({ none: 60, zero: 15, minusOne: 15, intMin: signed ? 10 : 0 });
    if (special === 'intMin') {
      if (is64) this.#lddw(dst, -0x8000_0000_0000_0000n);
      else this.#emit(insn(ALU32 | AluOp.MOV | Source.K, dst, 0, 0, -0x8000_0000));
      this.#set(dst, SCALAR);
      this.program.count('sdiv-int-min-by-minus-one');
    }
    if (!byX) {
      const imm = special === 'zero' ? 0 : special === 'none' ? this.#imm32() : -1;
      if (special === 'zero') this.program.count('div-by-zero-k');
      if (special === 'minusOne' || special === 'intMin') this.program.count('div-by-minus-one-k');
      this.#emit(insn(cls | aop | Source.K, dst, 0, off, imm));
      this.#computed(dst);
      return;
    }
    let src: number;
    if (special === 'none') {
      src = this.#scalar();
    } else {
      src = this.#pickWritableOtherThan(dst);
      const value = special === 'zero' ? 0 : -1;
      this.#emit(insn((rng.chance(0.5) ? ALU64 : ALU32) | AluOp.MOV | Source.K, src, 0, 0, value));
      // A 32-bit move of -1 gives 0xffffffff: -1 for a 32-bit division, a large divisor for a 64-bit one.
      this.#set(src, SCALAR);
      this.program.count(special === 'zero' ? 'div-by-zero-x' : 'div-by-minus-one-x');
    }
    this.#emit(insn(cls | aop | Source.X, dst, src, off, 0));
    this.#computed(dst);
  }

  // ---- memory

  /** A pointer copy, moved by a constant (staying inside its region). */
  #pointer(): void {
    const rng = this.#rng;
    const pointers: number[] = [];
    for (let r = 0; r <= 10; r++) if (this.#kind(r).k === 'p') pointers.push(r);
    const base = rng.pick(pointers);
    const kind = this.#kind(base) as Extract<Kind, { k: 'p' }>;
    const dst = this.#target();
    if (dst !== base) this.#emit(insn(ALU64 | AluOp.MOV | Source.X, dst, base, 0, 0));
    const { lo, hi } = this.#bounds(kind.region);
    const delta = rng.range(lo, hi);
    const step = delta - kind.delta;
    if (step !== 0 || dst === base) {
      if (rng.chance(0.5)) this.#emit(insn(ALU64 | AluOp.ADD | Source.K, dst, 0, 0, step));
      else this.#emit(insn(ALU64 | AluOp.SUB | Source.K, dst, 0, 0, -step));
      this.program.count('pointer-offset');
    }
    this.#set(dst, ptr(kind.region, delta));
  }

  #load(): void {
    const rng = this.#rng;
    const size = rng.pick(SIZES);
    const signed = size !== Size.DW && rng.chance(0.35);
    const { base, off } = this.#address(BYTES[size], false);
    const dst = this.#target();
    this.#emit(insn(InsnClass.LDX | (signed ? Mode.MEMSX : Mode.MEM) | size, dst, base, off, 0));
    this.#computed(dst);
  }

  #store(): void {
    const rng = this.#rng;
    const size = rng.pick(SIZES);
    if (rng.chance(0.4)) {
      const { base, off } = this.#address(BYTES[size], false);
      this.#emit(insn(InsnClass.ST | Mode.MEM | size, base, 0, off, this.#imm32()));
    } else {
      // The value first: making one may overwrite a register that held a pointer.
      const src = this.#scalar();
      const { base, off } = this.#address(BYTES[size], false);
      this.#emit(insn(InsnClass.STX | Mode.MEM | size, base, src, off, 0));
      if (size === Size.DW) this.#dirty.delete(src);
    }
  }

  /** Atomic operations; operands are made before the address is chosen (making one may overwrite a pointer). */
  #atomic(): void {
    const rng = this.#rng;
    const kind = rng.weighted({ rmw: 8, xchg: 2, cmpxchg: 2, acquire: 1, release: 1 });
    const opcode = (size: Size): number => InsnClass.STX | Mode.ATOMIC | size;
    if (kind === 'release') {
      const size = rng.pick(SIZES);
      const src = this.#scalar();
      const { base, off } = this.#address(BYTES[size], true);
      this.#emit(insn(opcode(size), base, src, off, AtomicOp.STORE_REL));
      return;
    }
    if (kind === 'acquire') {
      const size = rng.pick(SIZES);
      const { base, off } = this.#address(BYTES[size], true);
      const dst = this.#target();
      this.#emit(insn(opcode(size), dst, base, off, AtomicOp.LOAD_ACQ));
      this.#computed(dst);
      return;
    }
    const size = rng.chance(0.5) ? Size.W : Size.DW;
    if (kind === 'cmpxchg') {
      if (!this.#writable().includes(0)) return;
      this.#ensureScalar(0);
      const src = this.#scalar();
      const { base, off } = this.#address(BYTES[size], true);
      // Half the time r0 holds what is in memory, so the exchange happens.
      if (rng.chance(0.5)) {
        if (this.#dirty.has(0)) this.#observeRegister(0);
        this.#emit(insn(InsnClass.LDX | Mode.MEM | size, 0, base, off, 0));
        this.program.count('cmpxchg-loaded');
      }
      this.#emit(insn(opcode(size), base, src, off, AtomicOp.CMPXCHG));
      this.#computed(0);
      return;
    }
    const fetch = kind === 'xchg' || rng.chance(0.5);
    const src = fetch ? this.#writableScalar() : this.#scalar();
    const op = kind === 'xchg' ? AtomicOp.XCHG : rng.pick(RMW) | (fetch ? AtomicOp.FETCH : 0);
    const { base, off } = this.#address(BYTES[size], true);
    this.#emit(insn(opcode(size), base, src, off, op));
    if (fetch) this.#computed(src);
    else this.#dirty.delete(src);
  }

  /** Puts a register's value where the result shows it: the input memory. */
  #observe(): void {
    const dirty = [...this.#dirty];
    this.#observeRegister(dirty.length > 0 && this.#rng.chance(0.8) ? this.#rng.pick(dirty) : this.#scalar());
  }

  /** Adds (or xors) a register into the observation words at the end of the input. */
  #observeRegister(src: number): void {
    const rng = this.#rng;
    const off = this.program.inputSize - OBSERVED_BYTES + 8 * rng.below(OBSERVED_BYTES / 8);
    this.#dirty.delete(src);
    this.#emit(insn(InsnClass.STX | Mode.ATOMIC | Size.DW, 6, src, off, rng.chance(0.7) ? AtomicOp.ADD : AtomicOp.XOR));
    this.program.count('input-access');
  }

  // ---- calls

  /** After a call: r0 holds the result, r1..r5 are clobbered. */
  #afterCall(): void {
    this.#computed(0);
    for (let r = 1; r <= 5; r++) this.#set(r, UNINIT);
    if (this.#loops.length > 0) this.program.count('call-in-loop');
  }

  /** Before a call: r1..r5 are about to be clobbered, r0 overwritten. */
  #beforeCall(): void {
    for (let r = 0; r <= 5; r++) if (this.#dirty.has(r)) this.#observeRegister(r);
  }

  /** Helper 5 returns its argument, and ends the program with r0 = 0 when that is 0. */
  #helperCall(): void {
    const rng = this.#rng;
    this.#beforeCall();
    const c = rng.below(100);
    if (c < 3) {
      this.#emit(insn(ALU64 | AluOp.MOV | Source.K, 1, 0, 0, 0));
      this.program.count('helper-exit');
    } else if (c < 30 && this.#scalars().some((r) => r !== 1)) {
      this.#emit(insn(ALU64 | AluOp.MOV | Source.X, 1, rng.pick(this.#scalars().filter((r) => r !== 1)), 0, 0));
    } else {
      this.#emit(insn(ALU64 | AluOp.MOV | Source.K, 1, 0, 0, rng.chance(0.5) ? rng.range(1, 1000) : this.#imm32() || 1));
    }
    this.#set(1, SCALAR);
    if (rng.chance(0.15)) {
      const target = this.#target([1]);
      this.#emit(insn(ALU64 | AluOp.MOV | Source.K, target, 0, 0, this.program.unwindId));
      this.#set(target, SCALAR);
      this.#emit(insn(CALLX, target, 0, 0, 0));
      this.program.count('callx-helper');
    } else {
      this.#emit(insn(CALL, 0, PseudoCall.HELPER, 0, this.program.unwindId));
    }
    this.#afterCall();
  }

  #localCall(): void {
    const rng = this.#rng;
    const callee = rng.pick(this.callees);
    if (this.cost + this.#multiplier * callee.cost > this.costLimit) return;
    this.#beforeCall();
    const viaCallx = rng.chance(0.2);
    // callx needs the address in a register the arguments do not use.
    const holders = this.#writable().filter((r) => r === 0 || r >= 6);
    let holder = -1;
    if (viaCallx && holders.length > 0) {
      holder = this.#target([1, 2, 3, 4, 5]);
      this.items.push({ kind: 'funcAddr', dst: holder, fn: callee.index });
      this.#emitted++;
      this.cost += this.#multiplier;
      this.#set(holder, UNINIT); // a function address: only for callx
    }
    this.#emit(insn(ALU64 | AluOp.MOV | Source.X, 1, 6, 0, 0));
    this.#set(1, ptr('input', 0));
    this.#emit(insn(ALU64 | AluOp.MOV | Source.X, 2, 10, 0, 0));
    const slots = -this.#stackGap - 8 * this.program.stackSlots;
    this.#emit(insn(ALU64 | AluOp.ADD | Source.K, 2, 0, 0, slots));
    this.#set(2, ptr('stack', slots));
    for (let a = 0; a < callee.args; a++) {
      const r = 3 + a;
      if (this.#kind(r).k !== 's' || rng.chance(0.3)) {
        const from = this.#scalars().filter((s) => s !== r);
        if (from.length > 0 && rng.chance(0.5)) this.#emit(insn(ALU64 | AluOp.MOV | Source.X, r, rng.pick(from), 0, 0));
        else this.#emit(insn(ALU64 | AluOp.MOV | Source.K, r, 0, 0, this.#imm32()));
        this.#set(r, SCALAR);
      }
    }
    if (holder >= 0) {
      this.#emit(insn(CALLX, holder, 0, 0, 0));
      this.program.count('callx-local');
    } else {
      this.items.push({ kind: 'call', fn: callee.index });
      this.#emitted++;
      this.program.count('call-local');
    }
    this.cost += this.#multiplier * (callee.cost + 1);
    if (this.index > 0) this.program.count('call-from-callee');
    this.#afterCall();
  }

  // ---- control flow

  #ifThen(left: number, nesting: number): void {
    const end = this.program.label();
    this.#jump(end, this.#condition());
    this.#open.push(end);
    const body = this.#sub(left, 2);
    if (body === 0) this.program.count('jump-offset-zero');
    this.#nested(body, nesting);
    this.#open.pop();
    this.#place(end);
    this.program.count('if-then');
  }

  #ifElse(left: number, nesting: number): void {
    const otherwise = this.program.label();
    const end = this.program.label();
    this.#jump(otherwise, this.#condition());
    this.#open.push(end);
    this.#nested(this.#sub(left, 4), nesting);
    if (this.#reachable) this.#jump(end);
    this.#place(otherwise);
    this.#nested(this.#sub(left, 4), nesting);
    this.#open.pop();
    this.#place(end);
    this.program.count('if-else');
  }

  /** Picks and writes a loop counter; returns it and its trip count. */
  #startLoop(): { counter: number; trips: number; exit: Label } {
    const rng = this.#rng;
    const writable = this.#writable();
    const calleeSaved = writable.filter((r) => r >= 6);
    const counter = calleeSaved.length > 0 && rng.chance(0.75) ? rng.pick(calleeSaved) : rng.pick(writable.filter((r) => r <= 5));
    if (this.#dirty.has(counter)) this.#observeRegister(counter);
    const trips = rng.range(1, Math.min(4, Math.floor(MAX_MULTIPLIER / this.#multiplier)));
    this.#emit(insn((rng.chance(0.5) ? ALU64 : ALU32) | AluOp.MOV | Source.K, counter, 0, 0, trips));
    this.#set(counter, SCALAR);
    this.#locked.add(counter);
    if (this.#loops.length > 0) this.program.count('loop-nested');
    if (counter <= 5) this.program.count('loop-counter-caller-saved');
    this.#loops.push({ noCalls: counter <= 5 });
    this.#multiplier *= trips;
    const exit = this.program.label(true);
    this.#open.push(exit);
    return { counter, trips, exit };
  }

  #endLoop(loop: { counter: number; trips: number; exit: Label }): void {
    this.#open.pop();
    this.#multiplier /= loop.trips;
    this.#loops.pop();
    this.#locked.delete(loop.counter);
    this.#place(loop.exit);
  }

  #decrement(counter: number): void {
    const rng = this.#rng;
    const c = rng.below(3);
    if (c === 0) this.#emit(insn(ALU64 | AluOp.SUB | Source.K, counter, 0, 0, 1));
    else if (c === 1) this.#emit(insn(ALU64 | AluOp.ADD | Source.K, counter, 0, 0, -1));
    else this.#emit(insn(ALU32 | AluOp.SUB | Source.K, counter, 0, 0, 1));
  }

  /** The latch of a counted loop: jumps back while the (decremented) counter is above 0. */
  #latch(counter: number, head: Label): void {
    const rng = this.#rng;
    const cls = rng.chance(0.5) ? InsnClass.JMP32 : InsnClass.JMP;
    const op = rng.pick([JmpOp.JNE, JmpOp.JGT, JmpOp.JSGT]);
    this.#jump(head, { opcode: cls | op | Source.K, dst: counter, src: 0, imm: 0 });
  }

  /** head: body; counter -= 1; if counter > 0 goto head. */
  #doWhile(left: number, nesting: number): void {
    const loop = this.#startLoop();
    const head = this.program.label();
    head.fixed = this.#headState();
    this.#place(head);
    // `continue`: a label before the decrement that the body may jump to.
    const next = this.program.label();
    this.#open.push(next);
    this.#loopBody(this.#sub(left, 4), nesting, loop.exit, loop.counter);
    this.#open.pop();
    this.#place(next);
    this.#decrement(loop.counter);
    this.#latch(loop.counter, head);
    this.#endLoop(loop);
    this.program.count('loop-do-while');
  }

  /**
   * A loop with two back edges: head: A; counter -= 1; if counter s<= 0 goto exit; B;
   * if c goto head; C; goto head.
   */
  #twoLatches(left: number, nesting: number): void {
    const loop = this.#startLoop();
    const head = this.program.label();
    head.fixed = this.#headState();
    this.#place(head);
    const budget = this.#sub(left, 8);
    const a = this.#rng.below(budget + 1);
    const b = this.#rng.below(budget - a + 1);
    this.#block(a, nesting + 1);
    this.#decrement(loop.counter);
    const cls = this.#rng.chance(0.5) ? InsnClass.JMP32 : InsnClass.JMP;
    this.#jump(loop.exit, { opcode: cls | JmpOp.JSLE | Source.K, dst: loop.counter, src: 0, imm: 0 });
    this.#block(b, nesting + 1);
    if (this.#reachable) this.#jump(head, this.#condition());
    this.#block(budget - a - b, nesting + 1);
    if (this.#reachable) this.#jump(head);
    this.#endLoop(loop);
    this.program.count('loop-two-back-edges');
  }

  /** head: if counter == 0 goto exit; body; counter -= 1; goto head. */
  #whileLoop(left: number, nesting: number): void {
    const loop = this.#startLoop();
    const head = this.program.label();
    head.fixed = this.#headState();
    this.#place(head);
    const cls = this.#rng.chance(0.5) ? InsnClass.JMP32 : InsnClass.JMP;
    const op = this.#rng.pick([JmpOp.JEQ, JmpOp.JSLE, JmpOp.JLE]);
    this.#jump(loop.exit, { opcode: cls | op | Source.K, dst: loop.counter, src: 0, imm: 0 });
    this.#loopBody(this.#sub(left, 5), nesting, loop.exit, loop.counter);
    this.#decrement(loop.counter);
    this.#jump(head);
    this.#endLoop(loop);
    this.program.count('loop-while');
  }

  /**
   * A loop with two entries: `if c goto mid; head: A; mid: B; counter -= 1; if counter > 0 goto head`.
   * Neither head nor mid dominates the other, so the graph is irreducible.
   */
  #irreducible(left: number, nesting: number): void {
    const loop = this.#startLoop();
    const mid = this.program.label();
    this.#jump(mid, this.#condition());
    const head = this.program.label();
    head.fixed = this.#headState();
    this.#place(head);
    this.#loopBody(this.#sub(left, 6), nesting, loop.exit, loop.counter);
    this.#place(mid);
    this.#loopBody(this.#sub(left, 6), nesting, loop.exit, loop.counter);
    this.#decrement(loop.counter);
    this.#latch(loop.counter, head);
    this.#endLoop(loop);
    this.program.count('irreducible-loop');
  }

  /**
   * A counted loop as compilers emit them, the shape the JIT versions (compiler/unroll.ts): a
   * pointer walks the input, a sum takes what it loads, a counter runs to a bound; sometimes an
   * exit on the counter inside and a few statements of any kind. The trip count (simulated here
   * with the jumps' semantics) goes up to 40, past the copies a versioned loop runs at once.
   *   p = r6 + start; i = i0; [n = bound]
   *   head: x = *(p + off); s += x (or x += s; s = x); [if i > k goto exit]; …; p += step; i += inc
   *         if i <op> n goto head        (or n <op'> i; or if !(i <op> n) goto exit; goto head)
   *   exit:
   */
  #countedLoop(left: number, nesting: number): void {
    const rng = this.#rng;
    const s = this.#writableScalar();
    const x = this.#target([s]);
    const i = this.#target([s, x]);
    const n = this.#target([s, x, i]);
    const p = this.#target([s, x, i, n]);
    const jmp = rng.chance(0.85) ? InsnClass.JMP : InsnClass.JMP32;
    // The counter: start, step, the continue condition and the bound, for `trips` trips.
    const maxTrips = Math.min(40, Math.floor(MAX_MULTIPLIER / this.#multiplier));
    const want = rng.chance(0.3) ? rng.range(1, 8) : rng.range(1, maxTrips);
    const inc = rng.pick([1, 1, 1, 2, 3, -1, -1, -2]);
    const i0 = rng.chance(0.8) ? BigInt(rng.range(-20, 20)) : rng.pick(COUNTER_EDGES);
    const up = inc > 0;
    const op = rng.chance(0.85)
      ? rng.pick(up ? [JmpOp.JLT, JmpOp.JLE, JmpOp.JNE, JmpOp.JSLT, JmpOp.JSLE] : [JmpOp.JGT, JmpOp.JGE, JmpOp.JNE, JmpOp.JSGT, JmpOp.JSGE])
      : rng.pick(CONDITIONS.filter((c) => c !== JmpOp.JSET));
    const last = i0 + BigInt(want * inc); // the counter after the last trip
    const before = i0 + BigInt((want - 1) * inc);
    let bound = op === JmpOp.JNE ? last : op === JmpOp.JLT || op === JmpOp.JSLT || op === JmpOp.JGE || op === JmpOp.JSGE ? last : before;
    if (rng.chance(0.15)) bound += BigInt(rng.range(-2, 2));
    const breakAt = rng.chance(0.25) ? BigInt(rng.range(-5, 30)) : undefined;
    const breakOp = rng.pick([JmpOp.JGT, JmpOp.JSGT, JmpOp.JEQ]);
    const trips = countedTrips(jmp, i0, BigInt(inc), op, bound, breakAt === undefined ? undefined : { op: breakOp, at: breakAt }, maxTrips);
    if (trips === undefined) return this.#alu(); // runs too long: not this time
    // The walk: every access, trip 0 .. trips - 1, lies in the input.
    const size = rng.pick(SIZES);
    const bytes = BYTES[size];
    const { hi } = this.#bounds('input');
    const most = trips > 1 ? Math.floor((hi - bytes) / (trips - 1)) : 8;
    const step = Math.min(most, rng.pick([bytes, bytes, 1, 2, 4, 8])) * (rng.chance(0.2) ? -1 : 1);
    const extent = Math.abs(step) * (trips - 1);
    const first = step >= 0 ? rng.range(0, hi - bytes - extent) : rng.range(extent, hi - bytes);
    const off = rng.range(-8, 8);

    this.#emit(insn(ALU64 | AluOp.MOV | Source.X, p, 6, 0, 0));
    if (first - off !== 0) this.#emit(insn(ALU64 | AluOp.ADD | Source.K, p, 0, 0, first - off));
    // A pointer whose offset moves: nothing but this loop's loads may use it.
    this.#set(p, UNINIT);
    const fitsImm = (v: bigint): boolean => v >= -0x8000_0000n && v <= 0x7fff_ffffn;
    if (fitsImm(i0)) this.#emit(insn(ALU64 | AluOp.MOV | Source.K, i, 0, 0, Number(i0)));
    else this.#lddw(i, i0);
    this.#set(i, SCALAR);
    const boundImm = jmp === InsnClass.JMP ? BigInt.asIntN(64, bound) : BigInt.asIntN(32, bound);
    const byReg = !fitsImm(boundImm) || rng.chance(0.5);
    if (byReg) {
      if (fitsImm(BigInt.asIntN(64, bound))) this.#emit(insn(ALU64 | AluOp.MOV | Source.K, n, 0, 0, Number(BigInt.asIntN(64, bound))));
      else this.#lddw(n, BigInt.asIntN(64, bound));
      this.#set(n, SCALAR);
    }
    for (const r of [p, i, n]) this.#locked.add(r);
    this.#loops.push({ noCalls: [p, i, n].some((r) => r <= 5) });
    this.#multiplier *= trips;
    const exit = this.program.label(true);
    this.#open.push(exit);
    const head = this.program.label();
    head.fixed = this.#headState();
    this.#place(head);

    const signed = size !== Size.DW && rng.chance(0.3);
    this.#emit(insn(InsnClass.LDX | (signed ? Mode.MEMSX : Mode.MEM) | size, x, p, off, 0));
    this.program.count('input-access');
    if (rng.chance(0.25)) {
      // As clang keeps a sum: the new total in the loaded register, then copied back.
      this.#emit(insn(ALU64 | AluOp.ADD | Source.X, x, s, 0, 0));
      this.#emit(insn(ALU64 | AluOp.MOV | Source.X, s, x, 0, 0));
    } else {
      const how = rng.weighted({ add64: 6, add32: 1, sub: 1, xor: 1 });
      const cls = how === 'add32' ? ALU32 : ALU64;
      this.#emit(insn(cls | (how === 'sub' ? AluOp.SUB : how === 'xor' ? AluOp.XOR : AluOp.ADD) | Source.X, s, x, 0, 0));
    }
    this.#computed(x);
    this.#computed(s);
    if (breakAt !== undefined) this.#jump(exit, { opcode: jmp | breakOp | Source.K, dst: i, src: 0, imm: Number(BigInt.asIntN(32, breakAt)) });
    if (rng.chance(0.3)) this.#block(rng.range(0, 4), nesting + 1);
    if (this.#reachable) {
      if (step !== 0 || rng.chance(0.5)) this.#emit(this.#addK(p, step));
      this.#emit(this.#addK(i, inc));
      const latch = rng.below(3);
      if (latch === 0 || !byReg) {
        const stay = { opcode: jmp | op | (byReg ? Source.X : Source.K), dst: i, src: byReg ? n : 0, imm: byReg ? 0 : Number(boundImm) };
        if (rng.chance(0.25)) {
          this.#jump(exit, { ...stay, opcode: (stay.opcode & 0x0f) | NEGATED_JUMP.get(op)! });
          this.#jump(head);
        } else {
          this.#jump(head, stay);
        }
      } else {
        this.#jump(head, { opcode: jmp | SWAPPED_JUMP.get(op)! | Source.X, dst: n, src: i, imm: 0 });
      }
    }
    this.#open.pop();
    this.#multiplier /= trips;
    this.#loops.pop();
    for (const r of [p, i, n]) this.#locked.delete(r);
    this.#place(exit);
    this.#set(p, UNINIT);
    if (this.#kind(i).k === 's') this.#computed(i);
    this.program.count('loop-counted');
    if (trips > 8) this.program.count('loop-counted-long');
  }

  /** `r += k` (or `r -= -k`). */
  #addK(r: number, k: number): Instruction {
    return this.#rng.chance(0.7) ? insn(ALU64 | AluOp.ADD | Source.K, r, 0, 0, k) : insn(ALU64 | AluOp.SUB | Source.K, r, 0, 0, -k);
  }

  /** A loop body, with now and then an extra exit. */
  #loopBody(budget: number, nesting: number, exit: Label, counter: number): void {
    const half = this.#rng.below(budget + 1);
    this.#block(half, nesting + 1);
    if (this.#reachable && this.#rng.chance(0.35)) {
      // Mostly on the counter: the loop then leaves at a given trip.
      const onCounter = { opcode: (this.#rng.chance(0.5) ? InsnClass.JMP32 : InsnClass.JMP) | JmpOp.JEQ | Source.K, dst: counter, src: 0, imm: this.#rng.range(1, 4) };
      this.#jump(exit, this.#rng.chance(0.6) ? onCounter : this.#exitCondition());
      this.program.count('loop-multi-exit');
    }
    this.#block(budget - half, nesting + 1);
  }

  /** if c goto skip; r0 = …; exit; skip: */
  #earlyExit(): void {
    const skip = this.program.label();
    // The exit is what the jump skips: it runs when the condition fails, so make that rare.
    this.#jump(skip, this.#negatedRare());
    this.#ensureScalar(0);
    if (this.#rng.chance(0.5)) this.#emit(insn(ALU64 | AluOp.XOR | Source.X, 0, this.#scalar(), 0, 0));
    this.#emit(insn(EXIT, 0, 0, 0, 0));
    this.#reachable = false;
    this.#place(skip);
    this.program.count('early-exit');
  }

  /** A conditional jump ahead to an open label: the end of an enclosing construct, a loop exit, the epilogue. */
  #escape(): void {
    const target = this.#rng.pick(this.#open);
    if (target.loopExit) this.program.count('loop-multi-exit');
    this.program.count('goto-open-label');
    this.#jump(target, this.#exitCondition());
  }
}
