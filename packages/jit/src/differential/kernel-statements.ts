import { AluOp, AtomicOp, CALL, CALLX, InsnClass, type Instruction, JmpOp, LD_IMM64, Mode, PseudoCall, Size, Source, insn, splitImm64 } from '@bpfhive/uapi';
import { HelperId } from '@bpfhive/uapi';
import { KERNEL_DATA_HELPERS } from '../kernel/kernel-data.js';
import { FIXTURE_ARRAY, FIXTURE_ARRAY_OF_MAPS, FIXTURE_HASH, FIXTURE_PERCPU } from './kernel-fixture.js';
import type { Rng } from './rng.js';

/**
 * The statements a random program has in kernel mode (random-program.ts, `{ kernel: true }`):
 * calls to the helpers that read the kernel data block, and bpf_map_lookup_elem on the fixture's
 * maps (kernel-fixture.ts: arrays, an array of maps, a hash map) followed by accesses to the value
 * found, in the shapes the JIT must tell apart: the map pointer loaded right before the call, copied from another register, or
 * different on two paths (not inlinable); keys in range, at the edge and past it.
 */

/** Shapes kernel-mode programs are checked to cover (over the differential test's seeds). */
export const KERNEL_FEATURES = [
  'kernel-helper',
  'kernel-helper-callx',
  'lookup-array',
  'lookup-percpu',
  'lookup-array-of-maps',
  'lookup-hash',
  'lookup-inner-map',
  'lookup-key-past-end',
  'lookup-key-computed',
  'lookup-map-copied',
  'lookup-map-two-paths',
  'lookup-value-access',
] as const;
export type KernelFeature = (typeof KERNEL_FEATURES)[number];

/** An opaque jump target of the generator. */
export type HostLabel = object;
export interface HostCondition {
  readonly opcode: number;
  readonly dst: number;
  readonly src: number;
  readonly imm: number;
}

/** What a statement needs of the function generator it is part of. */
export interface KernelHost {
  readonly rng: Rng;
  emit(instruction: Instruction): void;
  /** Puts r0..r5's unobserved values in the result before a call overwrites them. */
  beforeCall(): void;
  /** r0 holds a computed value, r1..r5 nothing. */
  afterCall(): void;
  /** A register to overwrite (not in `exclude`). */
  target(exclude?: readonly number[]): number;
  /** A scalar register to read; when it has to write one first, not one in `exclude`. */
  scalar(exclude?: readonly number[]): number;
  /** `reg` now holds a computed scalar / something code must not read (a pointer). */
  computed(reg: number): void;
  opaque(reg: number): void;
  /** Offset from r10 of an 8-byte stack slot the function initialised. */
  stackSlot(): number;
  label(): HostLabel;
  jump(label: HostLabel, cond?: HostCondition): void;
  place(label: HostLabel): void;
  /** A random condition over scalars (it may write one first, not one in `exclude`). */
  condition(exclude?: readonly number[]): HostCondition;
  count(feature: KernelFeature): void;
}

const ALU64 = InsnClass.ALU64;
const KERNEL_HELPER_IDS = [...KERNEL_DATA_HELPERS.keys()];
const VALUE_MAPS = [FIXTURE_ARRAY, FIXTURE_PERCPU, FIXTURE_HASH] as const;

/** A call to a helper of the kernel data block, now and then through callx. */
export function kernelHelperCall(host: KernelHost): void {
  const { rng } = host;
  host.beforeCall();
  const id = rng.pick(KERNEL_HELPER_IDS);
  if (rng.chance(0.15)) {
    const target = host.target([1, 2, 3, 4, 5]);
    host.emit(insn(ALU64 | AluOp.MOV | Source.K, target, 0, 0, id));
    host.computed(target);
    host.emit(insn(CALLX, target, 0, 0, 0));
    host.count('kernel-helper-callx');
  } else {
    host.emit(insn(CALL, 0, PseudoCall.HELPER, 0, id));
  }
  host.count('kernel-helper');
  host.afterCall();
}

/** Registers key() and mapPointer() must not overwrite: r0 (an earlier lookup's result), r1, r2. */
const KEEP = [0, 1, 2];

/** `key = …` into a stack slot, then r2 = its address. Writes no register of KEEP but r2. */
function key(host: KernelHost, maxEntries: number): void {
  const { rng } = host;
  const slot = host.stackSlot();
  const c = rng.below(100);
  if (c < 60) {
    const past = rng.chance(0.25);
    const value = past ? rng.pick([maxEntries, maxEntries + 1, -1, -0x8000_0000, 0x7fff_ffff]) : rng.below(maxEntries);
    if (past) host.count('lookup-key-past-end');
    host.emit(insn(InsnClass.ST | Mode.MEM | Size.W, 10, 0, slot, value));
  } else {
    let src = host.scalar(KEEP);
    if (c < 85) {
      const masked = host.target([src, ...KEEP]);
      host.emit(insn(ALU64 | AluOp.MOV | Source.X, masked, src, 0, 0));
      host.emit(insn(ALU64 | AluOp.AND | Source.K, masked, 0, 0, 7));
      host.computed(masked);
      src = masked;
    }
    host.emit(insn(InsnClass.STX | Mode.MEM | Size.W, 10, src, slot, 0));
    host.count('lookup-key-computed');
  }
  host.emit(insn(ALU64 | AluOp.MOV | Source.X, 2, 10, 0, 0));
  host.emit(insn(ALU64 | AluOp.ADD | Source.K, 2, 0, 0, slot));
  host.opaque(2); // a stack address: it differs between engines
}

