import {
  ADDR_SPACE_CAST,
  AluOp,
  AtomicOp,
  InsnClass,
  type Instruction,
  JmpOp,
  Mode,
  PseudoCall,
  Source,
  classOf,
  sizeBytes,
  sizeOf,
} from '@bpfhive/uapi';
import { type Width, alu, endian } from './alu.js';
import { atomicCombine } from './atomic.js';
import type { CallEnv } from './env.js';
import { CallError, ExecutionError, MemoryAccessError, MemoryFault, StepLimitError } from './errors.js';
import { type Frame, FrameStack, framePointer } from './frames.js';
import type { PacketSource } from './hooks.js';
import { conditionHolds } from './jump.js';
import { BPF_FUNC_TAIL_CALL, MAX_TAIL_CALLS } from './limits.js';
import type { AddressSpace } from './memory.js';
import { loadPacket, packetOffset } from './packet.js';
import type { PreparedProgram } from './program.js';
import type { CallArgs, RegisteredFunction } from './registry.js';
import { hex, immValue, signExtend, u64 } from './value.js';

/** One executed instruction, as seen by a trace callback (before it runs). */
export interface StepEvent {
  readonly insnIndex: number;
  readonly insn: Instruction;
  /** r0..r10 before the instruction; a copy. */
  readonly registers: readonly bigint[];
  readonly frameDepth: number;
}

export interface MachineOptions {
  readonly maxSteps: number;
  readonly packet?: PacketSource | undefined;
  readonly data?: unknown;
  readonly trace?: ((event: StepEvent) => void) | undefined;
}

/** Thrown by `CallEnv.exit` to leave every frame at once; never escapes `Machine.run`. */
class ProgramExit {
  constructor(readonly r0: bigint) {}
}

/**
 * One run of a program: the registers, the frames, the step count. Single use.
 *
 * Registers live in a BigUint64Array, so every value stored is wrapped to its canonical unsigned
 * 64-bit form. Each step first moves the frame's pc to the next instruction, then lets the
 * instruction change it (jumps) or the frames (calls, exit).
 */
export class Machine implements CallEnv {
  readonly #regs = new BigUint64Array(11);
  readonly #frames: FrameStack;
  #steps = 0;
  #tailCalls = 0;
  #insnIndex = 0;

  constructor(
    readonly memory: AddressSpace,
    private readonly options: MachineOptions,
  ) {
    this.#frames = new FrameStack(memory);
  }

  get steps(): number {
    return this.#steps;
  }

  get insnIndex(): number {
    return this.#insnIndex;
  }

  get frameDepth(): number {
    return this.#frames.size - 1;
  }

  get data(): unknown {
    return this.options.data;
  }

  /** Runs `program` from its first instruction with r1..r5 = `args`; returns r0. */
  run(program: PreparedProgram, args: readonly bigint[]): bigint {
    try {
      this.#setArgs(args);
      this.#enter(program, 0, []);
      return this.#loop(0);
    } catch (e) {
      if (e instanceof ProgramExit) return e.r0;
      throw e;
    } finally {
      this.#frames.unwindTo(0);
    }
  }

  exit(r0: bigint): never {
    throw new ProgramExit(u64(r0));
  }

  callFunction(address: bigint, args: readonly bigint[]): bigint {
    const index = this.#insnIndex;
    const program = this.#frames.top.program;
    const target = program.functionAt(u64(address));
    if (target === undefined) throw new CallError(index, `callFunction: ${hex(address)} is not a function address`);
    if (args.length > 5) throw new CallError(index, `callFunction: at most 5 arguments, got ${args.length}`);
    const saved = this.#regs.slice();
    const depth = this.#frames.size;
    try {
      this.#setArgs(args);
      this.#enter(program, target, []);
      return this.#loop(depth);
    } finally {
      this.#frames.unwindTo(depth);
      this.#regs.set(saved);
      this.#insnIndex = index;
    }
  }

