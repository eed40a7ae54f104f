import {
  AtomicOp,
  FRAME_POINTER,
  InsnClass,
  type Instruction,
  JmpOp,
  LD_IMM64,
  Mode,
  PseudoCall,
  PseudoLdImm64,
  checkInstruction,
  classOf,
  imm64Of,
  slotIndex,
} from '@bpfhive/uapi';
import { ProgramError } from './errors.js';
import type { AddressSpaceCast, LdImm64Resolver, TailCallHook } from './hooks.js';
import { FUNCTION_AREA_BASE, functionAddress } from './layout.js';
import { BPF_MAX_LOOPS } from './limits.js';
import { HelperRegistry, KfuncRegistry } from './registry.js';

/** How a program is prepared and what it may call. */
export interface ProgramOptions {
  /** Helpers by id; default none. */
  readonly helpers?: HelperRegistry;
  /** Kfuncs by BTF id; default none. */
  readonly kfuncs?: KfuncRegistry;
  /** Resolves pseudo `lddw` (map fd, map value…); without it such a program is rejected. */
  readonly resolveLdImm64?: LdImm64Resolver;
  /** Serves `bpf_tail_call` (helper 12); without it helper 12 is looked up like any helper. */
  readonly tailCall?: TailCallHook;
  /** Serves arena address-space casts; without it they stop the run. */
  readonly addrSpaceCast?: AddressSpaceCast;
  /** `may_goto` budget of each frame; default BPF_MAX_LOOPS (8 Mi). */
  readonly mayGotoBudget?: number;
  /**
   * Instruction indexes (an lddw counts once) of BPF_PROBE_MEM loads, as the verifier reports
   * them (`probe_mem_loads`) and the JIT takes them (compile option `probeLoads`): a load through a
   * kernel struct pointer, which reads 0 where a plain load would fault. Each must be an LDX.
   */
  readonly probeLoads?: readonly number[];
}

/**
 * A program checked and ready to run: its instructions, where jumps land, the values its `lddw`
 * instructions load, and what it may call. Immutable; one per loaded program.
 *
 * Preparing rejects with ProgramError: an empty program, an instruction `checkInstruction`
 * refuses, a write to r10, a jump, call or function address that does not land on the start of
 * an instruction, a pseudo `lddw` without a resolver (or one the resolver refuses), a probe load
 * that is not the index of an LDX instruction.
 */
export class PreparedProgram {
  readonly insns: readonly Instruction[];
  /** Slot of each instruction; the last entry is the slot count. */
  readonly slots: readonly number[];
  readonly helpers: HelperRegistry;
  readonly kfuncs: KfuncRegistry;
  readonly tailCall: TailCallHook | undefined;
  readonly addrSpaceCast: AddressSpaceCast | undefined;
  readonly mayGotoBudget: number;
  /** Indexes of the BPF_PROBE_MEM loads (option probeLoads). */
  readonly #probeLoads: ReadonlySet<number>;
  /** Instruction index at each slot, -1 on the second slot of a `lddw`. */
  readonly #indexAtSlot: Int32Array;
  /** Per instruction: the index a jump, local call or function address leads to, else -1. */
  readonly #targets: Int32Array;
  /** Per instruction: the value a `lddw` loads. */
  readonly #constants: (bigint | undefined)[];

