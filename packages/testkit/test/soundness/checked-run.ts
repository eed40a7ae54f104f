import { AddressSpace, HelperRegistry, Interpreter, MAX_CALL_FRAMES, MemoryAccessError, type Region, STACK_SIZE, type StepEvent, StepLimitError, stackBase } from '@bpfhive/jit';
import type { Instruction } from '@bpfhive/uapi';
import { GENERATED_ARRAY_MAP } from '../../src/fuzz/index.js';

/**
 * The checking run of a verified XDP program on the reference interpreter: every access must
 * lie inside the context (read-only), the packet or a stack frame (the interpreter's
 * AddressSpace checks that), no instruction may read a stack byte its frame did not write or a
 * register the program did not set (tracked here from the interpreter's step trace, as the
 * verifier's NOT_INIT), and the run must end within the budget. A breach throws
 * SoundnessViolation: the verifier accepted a program that does what it must prevent.
 */

export class SoundnessViolation extends Error {
  override readonly name = 'SoundnessViolation';
  constructor(
    readonly kind: 'out-of-bounds' | 'uninit-stack' | 'uninit-register' | 'budget',
    message: string,
  ) {
    super(`${kind}: ${message}`);
  }
}

/** Where the context and the packet sit: below 4 GiB, since xdp_md holds 32-bit pointers. */
export const CTX_ADDRESS = 0x2000_0000n;
export const PACKET_ADDRESS = 0x1000_0000n;
/** The ifindex the kernel-sim's test_run receives on (the loopback device). */
export const INGRESS_IFINDEX = 1;
/** What the helpers the generator calls return, the same in the kernel-sim (tests set its random source). */
export const PRANDOM_VALUE = 42;
/** The array map's handle (what `ld_pseudo rX, 1, id` loads; never mapped) and where its values sit, one region each. */
export const MAP_HANDLE = 0x3000_0000n;
export const MAP_VALUES_ADDRESS = 0x3001_0000n;
const MAP_VALUE_STRIDE = 0x1000n;

/**
 * Steps a run may take by default: BPF_COMPLEXITY_LIMIT_INSNS. The verifier walks every
 * instruction a run can execute (a loop iteration by iteration), so an accepted program's run
 * cannot be longer than the walk, which is bounded by this limit.
 */
export const STEP_BUDGET = 1_000_000;

const MASK64 = (1n << 64n) - 1n;

/**
 * The helpers a checked run offers, those of GENERATED_HELPERS: bpf_map_lookup_elem on the array
 * map (the key read through the checked memory; NULL past max_entries), bpf_get_prandom_u32,
 * bpf_get_smp_processor_id. Any other call stops the run as unsupported.
 */
function helpers(): HelperRegistry {
  return new HelperRegistry()
    .register(1, 'bpf_map_lookup_elem', ([map, key], env) => {
      if (map !== MAP_HANDLE) throw new UnsupportedRun(`bpf_map_lookup_elem on 0x${map.toString(16)}, not the array map`);
      const index = env.memory.load(key, 4);
      return index < BigInt(GENERATED_ARRAY_MAP.max_entries) ? MAP_VALUES_ADDRESS + index * MAP_VALUE_STRIDE : 0n;
    })
    .register(7, 'bpf_get_prandom_u32', () => BigInt(PRANDOM_VALUE))
    .register(8, 'bpf_get_smp_processor_id', () => 0n);
}

/** Registers a helper reads, beyond what registersRead sees: bpf_map_lookup_elem's map and key. */
const HELPER_ARGS: Readonly<Record<number, number>> = { 1: 0b110 };

/** The xdp_md of a packet at PACKET_ADDRESS: data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex. */
function xdpMd(length: number): Uint8Array {
  const view = new DataView(new ArrayBuffer(24));
  const data = Number(PACKET_ADDRESS);
  [data, data + length, data, INGRESS_IFINDEX, 0, 0].forEach((v, i) => view.setUint32(i * 4, v, true));
  return new Uint8Array(view.buffer);
}