  /** Executes instructions until only `depth` frames remain; returns r0. */
  #loop(depth: number): bigint {
    while (this.#frames.size > depth) {
      const frame = this.#frames.top;
      const index = frame.pc;
      this.#insnIndex = index;
      const insn = frame.program.insns[index];
      if (insn === undefined) throw new ExecutionError(index, 'ran past the last instruction');
      if (++this.#steps > this.options.maxSteps) throw new StepLimitError(index, this.options.maxSteps);
      this.options.trace?.({ insnIndex: index, insn, registers: [...this.#regs], frameDepth: frame.depth });
      try {
        frame.pc = index + 1;
        this.#execute(frame, insn, index);
      } catch (e) {
        if (e instanceof MemoryFault) throw new MemoryAccessError(index, e);
        throw e;
      }
    }
    return this.#reg(0);
  }

  #execute(frame: Frame, insn: Instruction, index: number): void {
    switch (classOf(insn.opcode)) {
      case InsnClass.ALU:
      case InsnClass.ALU64:
        return this.#alu(frame, insn, index);
      case InsnClass.JMP:
      case InsnClass.JMP32:
        return this.#jump(frame, insn, index);
      case InsnClass.LD:
        return this.#ld(frame, insn, index);
      case InsnClass.LDX:
        return this.#ldx(frame, insn, index);
      case InsnClass.ST:
        return this.memory.store(this.#address(insn.dst, insn.off), this.#size(insn), immValue(insn.imm));
      case InsnClass.STX:
        if ((insn.opcode & 0xe0) === Mode.ATOMIC) return this.#atomic(insn);
        return this.memory.store(this.#address(insn.dst, insn.off), this.#size(insn), this.#reg(insn.src));
    }
  }

  // ---- arithmetic

  #alu(frame: Frame, insn: Instruction, index: number): void {
    const width: Width = classOf(insn.opcode) === InsnClass.ALU64 ? 64 : 32;
    const op = (insn.opcode & 0xf0) as AluOp;
    const bySrc = (insn.opcode & 0x08) === Source.X;
    if (op === AluOp.END) {
      const kind = width === 64 ? 'bswap' : bySrc ? 'be' : 'le';
      this.#regs[insn.dst] = endian(kind, this.#reg(insn.dst), insn.imm as 16 | 32 | 64);
      return;
    }
    if (op === AluOp.MOV && width === 64 && bySrc && insn.off === ADDR_SPACE_CAST) {
      const cast = frame.program.addrSpaceCast;
      if (cast === undefined) throw new ExecutionError(index, 'address space cast needs an arena (option addrSpaceCast)');
      this.#regs[insn.dst] = this.#hook('address space cast', () => cast(this.#reg(insn.src), insn.imm));
      return;
    }
    const src = bySrc ? this.#reg(insn.src) : immValue(insn.imm);
    this.#regs[insn.dst] = alu(op, width, this.#reg(insn.dst), src, insn.off);
  }

  // ---- control flow

  #jump(frame: Frame, insn: Instruction, index: number): void {
    const op = (insn.opcode & 0xf0) as JmpOp;
    switch (op) {
      case JmpOp.JA:
        frame.pc = frame.program.target(index);
        return;
      case JmpOp.EXIT:
        return this.#return();
      case JmpOp.CALL:
        return (insn.opcode & 0x08) === Source.X ? this.#callx(frame, insn, index) : this.#call(frame, insn, index);
      case JmpOp.JCOND:
        return this.#mayGoto(frame, index);
      default: {
        const width: Width = classOf(insn.opcode) === InsnClass.JMP32 ? 32 : 64;
        const src = (insn.opcode & 0x08) === Source.X ? this.#reg(insn.src) : immValue(insn.imm);
        if (conditionHolds(op, width, this.#reg(insn.dst), src)) frame.pc = frame.program.target(index);
      }
    }
  }

  /**
   * `may_goto`, as Linux rewrites it (kernel/bpf/verifier.c, do_misc_fixups): each frame keeps a
   * counter, set to the budget when the frame starts; the instruction jumps when the counter is 0
   * and otherwise decrements it and falls through. With budget N it falls through N times per
   * frame, then jumps every time.
   */
  #mayGoto(frame: Frame, index: number): void {
    if (frame.mayGotoLeft === 0) frame.pc = frame.program.target(index);
    else frame.mayGotoLeft--;
  }

  #call(frame: Frame, insn: Instruction, index: number): void {
    if (insn.src === PseudoCall.LOCAL) return this.#callLocal(frame, frame.program.target(index), index);
    if (insn.src === PseudoCall.KFUNC) {
      const kfunc = frame.program.kfuncs.get(insn.imm, insn.off);
      const where = insn.off === 0 ? '' : ` of BTF object ${insn.off}`;
      if (kfunc === undefined) throw new CallError(index, `unknown kfunc: BTF id ${insn.imm}${where}`);
      return this.#invoke(kfunc, `kfunc ${insn.imm}${where} (${kfunc.name})`);
    }
    this.#callHelper(frame, insn.imm, index);
  }

  /**
   * `callx dst`: the register holds either a function address of this program (what
   * `lddw rX, func` loads), which makes a bpf-to-bpf call, or a helper id, which calls that
   * helper (the conformance suite's callx.data calls helper 5 this way). Anything else stops
   * the run.
   */
  #callx(frame: Frame, insn: Instruction, index: number): void {
    const value = this.#reg(insn.dst);
    const target = frame.program.functionAt(value);
    if (target !== undefined) return this.#callLocal(frame, target, index);
    const isHelper =
      value <= 0x7fff_ffffn &&
      (frame.program.helpers.has(Number(value)) ||
        (Number(value) === BPF_FUNC_TAIL_CALL && frame.program.tailCall !== undefined));
    if (!isHelper) {
      throw new CallError(index, `callx: r${insn.dst} = ${hex(value)} is neither a function address nor a helper id`);
    }
    this.#callHelper(frame, Number(value), index);
  }

  #callHelper(frame: Frame, id: number, index: number): void {
    if (id === BPF_FUNC_TAIL_CALL && frame.program.tailCall !== undefined) return this.#tailCall(frame);
    const helper = frame.program.helpers.get(id);
    if (helper === undefined) throw new CallError(index, `unknown helper ${id}`);
    this.#invoke(helper, `helper ${id} (${helper.name})`);
  }

