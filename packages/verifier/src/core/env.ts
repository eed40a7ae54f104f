/**
 * The verifier's working environment for one program (the kernel's struct bpf_verifier_env):
 * the program and what was learned about it before exploring, the current path state, the
 * pending branches, the explored states, the log and the statistics.
 *
 * Checks report a failure with `env.fail(errno, message)`: the message goes to the log and a
 * VerifierError is thrown; the driver turns it into the verdict.
 */
import type { Capability, Instruction, ProgTypeSpec } from '@bpfhive/uapi';
import type { AttachFunc } from './btf-ctx.js';
import type { KernelTypes } from './kernel-btf.js';
import type { CfgAux } from './cfg.js';
import { VerifierError } from './errors.js';
import { withLinked, withStackAccess } from './history.js';
import type { VerifierLog } from './log.js';
import type { MapInfo } from './map-info.js';
import type { RegState } from './reg.js';
import type { Slots } from './slots.js';
import type { FuncState, VerifierState } from './state.js';
import type { Errno, FuncInfo, LineInfo } from './types.js';

/** What the loader's capabilities allow (the kernel's env->bpf_capable, allow_ptr_leaks…). */
export interface Caps {
  readonly privileges: ReadonlySet<Capability>;
  /** CAP_BPF: loops, bpf-to-bpf calls, 1M instructions, more helpers. */
  readonly bpfCapable: boolean;
  /** CAP_PERFMON: pointers may be treated as numbers. */
  readonly allowPtrLeaks: boolean;
  /** CAP_PERFMON: no Spectre v1 restrictions on pointer arithmetic. */
  readonly bypassSpecV1: boolean;
  /** CAP_PERFMON: reading uninitialized stack gives an unknown value. */
  readonly allowUninitStack: boolean;
}

export interface SubprogInfo {
  readonly start: number;
  readonly end: number;
  /** Bytes of stack used (the deepest access), updated as paths are explored. */
  stackDepth: number;
  hasTailCall: boolean;
  /** Called back by a helper. */
  isCallback: boolean;
}

/** A branch waiting to be explored. */
export interface PendingBranch {
  readonly state: VerifierState;
  readonly insn: number;
  readonly prev: number;
  readonly logPos: number;
}

/** What one call site of bpf_map_lookup_elem saw on every path (for constArrayLookups). */
export type LookupSeen = { readonly mapId: number; readonly key: bigint } | 'varied';

export class Env {
  /** The current path. */
  cur!: VerifierState;
  insnIdx = 0;
  prevInsnIdx = -1;
  readonly pending: PendingBranch[] = [];
  /** Explored states kept at each instruction. */
  readonly explored: (VerifierState[] | undefined)[];
  idGen = 0;

  // statistics
  insnProcessed = 0;
  totalStates = 0;
  curStates = 0;
  peakStates = 0;
  maxStatesPerInsn = 0;
  longestMarkRead = 0;
  jmpsProcessed = 0;
  prevJmpsProcessed = 0;
  prevInsnProcessed = 0;

  // log bookkeeping
  scratchedRegs = 0;
  scratchedSlots = 0n;
  prevLogPos = 0;
  prevInsnPrintPos = 0;
  private prevLinfo: LineInfo | undefined;

  // facts
  readonly helpersUsed = new Set<number>();
  readonly mapIdsUsed = new Set<number>();
  usesTailCall = false;
  maxPktOffset = -1;
  readonly lookups = new Map<number, LookupSeen>();
  /** The kind of pointer each load/store instruction used first (save_aux_ptr_type). */
  readonly ptrTypes = new Map<number, number>();
  /** 1 at each slot some path reached (insn_aux_data.seen); the rest is dead code (sanitize_dead_code). */
  readonly seen: Uint8Array;

  constructor(
    readonly slots: Slots,
    readonly spec: ProgTypeSpec,
    readonly maps: ReadonlyMap<number, MapInfo>,
    readonly caps: Caps,
    readonly log: VerifierLog,
    readonly aux: readonly CfgAux[],
    readonly subprogs: SubprogInfo[],
    readonly opts: {
      readonly strictAlignment: boolean;
      readonly gplCompatible: boolean;
      readonly sleepable: boolean;
      readonly testStateFreq: boolean;
      readonly expectedAttachType: number | undefined;
      readonly insnLimit: number;
      readonly lineInfo: readonly LineInfo[];
      /** The function a BTF-attached program attaches to (btf-ctx.ts); absent: not known. */
      readonly attachFunc?: AttachFunc;
      /** The kernel BTF the program names (kernel-btf.ts). */
      readonly kernel: KernelTypes;
      /** BTF func info: each function's name, linkage and prototype (global-func.ts). */
      readonly funcInfo?: readonly FuncInfo[];
    },
  ) {
    this.explored = new Array(slots.length);
    this.seen = new Uint8Array(slots.length);
  }

  /** The name of kernel BTF type `id`, as the log prints it after `ptr_`. */
  readonly btfName = (id: number): string => this.opts.kernel.typeName(id);

  /** The instruction at `idx` (never the second slot of a lddw). */
  insn(idx: number): Instruction {
    return this.slots[idx]!;
  }

  get frame(): FuncState {
    return this.cur.cur;
  }

  get regs(): RegState[] {
    return this.cur.cur.regs;
  }

  verbose(s: string): void {
    this.log.write(s);
  }

  /** Logs `message` and stops verification with `errno`. */
  fail(errno: Errno, message: string): never {
    this.log.write(`${message}\n`);
    throw new VerifierError(errno, message);
  }

  /** The instruction being processed accessed stack slot `spi` of frame `frame` at a fixed offset. */
  recordStackAccess(frame: number, spi: number): void {
    const h = this.cur.hist;
    if (h.length) h[h.length - 1] = withStackAccess(h[h.length - 1]!, frame, spi);
  }

  /** The conditional jump being processed synced the copies in `regMask` (and spilled copies). */
  recordLinked(regMask: number, spilled: boolean): void {
    const h = this.cur.hist;
    if (h.length) h[h.length - 1] = withLinked(h[h.length - 1]!, regMask, spilled);
  }

  nextId(): number {
    return ++this.idGen;
  }

  markRegScratched(regno: number): void {
    this.scratchedRegs |= 1 << regno;
  }

  markSlotScratched(spi: number): void {
    this.scratchedSlots |= 1n << BigInt(spi);
  }

  markAllScratched(): void {
    this.scratchedRegs = 0x7ff;
    this.scratchedSlots = (1n << 64n) - 1n;
  }

  get scratched(): boolean {
    return this.scratchedRegs !== 0 || this.scratchedSlots !== 0n;
  }

  clearScratched(): void {
    this.scratchedRegs = 0;
    this.scratchedSlots = 0n;
  }

  /** The line info entry covering `insn`, if any. */
  lineOf(insn: number): LineInfo | undefined {
    const li = this.opts.lineInfo;
    let found: LineInfo | undefined;
    for (const l of li) {
      if (l.insn_off > insn) break;
      found = l;
    }
    return found;
  }

  /** Prints the source line of `insn` when it starts a new line (verbose_linfo). */
  verboseLinfo(insn: number, prefix: string): void {
    if (!this.log.enabled) return;
    const l = this.lineOf(insn);
    if (!l || l === this.prevLinfo) return;
    this.log.write(`${prefix}${(l.line ?? `${l.file ?? '?'}:${l.line_num ?? 0}`).trimStart()}\n`);
    this.prevLinfo = l;
  }
}
