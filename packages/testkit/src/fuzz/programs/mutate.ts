import { type Instruction, LD_IMM64, insn } from '@bpfhive/uapi';
import { INTERESTING_32 } from '../interesting.js';
import type { Prng } from '../prng.js';

/**
 * Mutations of an instruction stream for verifier soundness fuzzing: small, valid-looking edits
 * of a program (a random one or a real one from an object file) that move a bound by one, point
 * an access elsewhere, swap a register, a comparison, an access size or an ALU operation, drop,
 * repeat or swap instructions. The stream stays decodable (a `lddw` stays one instruction), so
 * most mutants reach the verifier's deeper checks instead of its decoder.
 */

/** BPF_JMP / BPF_JMP32 comparison ops (the high nibble), not JA, CALL or EXIT. */
const JUMP_OPS = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0];
/** BPF_ALU / BPF_ALU64 ops (the high nibble), not NEG, END or MOV. */
const ALU_OPS = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xc0];
/** BPF_B, BPF_H, BPF_W, BPF_DW (bits 3-4). */
const SIZES = [0x10, 0x08, 0x00, 0x18];

const cls = (i: Instruction): number => i.opcode & 0x07;
const isCondJump = (i: Instruction): boolean => (cls(i) === 0x05 || cls(i) === 0x06) && JUMP_OPS.includes(i.opcode & 0xf0);
const isAlu = (i: Instruction): boolean => (cls(i) === 0x04 || cls(i) === 0x07) && ALU_OPS.includes(i.opcode & 0xf0);
const isMem = (i: Instruction): boolean => cls(i) >= 0x01 && cls(i) <= 0x03 && (i.opcode & 0xe0) === 0x60;

const withFields = (i: Instruction, f: Partial<Instruction>): Instruction => {
  const n = { ...i, ...f };
  return insn(n.opcode, n.dst, n.src, n.off, n.imm, n.imm2);
};

function nudge(rand: Prng, value: number): number {
  if (rand.chance(0.2)) return rand.pick(INTERESTING_32) | 0;
  return value + rand.pick([-8, -4, -2, -1, 1, 2, 4, 8]);
}

type Mutator = (rand: Prng, insns: Instruction[]) => void;

const MUTATORS: readonly Mutator[] = [
  // An offset moves: an access or a jump lands one or a few bytes (or instructions) away.
  (rand, p) => {
    const i = rand.below(p.length);
    if (p[i]!.opcode !== LD_IMM64) p[i] = withFields(p[i]!, { off: nudge(rand, p[i]!.off) });
  },
  // An immediate moves: a bound, a constant, a mask.
  (rand, p) => {
    const i = rand.below(p.length);
    if (p[i]!.opcode !== 0x85) p[i] = withFields(p[i]!, { imm: nudge(rand, p[i]!.imm) });
  },
  // A register changes.
  (rand, p) => {
    const i = rand.below(p.length);
    const which = rand.chance(0.5) ? 'dst' : 'src';
    if (p[i]!.opcode !== LD_IMM64 && p[i]!.opcode !== 0x85) p[i] = withFields(p[i]!, { [which]: rand.int(0, 10) });
  },
  // A comparison changes.
  (rand, p) => {
    const jumps = p.map((x, i) => (isCondJump(x) ? i : -1)).filter((i) => i >= 0);
    if (jumps.length === 0) return;
    const i = rand.pick(jumps);
    p[i] = withFields(p[i]!, { opcode: (p[i]!.opcode & 0x0f) | rand.pick(JUMP_OPS) });
  },
  // An ALU operation changes, or flips between 32 and 64 bits.
  (rand, p) => {
    const alus = p.map((x, i) => (isAlu(x) ? i : -1)).filter((i) => i >= 0);
    if (alus.length === 0) return;
    const i = rand.pick(alus);
    const op = p[i]!.opcode;
    p[i] = withFields(p[i]!, { opcode: rand.chance(0.7) ? (op & 0x0f) | rand.pick(ALU_OPS) : op ^ 0x03 });
  },
  // An access size changes.
  (rand, p) => {
    const mems = p.map((x, i) => (isMem(x) ? i : -1)).filter((i) => i >= 0);
    if (mems.length === 0) return;
    const i = rand.pick(mems);
    p[i] = withFields(p[i]!, { opcode: (p[i]!.opcode & ~0x18) | rand.pick(SIZES) });
  },
  // An instruction goes, is repeated, or trades places with its neighbour.
  (rand, p) => {
    if (p.length < 3) return;
    const i = rand.below(p.length - 1);
    const what = rand.below(3);
    if (what === 0) p.splice(i, 1);
    else if (what === 1) p.splice(i, 0, p[i]!);
    else [p[i], p[i + 1]] = [p[i + 1]!, p[i]!];
  },
];

/** `insns` with 1 to `max` mutations (a new array; the input is not changed). */
export function mutateInsns(rand: Prng, insns: readonly Instruction[], max = 3): Instruction[] {
  const out = [...insns];
  for (let n = rand.int(1, max); n > 0 && out.length > 0; n--) rand.pick(MUTATORS)(rand, out);
  return out;
}