  /** bpf-to-bpf call: a new frame; r1..r5 pass through, r6..r9 come back as they were. */
  #callLocal(frame: Frame, target: number, index: number): void {
    const calleeSaved = [6, 7, 8, 9].map((r) => this.#reg(r));
    this.#enter(frame.program, target, calleeSaved, index);
  }

  #enter(program: PreparedProgram, pc: number, calleeSaved: readonly bigint[], index = this.#insnIndex): void {
    const frame = this.#frames.push(program, pc, calleeSaved, index);
    this.#regs[10] = framePointer(frame);
  }

  /** `exit`: leaves the innermost frame; r0 is its result. */
  #return(): void {
    const frame = this.#frames.pop();
    frame.calleeSaved.forEach((value, i) => (this.#regs[6 + i] = value));
    if (this.#frames.size > 0) this.#regs[10] = framePointer(this.#frames.top);
  }

  /**
   * `bpf_tail_call(ctx, map, index)`: asks the hook for the program; when there is one and fewer
   * than 33 tail calls were made, the current frame starts over in it with a zeroed stack (r1
   * still the context), and returns to this frame's caller when it exits. Otherwise execution
   * falls through; r0 is left alone, as in Linux.
   */
  #tailCall(frame: Frame): void {
    const hook = frame.program.tailCall!;
    if (this.#tailCalls >= MAX_TAIL_CALLS) return;
    const request = { ctx: this.#reg(1), map: this.#reg(2), index: this.#reg(3) };
    const next = this.#hook('tail call hook', () => hook(request, this));
    if (next === undefined) return;
    this.#tailCalls++;
    frame.program = next.program;
    frame.pc = 0;
    frame.mayGotoLeft = next.program.mayGotoBudget;
    frame.stack.bytes.fill(0);
  }

  /** Calls a helper or kfunc with r1..r5 and puts its result in r0. */
  #invoke(fn: RegisteredFunction, what: string): void {
    const args: CallArgs = [this.#reg(1), this.#reg(2), this.#reg(3), this.#reg(4), this.#reg(5)];
    const result: unknown = this.#hook(what, () => fn.fn(args, this));
    if (typeof result !== 'bigint') throw new CallError(this.#insnIndex, `${what} returned ${typeof result}, not a bigint`);
    this.#regs[0] = result;
  }

  /** Runs embedder code; its own failures become CallErrors naming `what`. */
  #hook<T>(what: string, run: () => T): T {
    try {
      return run();
    } catch (e) {
      if (e instanceof ProgramExit || e instanceof ExecutionError || e instanceof MemoryFault) throw e;
      const why = e instanceof Error ? e.message : String(e);
      throw new CallError(this.#insnIndex, `${what} threw: ${why}`, { cause: e });
    }
  }

  // ---- memory

  #ld(frame: Frame, insn: Instruction, index: number): void {
    const mode = insn.opcode & 0xe0;
    if (mode === Mode.IMM) {
      this.#regs[insn.dst] = frame.program.constant(index);
      return;
    }
    const packet = this.#packet();
    if (packet === undefined) throw new ExecutionError(index, 'LD_ABS and LD_IND need a packet (option packet)');
    const offset = packetOffset(insn.imm, mode === Mode.IND ? this.#reg(insn.src) : undefined);
    const value = loadPacket(packet, offset, this.#size(insn) as 1 | 2 | 4);
    if (value === undefined) {
      // Linux: `r0 = 0; exit` when the load helper fails.
      this.#regs[0] = 0n;
      return this.#return();
    }
    this.#regs[0] = value;
  }

  /**
   * A load; a BPF_PROBE_MEM one (PreparedProgram.isProbeLoad) reads 0 where a plain load faults,
   * as Linux's exception table fixup leaves dst = 0.
   */
  #ldx(frame: Frame, insn: Instruction, index: number): void {
    const size = this.#size(insn);
    const address = this.#address(insn.src, insn.off);
    let value: bigint;
    try {
      value = this.memory.load(address, size);
    } catch (e) {
      if (!(e instanceof MemoryFault) || !frame.program.isProbeLoad(index)) throw e;
      value = 0n;
    }
    this.#regs[insn.dst] = (insn.opcode & 0xe0) === Mode.MEMSX ? signExtend(value, size * 8) : value;
  }

  /** Atomic operations and load-acquire / store-release, RFC 9669 §5.3 and Linux. */
  #atomic(insn: Instruction): void {
    const size = this.#size(insn);
    const op = insn.imm;
    if (op === AtomicOp.LOAD_ACQ) {
      this.#regs[insn.dst] = this.memory.load(this.#address(insn.src, insn.off), size);
      return;
    }
    const address = this.#address(insn.dst, insn.off);
    const operand = this.#reg(insn.src);
    if (op === AtomicOp.STORE_REL) return this.memory.store(address, size, operand);
    const width: Width = size === 8 ? 64 : 32;
    const wordSize = size as 4 | 8;
    if (op === AtomicOp.CMPXCHG) {
      const expected = BigInt.asUintN(width, this.#reg(0));
      this.#regs[0] = this.memory.atomicUpdate(address, wordSize, (old) => (old === expected ? operand : undefined));
      return;
    }
    if (op === AtomicOp.XCHG) {
      this.#regs[insn.src] = this.memory.atomicUpdate(address, wordSize, () => operand);
      return;
    }
    const old = this.memory.atomicUpdate(address, wordSize, (value) => atomicCombine(op, width, value, operand));
    if ((op & AtomicOp.FETCH) !== 0) this.#regs[insn.src] = old;
  }

  #packet(): Uint8Array | undefined {
    const source = this.options.packet;
    if (typeof source !== 'function') return source;
    return this.#hook('packet source', () => source(this.#reg(6)));
  }

  // ---- small accessors

  #reg(r: number): bigint {
    return this.#regs[r]!;
  }

  #setArgs(args: readonly bigint[]): void {
    args.forEach((value, i) => (this.#regs[1 + i] = value));
  }

  #address(base: number, off: number): bigint {
    return u64(this.#reg(base) + BigInt(off));
  }

  #size(insn: Instruction): 1 | 2 | 4 | 8 {
    return sizeBytes(sizeOf(insn.opcode)!);
  }
}