function lddw(host: KernelHost, reg: number, value: number): void {
  const { imm, imm2 } = splitImm64(BigInt(value));
  host.emit(insn(LD_IMM64, reg, 0, 0, imm, imm2));
  host.opaque(reg);
}

/**
 * r1 = the map pointer: loaded right before the call, copied from a register loaded earlier, or
 * one of two pointers (maybe the same) depending on a condition.
 */
function mapPointer(host: KernelHost, pointer: number, other: number | undefined): void {
  const { rng } = host;
  const c = rng.below(100);
  if (c < 15) {
    const holder = host.target([1, 2, 3, 4, 5]);
    lddw(host, holder, pointer);
    host.emit(insn(ALU64 | AluOp.MOV | Source.X, 1, holder, 0, 0));
    host.opaque(1);
    host.count('lookup-map-copied');
  } else if (c < 30 && other !== undefined) {
    const condition = host.condition(KEEP);
    lddw(host, 1, pointer);
    const join = host.label();
    host.jump(join, condition);
    lddw(host, 1, rng.chance(0.3) ? pointer : other);
    host.place(join);
    host.count('lookup-map-two-paths');
  } else {
    lddw(host, 1, pointer);
  }
}

/** if r0 == 0 goto skip; an access to the value at r0 (within `valueSize` bytes); skip: */
function valueAccess(host: KernelHost, valueSize: number): void {
  const { rng } = host;
  const skip = host.label();
  host.jump(skip, { opcode: InsnClass.JMP | JmpOp.JEQ | Source.K, dst: 0, src: 0, imm: 0 });
  const size = rng.pick([Size.B, Size.H, Size.W, Size.DW]);
  const bytes = { [Size.B]: 1, [Size.H]: 2, [Size.W]: 4, [Size.DW]: 8 }[size];
  const off = bytes * rng.below(Math.floor(valueSize / bytes));
  switch (rng.below(4)) {
    case 0: {
      const x = host.target([0]);
      host.emit(insn(InsnClass.LDX | Mode.MEM | size, x, 0, off, 0));
      host.computed(x);
      break;
    }
    case 1: {
      const x = host.target([0]);
      host.emit(insn(InsnClass.LDX | Mode.MEM | size, x, 0, off, 0));
      host.emit(insn(ALU64 | AluOp.ADD | Source.K, x, 0, 0, rng.range(1, 1000)));
      host.emit(insn(InsnClass.STX | Mode.MEM | size, 0, x, off, 0));
      host.computed(x);
      break;
    }
    case 2:
      host.emit(insn(InsnClass.STX | Mode.MEM | size, 0, host.scalar([0]), off, 0));
      break;
    default: {
      const wide = size === Size.DW && off % 8 === 0 ? Size.DW : Size.W;
      const at = wide === Size.DW ? off : 4 * rng.below(Math.floor(valueSize / 4));
      host.emit(insn(InsnClass.STX | Mode.ATOMIC | wide, 0, host.scalar([0]), at, AtomicOp.ADD));
    }
  }
  host.count('lookup-value-access');
  host.place(skip);
}

/** bpf_map_lookup_elem on one of the fixture's maps, and what a program does with the result. */
export function mapLookup(host: KernelHost): void {
  const { rng } = host;
  host.beforeCall();
  const which = rng.weighted({ array: 5, percpu: 3, arrayOfMaps: 2, hash: 4 });
  if (which === 'arrayOfMaps') {
    key(host, FIXTURE_ARRAY_OF_MAPS.maxEntries);
    mapPointer(host, FIXTURE_ARRAY_OF_MAPS.pointer, undefined);
    host.emit(insn(CALL, 0, PseudoCall.HELPER, 0, HelperId.map_lookup_elem));
    host.count('lookup-array-of-maps');
    host.afterCall();
    if (rng.chance(0.5)) {
      // The inner map found: a lookup the JIT cannot prove (its map is not a constant).
      const skip = host.label();
      host.jump(skip, { opcode: InsnClass.JMP | JmpOp.JEQ | Source.K, dst: 0, src: 0, imm: 0 });
      host.beforeCall();
      key(host, FIXTURE_PERCPU.maxEntries);
      host.emit(insn(ALU64 | AluOp.MOV | Source.X, 1, 0, 0, 0));
      host.opaque(1);
      host.emit(insn(CALL, 0, PseudoCall.HELPER, 0, HelperId.map_lookup_elem));
      host.afterCall();
      host.count('lookup-inner-map');
      host.place(skip);
    }
    return;
  }
  const map = which === 'array' ? FIXTURE_ARRAY : which === 'percpu' ? FIXTURE_PERCPU : FIXTURE_HASH;
  const other = rng.pick(VALUE_MAPS.filter((m) => m !== map));
  key(host, map.kind === 'hash' ? map.keys : map.maxEntries);
  mapPointer(host, map.pointer, other.pointer);
  host.emit(insn(CALL, 0, PseudoCall.HELPER, 0, HelperId.map_lookup_elem));
  host.count(which === 'array' ? 'lookup-array' : which === 'percpu' ? 'lookup-percpu' : 'lookup-hash');
  host.afterCall();
  // Within every map's values: r1 may have been either of two.
  valueAccess(host, Math.min(...VALUE_MAPS.map((m) => m.valueSize)));
}
