/**
 * Verifier states: one frame per active function (registers and stack), and the whole state of
 * a path (frames, acquired references, held lock). Explored states kept for pruning are the same
 * objects, frozen by the explorer (see prune.ts).
 */
import { markNotInit } from './bounds.js';
import type { MapInfo } from './map-info.js';
import { FP, MAX_BPF_REG, RegState } from './reg.js';
import { RegType } from './reg-type.js';

/** Types of the bytes of a stack slot (STACK_*), printed `?`, `r`, `m`, `0`, `d`. */
export const Stype = { INVALID: 0, SPILL: 1, MISC: 2, ZERO: 3, DYNPTR: 4 } as const;
export const STYPE_CHAR = ['?', 'r', 'm', '0', 'd'] as const;

/** What a STACK_DYNPTR slot holds (dynptr.ts): the dynptr's kind and whether it is its first (upper) slot. */
export interface DynptrSlot {
  readonly kind: number;
  readonly first: boolean;
}

/** Bytes of one stack slot and of one register. */
export const REG_SIZE = 8;
/** MAX_BPF_STACK. */
export const MAX_STACK = 512;

/**
 * One 8-byte stack slot. `types[j]` describes the byte at fp - (8 * spi) - j - 1, as the kernel's
 * slot_type[] does, so `types[7]` is the lowest address of the slot. `spilled` holds a spilled
 * register (when the bytes are SPILL) and the slot's liveness marks.
 */
export class StackSlot {
  constructor(
    readonly types: Uint8Array = new Uint8Array(REG_SIZE),
    readonly spilled: RegState = new RegState(),
  ) {}

  /** For STACK_DYNPTR bytes: the dynptr (its id and reference are the spilled register's). */
  dynptr: DynptrSlot | null = null;

  clone(): StackSlot {
    const s = new StackSlot(this.types.slice(), this.spilled.clone());
    s.dynptr = this.dynptr;
    return s;
  }

  /** Whether the slot holds a spilled register (its last byte is SPILL). */
  get isSpill(): boolean {
    return this.types[REG_SIZE - 1] === Stype.SPILL;
  }

  get isSpilledScalar(): boolean {
    return this.isSpill && this.spilled.type === RegType.SCALAR;
  }
}

/** A callback's allowed return range. */
export interface RetRange {
  readonly min: number;
  readonly max: number;
}

/** The state of one function activation (struct bpf_func_state). */
export class FuncState {
  regs: RegState[] = [];
  /** stack[spi] is the slot at fp - 8*(spi+1); its length times 8 is allocated_stack. */
  stack: StackSlot[] = [];
  /** The call instruction that created this frame; -1 for the entry frame. */
  callsite = -1;
  frameno = 0;
  subprogno = 0;
  /** A callback called by a helper (bpf_loop, for_each_map_elem…): exit returns to the callsite. */
  inCallback = false;
  callbackRet: RetRange = { min: 0, max: 1 };
  /** Iterations of callbacks of the helper call the frame is at (bpf_loop's limit). */
  callbackDepth = 0;

  static create(callsite: number, frameno: number, subprogno: number): FuncState {
    const f = new FuncState();
    f.callsite = callsite;
    f.frameno = frameno;
    f.subprogno = subprogno;
    for (let i = 0; i < MAX_BPF_REG; i++) {
      const r = new RegState();
      markNotInit(r);
      f.regs.push(r);
    }
    const fp = f.regs[FP]!;
    fp.type = RegType.PTR_TO_STACK;
    fp.varOff = { value: 0n, mask: 0n };
    fp.smin = fp.smax = fp.umin = fp.umax = 0n;
    fp.s32min = fp.s32max = fp.u32min = fp.u32max = 0;
    fp.frameno = frameno;
    return f;
  }

  get allocatedStack(): number {
    return this.stack.length * REG_SIZE;
  }

  /** Makes room for `size` bytes below fp (grow_stack_state). */
  growStack(size: number): void {
    const slots = Math.ceil(size / REG_SIZE);
    while (this.stack.length < slots) this.stack.push(new StackSlot());
  }

  clone(): FuncState {
    const f = new FuncState();
    f.regs = this.regs.map((r) => r.clone());
    f.stack = this.stack.map((s) => s.clone());
    f.callsite = this.callsite;
    f.frameno = this.frameno;
    f.subprogno = this.subprogno;
    f.inCallback = this.inCallback;
    f.callbackRet = this.callbackRet;
    f.callbackDepth = this.callbackDepth;
    return f;
  }
}

/** A reference the program holds and must release (ringbuf records, sockets). */
export interface AcquiredRef {
  readonly id: number;
  /** The instruction that acquired it. */
  readonly insn: number;
}

/** The lock held between bpf_spin_lock and bpf_spin_unlock. */
export interface ActiveLock {
  readonly map: MapInfo | null;
  readonly id: number;
}

/** The state of a path through the program (struct bpf_verifier_state). */
export class VerifierState {
  frames: FuncState[] = [];
  refs: AcquiredRef[] = [];
  lock: ActiveLock | null = null;
  /** Between bpf_rcu_read_lock and bpf_rcu_read_unlock (kfunc.ts). */
  activeRcuLock = false;
  /** The explored state this path continued from (for liveness and completion counts). */
  parent: VerifierState | null = null;
  /** Explored states only: paths still running from here; 0 means fully explored. */
  branches = 0;
  /** Explored states only: the instruction the state was taken at. */
  insnIdx = 0;
  mayGotoDepth = 0;
  callbackUnrollDepth = 0;
  /** Instructions run since the explored state `parent` was taken (see history.ts). */
  hist: number[] = [];
  /**
   * Precision already traced back from this path: the set in `precTraced` at history position
   * `precPos` (see precision.ts). Reset whenever `hist` starts over.
   */
  precPos = -1;
  precTraced: { regs: Int32Array; lo: Int32Array; hi: Int32Array } | null = null;
  precSpare: { regs: Int32Array; lo: Int32Array; hi: Int32Array } | null = null;
  /** Explored states only: pruning statistics for eviction. */
  hits = 0;
  misses = 0;

  get curframe(): number {
    return this.frames.length - 1;
  }

  get cur(): FuncState {
    return this.frames[this.frames.length - 1]!;
  }

  clone(): VerifierState {
    const s = new VerifierState();
    s.frames = this.frames.map((f) => f.clone());
    s.refs = this.refs.slice();
    s.lock = this.lock;
    s.activeRcuLock = this.activeRcuLock;
    s.parent = this.parent;
    s.branches = this.branches;
    s.insnIdx = this.insnIdx;
    s.mayGotoDepth = this.mayGotoDepth;
    s.callbackUnrollDepth = this.callbackUnrollDepth;
    s.hist = this.hist.slice();
    return s;
  }
}