  constructor(insns: readonly Instruction[], options: ProgramOptions = {}) {
    if (insns.length === 0) throw new ProgramError(-1, 'the program has no instructions');
    this.insns = insns;
    this.slots = slotIndex(insns);
    this.helpers = options.helpers ?? new HelperRegistry();
    this.kfuncs = options.kfuncs ?? new KfuncRegistry();
    this.tailCall = options.tailCall;
    this.addrSpaceCast = options.addrSpaceCast;
    this.mayGotoBudget = options.mayGotoBudget ?? BPF_MAX_LOOPS;
    if (!Number.isInteger(this.mayGotoBudget) || this.mayGotoBudget < 0) {
      throw new RangeError('prepare: mayGotoBudget must be a non-negative integer');
    }
    this.#indexAtSlot = new Int32Array(this.slotCount).fill(-1);
    insns.forEach((_, i) => (this.#indexAtSlot[this.slots[i]!] = i));
    this.#targets = new Int32Array(insns.length).fill(-1);
    this.#constants = new Array<bigint | undefined>(insns.length);
    insns.forEach((insn, i) => this.#prepare(insn, i, options.resolveLdImm64));
    this.#probeLoads = new Set(options.probeLoads);
    for (const i of this.#probeLoads) {
      if (!Number.isInteger(i) || i < 0 || i >= insns.length) throw new ProgramError(-1, `probe load ${i} is not an instruction index (0..${insns.length - 1})`);
      if (classOf(insns[i]!.opcode) !== InsnClass.LDX) throw new ProgramError(i, 'a probe load must be an LDX instruction');
    }
  }

  /** Whether instruction `index` is a BPF_PROBE_MEM load: it reads 0 from an address it may not load. */
  isProbeLoad(index: number): boolean {
    return this.#probeLoads.has(index);
  }

  get length(): number {
    return this.insns.length;
  }

  get slotCount(): number {
    return this.slots[this.insns.length]!;
  }

  /** Where instruction `index` jumps (or calls, or points) to. */
  target(index: number): number {
    return this.#targets[index]!;
  }

  /** The value `lddw` instruction `index` loads. */
  constant(index: number): bigint {
    return this.#constants[index]!;
  }

  /** The instruction index a function address names, or undefined when it names none. */
  functionAt(address: bigint): number | undefined {
    const offset = address - FUNCTION_AREA_BASE;
    if (offset < 0n || offset % 8n !== 0n || offset / 8n >= BigInt(this.slotCount)) return undefined;
    const index = this.#indexAtSlot[Number(offset / 8n)]!;
    return index >= 0 ? index : undefined;
  }

  #prepare(insn: Instruction, index: number, resolve: LdImm64Resolver | undefined): void {
    const invalid = checkInstruction(insn);
    if (invalid !== undefined) throw new ProgramError(index, invalid);
    if (writesFramePointer(insn)) throw new ProgramError(index, 'writes r10, the read-only frame pointer');
    const offset = relativeTarget(insn);
    if (offset !== undefined) this.#targets[index] = this.#landing(index, offset);
    if (insn.opcode === LD_IMM64) this.#constants[index] = this.#ldImm64(insn, index, resolve);
  }

  /** The instruction `offset` slots after the one following `index`, or a ProgramError. */
  #landing(index: number, offset: number): number {
    const slot = this.slots[index]! + 1 + offset;
    const target = slot >= 0 && slot < this.slotCount ? this.#indexAtSlot[slot]! : -1;
    if (target < 0) {
      throw new ProgramError(index, `offset ${offset} leads to slot ${slot}, which does not start an instruction`);
    }
    return target;
  }

  #ldImm64(insn: Instruction, index: number, resolve: LdImm64Resolver | undefined): bigint {
    const kind = insn.src as PseudoLdImm64;
    if (kind === PseudoLdImm64.IMM64) return BigInt.asUintN(64, imm64Of(insn));
    if (kind === PseudoLdImm64.FUNC) return functionAddress(this.slots[this.#targets[index]!]!);
    if (resolve === undefined) {
      throw new ProgramError(index, `lddw with src ${kind} needs a resolver (option resolveLdImm64)`);
    }
    let value: bigint;
    try {
      value = resolve({ insnIndex: index, insn, kind });
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new ProgramError(index, `lddw with src ${kind} was not resolved: ${why}`, { cause });
    }
    if (typeof value !== 'bigint') throw new ProgramError(index, `lddw with src ${kind}: the resolver returned no bigint`);
    return BigInt.asUintN(64, value);
  }
}

/** The relative offset (in slots, from the next slot) an instruction refers to, if any. */
function relativeTarget(insn: Instruction): number | undefined {
  const cls = classOf(insn.opcode);
  if (insn.opcode === LD_IMM64) return insn.src === PseudoLdImm64.FUNC ? insn.imm : undefined;
  if (cls !== InsnClass.JMP && cls !== InsnClass.JMP32) return undefined;
  const op = insn.opcode & 0xf0;
  if (op === JmpOp.EXIT) return undefined;
  if (op === JmpOp.CALL) return insn.src === PseudoCall.LOCAL && (insn.opcode & 0x08) === 0 ? insn.imm : undefined;
  if (op === JmpOp.JA && cls === InsnClass.JMP32) return insn.imm; // gotol
  return insn.off;
}

/** True when the instruction would write r10. */
function writesFramePointer(insn: Instruction): boolean {
  const cls = classOf(insn.opcode);
  const mode = insn.opcode & 0xe0;
  switch (cls) {
    case InsnClass.ALU:
    case InsnClass.ALU64:
    case InsnClass.LDX:
      return insn.dst === FRAME_POINTER;
    case InsnClass.LD:
      return mode === Mode.IMM && insn.dst === FRAME_POINTER;
    case InsnClass.STX:
      if (mode !== Mode.ATOMIC) return false;
      if (insn.imm === AtomicOp.LOAD_ACQ) return insn.dst === FRAME_POINTER;
      if (insn.imm === AtomicOp.CMPXCHG) return false; // writes r0
      return (insn.imm & AtomicOp.FETCH) !== 0 && insn.src === FRAME_POINTER; // fetch and xchg write src
    default:
      return false;
  }
}