/** Registers an instruction reads (bit i for ri), by the eBPF encoding. */
function registersRead(insn: Instruction): number {
  const cls = insn.opcode & 0x07;
  const x = (insn.opcode & 0x08) !== 0;
  const dst = 1 << insn.dst;
  const src = 1 << insn.src;
  switch (cls) {
    case 0x04:
    case 0x07: {
      const op = insn.opcode & 0xf0;
      if (op === 0xb0) return x ? src : 0; // MOV
      if (op === 0x80 || op === 0xd0) return dst; // NEG, END
      return x ? dst | src : dst;
    }
    case 0x01:
      return src; // LDX
    case 0x02:
      return dst; // ST
    case 0x03:
      return dst | src; // STX, atomics
    case 0x05:
    case 0x06: {
      const op = insn.opcode & 0xf0;
      if (op === 0x00 || op === 0x80) return 0; // JA, CALL: a call's arguments are the callee's business
      if (op === 0x90) return 1; // EXIT reads r0
      return x ? dst | src : dst;
    }
    default:
      return 0; // LD (lddw, legacy packet loads)
  }
}

/**
 * Per-frame state the trace keeps: which registers hold a value and which stack bytes were
 * written. A bpf-to-bpf call starts a frame with the caller's r1-r5 and r10; after a call (helper
 * or function) r0 is set and r1-r5 are not, as the verifier marks them.
 */
class InitTracker {
  /** Whether reading unwritten stack is a breach: not for a loader with CAP_PERFMON (allow_uninit_stack). */
  constructor(private readonly uninitStackAllowed: boolean) {}

  private readonly regs: number[] = [(1 << 1) | (1 << 10)];
  private readonly stacks: Uint8Array[] = [new Uint8Array(STACK_SIZE)];
  private depth = 0;
  private afterCall = false;

  step(e: StepEvent): void {
    while (e.frameDepth > this.depth) {
      this.depth++;
      this.regs[this.depth] = (this.regs[this.depth - 1]! & 0b111110) | (1 << 10);
      this.stacks[this.depth] = new Uint8Array(STACK_SIZE);
    }
    if (e.frameDepth < this.depth) {
      this.depth = e.frameDepth;
      this.afterCall = true;
    }
    if (this.afterCall) {
      this.regs[this.depth] = (this.regs[this.depth]! & ~0b111110) | 1;
      this.afterCall = false;
    }
    const { insn } = e;
    const set = this.regs[this.depth]!;
    const helperArgs = insn.opcode === 0x85 && insn.src === 0 ? (HELPER_ARGS[insn.imm] ?? 0) : 0;
    const unset = (registersRead(insn) | helperArgs) & ~set;
    if (unset !== 0) throw new SoundnessViolation('uninit-register', `insn ${e.insnIndex} reads r${Math.log2(unset & -unset)}, which nothing set`);
    const cls = insn.opcode & 0x07;
    const mode = insn.opcode & 0xe0;
    const size = [4, 2, 1, 8][(insn.opcode >> 3) & 3]!;
    if (cls === 0x01 && (mode === 0x60 || mode === 0x80)) this.checkRead(e, (e.registers[insn.src]! + BigInt(insn.off)) & MASK64, size);
    if ((cls === 0x02 || cls === 0x03) && mode === 0xc0) this.checkRead(e, (e.registers[insn.dst]! + BigInt(insn.off)) & MASK64, size);
    if (insn.opcode === 0x85 && insn.src === 0 && insn.imm === 1) this.checkRead(e, e.registers[2]!, GENERATED_ARRAY_MAP.key_size);
    if ((cls === 0x02 || cls === 0x03) && (mode === 0x60 || mode === 0xc0)) this.markWritten((e.registers[insn.dst]! + BigInt(insn.off)) & MASK64, size);
    this.trackWrites(insn);
  }

  private trackWrites(insn: Instruction): void {
    const cls = insn.opcode & 0x07;
    const frame = this.depth;
    if (cls === 0x04 || cls === 0x07 || cls === 0x01 || (cls === 0x00 && insn.opcode === 0x18)) this.regs[frame]! |= 1 << insn.dst;
    if (cls === 0x03 && (insn.opcode & 0xe0) === 0xc0) {
      if (insn.imm === 0xf1) this.regs[frame]! |= 1; // CMPXCHG writes r0
      else if (insn.imm & 0x01) this.regs[frame]! |= 1 << insn.src; // BPF_FETCH
    }
    if (insn.opcode === 0x85 && insn.src !== 1) this.afterCall = true; // a helper returns at the next step
  }

  /** The stack frame and offset an address falls in, if any. */
  private stackAt(address: bigint): { frame: number; offset: number } | undefined {
    for (let d = 0; d <= this.depth && d < MAX_CALL_FRAMES; d++) {
      const offset = address - stackBase(d);
      if (offset >= 0n && offset < BigInt(STACK_SIZE)) return { frame: d, offset: Number(offset) };
    }
    return undefined;
  }

  private checkRead(e: StepEvent, address: bigint, size: number): void {
    const at = this.stackAt(address);
    if (!at || this.uninitStackAllowed) return;
    const bytes = this.stacks[at.frame]!.subarray(at.offset, at.offset + size);
    if (bytes.every((b) => b === 1)) return;
    throw new SoundnessViolation('uninit-stack', `insn ${e.insnIndex} reads ${size} bytes at fp${at.frame}${at.offset - STACK_SIZE}, not all written`);
  }

  private markWritten(address: bigint, size: number): void {
    const at = this.stackAt(address);
    if (at) this.stacks[at.frame]!.fill(1, at.offset, Math.min(STACK_SIZE, at.offset + size));
  }
}

export interface CheckedRun {
  /** r0 at exit. */
  readonly r0: bigint;
  /** The packet after the run. */
  readonly packet: Uint8Array;
}

/** Thrown when the program calls something the checked run does not offer: not a finding, the case is skipped. */
export class UnsupportedRun extends Error {}

/**
 * Runs `insns` (verified as XDP) on `packet` with every check; throws SoundnessViolation or
 * UnsupportedRun. `privileged`: the verifier let the loader read unwritten stack (CAP_PERFMON).
 */
export interface CheckedRunOptions {
  /** The verifier let the loader read unwritten stack (CAP_PERFMON): such reads are no breach. */
  readonly privileged?: boolean;
  /** Default STEP_BUDGET. */
  readonly maxSteps?: number;
  /** The array map's values (max_entries of value_size bytes), read and written in place; default zeros. */
  readonly mapValues?: readonly Uint8Array[];
}

function resolveLdImm64({ insn }: { insn: Instruction }): bigint {
  if (insn.src === 1 && insn.imm === GENERATED_ARRAY_MAP.map_id) return MAP_HANDLE;
  throw new UnsupportedRun(`ld_pseudo src ${insn.src} imm ${insn.imm}: only the array map is offered`);
}

export function checkedRun(insns: readonly Instruction[], packet: Uint8Array, options: CheckedRunOptions = {}): CheckedRun {
  let interpreter: Interpreter;
  try {
    interpreter = new Interpreter(insns, { helpers: helpers(), resolveLdImm64, maxSteps: options.maxSteps ?? STEP_BUDGET });
  } catch (e) {
    throw new UnsupportedRun(e instanceof Error ? e.message : String(e));
  }
  const ctx: Region = { name: 'xdp_md', base: CTX_ADDRESS, bytes: xdpMd(packet.length), writable: false };
  const data: Region = { name: 'packet', base: PACKET_ADDRESS, bytes: packet.slice(), writable: true };
  const values = options.mapValues ?? Array.from({ length: GENERATED_ARRAY_MAP.max_entries }, () => new Uint8Array(GENERATED_ARRAY_MAP.value_size));
  const valueRegions = values.map((bytes, i): Region => ({ name: `map value ${i}`, base: MAP_VALUES_ADDRESS + BigInt(i) * MAP_VALUE_STRIDE, bytes, writable: true }));
  const tracker = new InitTracker(options.privileged ?? false);
  try {
    const { r0 } = interpreter.execute({ memory: new AddressSpace([ctx, data, ...valueRegions]), args: [CTX_ADDRESS], trace: (e) => tracker.step(e) });
    return { r0, packet: data.bytes };
  } catch (e) {
    if (e instanceof SoundnessViolation) throw e;
    if (e instanceof MemoryAccessError) throw new SoundnessViolation('out-of-bounds', e.message);
    if (e instanceof StepLimitError) throw new SoundnessViolation('budget', e.message);
    throw new UnsupportedRun(e instanceof Error ? e.message : String(e));
  }
}
