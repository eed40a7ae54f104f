import { type Instruction, assemble } from '@bpfhive/uapi';
import type { Prng } from '../prng.js';

/**
 * Random XDP programs for verifier soundness fuzzing: straight-line fragments that a real program
 * is made of (packet bounds checks and accesses, variable packet offsets, stack stores and loads,
 * context reads, scalar arithmetic, forward branches, bounded loops, helper calls), each with a
 * chance of being subtly wrong (an off-by-one bound, an unchecked access, an unbounded offset, a
 * read of an unwritten stack slot), so that the verifier has to tell them apart. Same seed, same
 * program. Only uapi's assembler is used: any package's tests may take it.
 *
 * A program draws a fault rate (none for a third of them), the chance that each choice in a
 * fragment is the wrong one.
 *
 * Registers by convention, which fragments may break: r6 the context, r2 data, r3 data_end (both
 * reloaded after a call clobbers them); r0, r4, r5, r7, r8, r9 scratch.
 */

/**
 * The helpers a generated program may call: bpf_map_lookup_elem (1), bpf_get_smp_processor_id (8).
 * Not bpf_get_prandom_u32: each engine has its own generator state, so the JIT could not be
 * compared with the interpreter on its result.
 */
export const GENERATED_HELPERS = [1, 8] as const;

/** The one map a generated program may name (`ld_pseudo rX, 1, id`): an array of 4 values of 16 bytes. */
export const GENERATED_ARRAY_MAP = { map_id: 1, map_type: 2, key_size: 4, value_size: 16, max_entries: 4, map_flags: 0 } as const;

const SCRATCH = ['r0', 'r4', 'r5', 'r7', 'r8', 'r9'] as const;
const ANY = ['r0', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9'] as const;
const ALU = ['+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=', 's>>='] as const;
const CMP = ['==', '!=', '>', '>=', '<', '<=', 's>', 's>=', 's<', 's<='] as const;
const SIZES = [
  ['u8', 1],
  ['u16', 2],
  ['u32', 4],
  ['u64', 8],
] as const;

/** A few lines of assembly (one slot each). */
type Fragment = string[];

/** `(reg + off)` or `(reg - off)`, as the assembler reads an address. */
const at = (reg: string, off: number): string => (off < 0 ? `(${reg} - ${-off})` : `(${reg} + ${off})`);

/** Scratch registers that held pointers made scalars again (mostly: leaving a pointer tempts the verifier). */
const scalarAgain = (rand: Prng, fault: number, ...regs: string[]): Fragment => (!rand.chance(fault) ? regs.map((r) => `${r} = ${rand.int(0, 64)}`) : []);

const reloadPacket = (): Fragment => ['r2 = *(u32 *)(r6 + 0)', 'r3 = *(u32 *)(r6 + 4)'];

/** A small number, now and then an edge value. */
function smallImm(rand: Prng): number {
  return rand.chance(0.15) ? rand.pick([0, -1, 1, 0x7fffffff, -0x80000000, 255, 256, 4095, 4096]) : rand.int(-64, 64);
}

/** `dst op= src|imm` on scalars, 64- or 32-bit. */
function alu(rand: Prng, _fault: number): Fragment {
  const dst = rand.pick(SCRATCH);
  const op = rand.pick(ALU);
  const wide = rand.chance(0.7);
  const reg = (r: string) => (wide ? r : r.replace('r', 'w'));
  if (rand.chance(0.2)) return [`${reg(dst)} = ${smallImm(rand)}`];
  const shift = op.includes('<') || op.includes('>');
  const imm = shift ? rand.int(0, wide ? 63 : 31) : op === '/=' || op === '%=' ? rand.int(1, 100) : smallImm(rand);
  const src = rand.chance(0.4) ? reg(rand.pick(SCRATCH)) : String(imm);
  return [`${reg(dst)} = ${rand.int(0, 1000)}`, `${reg(dst)} ${op} ${src}`];
}

/** Bounds check data + n against data_end, then accesses at offsets that should fit (or, sometimes, do not). */
function packetAccess(rand: Prng, fault: number): Fragment {
  const n = rand.pick([1, 2, 4, 8, 14, 20, 34, 64]);
  const [size, bytes] = rand.pick(SIZES);
  const fits = Math.max(0, n - bytes);
  const off = !rand.chance(fault) ? rand.int(0, fits) : rand.pick([fits + 1, n, -1, n + 8]);
  const body: Fragment = [];
  const dst = rand.pick(SCRATCH);
  if (rand.chance(0.3)) body.push(`*(${size} *)${at('r2', off)} = ${rand.pick([dst, String(smallImm(rand))])}`);
  else body.push(`${dst} = *(${size} *)${at('r2', off)}`);
  const cmp = !rand.chance(fault) ? '>' : rand.pick(['>=', '<', '!=']);
  const skip = !rand.chance(fault) ? body.length : 0;
  return ['r4 = r2', `r4 += ${n}`, `if r4 ${cmp} r3 goto +${skip}`, ...body, ...scalarAgain(rand, fault, 'r4')];
}

/** A packet pointer moved by a scalar read from the packet, masked (or not), then checked and read. */
function variableOffset(rand: Prng, fault: number): Fragment {
  const mask = rand.chance(fault) ? -1 : rand.pick([0x7, 0xf, 0xff, 0xffff]);
  const lines: Fragment = ['r4 = r2', 'r4 += 1', 'if r4 > r3 goto +8', 'r5 = *(u8 *)(r2 + 0)'];
  lines.push(mask === -1 || rand.chance(fault) ? 'r5 += 0' : `r5 &= ${mask}`);
  const [size, bytes] = rand.pick(SIZES);
  const room = !rand.chance(fault) ? bytes : bytes - 1;
  lines.push('r4 = r2', 'r4 += r5', 'r7 = r4', `r7 += ${room}`, `if r7 > r3 goto +1`, `r0 = *(${size} *)(r4 + 0)`);
  // 11 lines; the first check skips the 8 after it.
  return [...lines, ...scalarAgain(rand, fault, 'r4', 'r7')];
}

/** Stores to and loads from the stack; a load may hit a slot nothing wrote. */
function stack(rand: Prng, fault: number): Fragment {
  const [size, bytes] = rand.pick(SIZES);
  const slot = -bytes * rand.int(1, Math.floor(64 / bytes));
  const lines: Fragment = [];
  if (rand.chance(0.7)) lines.push(`*(${size} *)${at('r10', slot)} = ${rand.chance(0.5) ? rand.pick(SCRATCH) : String(smallImm(rand))}`);
  if (rand.chance(0.7)) {
    const off = !rand.chance(fault) ? slot : -bytes * rand.int(1, Math.floor(64 / bytes));
    lines.push(`${rand.pick(SCRATCH)} = *(${size} *)${at('r10', off)}`);
  }
  if (rand.chance(fault / 3)) lines.push(`*(u64 *)${at('r10', -8 * rand.int(1, 8))} = r2`, `r9 = *(u64 *)${at('r10', -8 * rand.int(1, 8))}`);
  return lines;
}

/** A packet pointer spilled to the stack and filled back (after, now and then, a partial overwrite), then used. */
function spillFill(rand: Prng, fault: number): Fragment {
  const n = rand.pick([2, 4, 8]);
  const lines: Fragment = ['*(u64 *)(r10 - 16) = r2'];
  if (rand.chance(fault)) lines.push(`*(${rand.pick(['u8', 'u32'])} *)(r10 - ${rand.pick([16, 12])}) = ${smallImm(rand)}`);
  lines.push('r4 = *(u64 *)(r10 - 16)', 'r5 = r4', `r5 += ${n}`, 'if r5 > r3 goto +1', `r7 = *(u8 *)(r4 + ${rand.int(0, n - 1)})`, 'r4 = 0', 'r5 = 0');
  return lines;
}

/** A read of an xdp_md field (data_meta, ingress_ifindex, rx_queue_index, egress_ifindex), or of a bad offset. */
function context(rand: Prng, fault: number): Fragment {
  const off = !rand.chance(fault) ? rand.pick([8, 12, 16, 20]) : rand.pick([2, 24, 28, -4]);
  return [`${rand.pick(SCRATCH)} = *(u32 *)${at('r6', off)}`];
}

/** A forward branch over the next few instructions of this fragment. */
function branch(rand: Prng, fault: number): Fragment {
  const inner = alu(rand, fault);
  const left = rand.pick(!rand.chance(fault) ? SCRATCH : ANY);
  const right = rand.chance(0.6) ? String(smallImm(rand)) : rand.pick(!rand.chance(fault) ? SCRATCH : ANY);
  return [`if ${left} ${rand.pick(CMP)} ${right} goto +${inner.length}`, ...inner];
}

/** A counted loop: r8 from 0 up to a bound, compared one way or another. */
function loop(rand: Prng, fault: number): Fragment {
  const bound = rand.int(1, 24);
  const body = alu(rand, fault).filter((l) => !l.startsWith('r8') && !l.startsWith('w8'));
  // Faulty bounds stay finite (an endless loop only costs the verifier its 1M-instruction walk).
  const cmp = !rand.chance(fault) ? 'r8 <' : rand.pick(['r8 <=', 'r8 s<', 'w8 <', 'w8 s<=']);
  const cond = `if ${cmp} ${bound} goto -${body.length + 2}`;
  return ['r8 = 0', ...body, 'r8 += 1', cond];
}

/**
 * bpf_map_lookup_elem on GENERATED_ARRAY_MAP with a key on the stack (now and then out of range),
 * then, after a null check (now and then missing), accesses to the value at offsets that fit (now
 * and then not).
 */
function arrayLookup(rand: Prng, fault: number): Fragment {
  const { map_id, max_entries, value_size } = GENERATED_ARRAY_MAP;
  const key = !rand.chance(fault) ? rand.int(0, max_entries - 1) : rand.pick([max_entries, -1, 1000]);
  const lines: Fragment = [`*(u32 *)(r10 - 4) = ${key}`, 'r2 = r10', 'r2 += -4', `ld_pseudo r1, 1, ${map_id}`, 'call 1'];
  const body: Fragment = [];
  for (let n = rand.int(1, 3); n > 0; n--) {
    const [size, bytes] = rand.pick(SIZES);
    const off = !rand.chance(fault) ? rand.int(0, value_size - bytes) : rand.pick([value_size - bytes + 1, value_size, -bytes]);
    if (rand.chance(0.4)) body.push(`*(${size} *)${at('r0', off)} = ${rand.chance(0.5) ? rand.pick(['r7', 'r8', 'r9']) : String(smallImm(rand))}`);
    else body.push(`${rand.pick(['r7', 'r8', 'r9'])} = *(${size} *)${at('r0', off)}`);
  }
  if (!rand.chance(fault)) lines.push(`if r0 == 0 goto +${body.length}`);
  lines.push(...body, ...reloadPacket(), 'r4 = 0', 'r5 = 0', `r0 = ${rand.int(0, 64)}`);
  return lines;
}

/** A jump to the end of the fragment (offset filled in by `withGuards`), or a plain line. */
type Step = string | { readonly guard: string };

/** The lines of `steps`, each guard jumping past the last line. */
function withGuards(steps: readonly Step[]): Fragment {
  return steps.map((step, i) => (typeof step === 'string' ? step : `${step.guard} goto +${steps.length - i - 1}`));
}

/**
 * Ways to bound (or seem to bound) r7: 32- and 64-bit, signed and unsigned guards, masks, shifts,
 * sign extensions, signed division, a spill to the stack and a (maybe narrower) fill.
 */
function bound(rand: Prng, fault: number): Step[] {
  const k = rand.chance(0.7) ? rand.int(0, 20) : rand.pick([0x7fffffff, -1, -16, 255, 0xffff]);
  switch (rand.below(11)) {
    case 8:
      return [rand.pick(['r7 = (s8)r7', 'r7 = (s16)r7', 'r7 = (s32)r7', 'w7 = (s8)w7', 'w7 = (s16)w7'])];
    case 9:
      return [`${rand.pick(['r7', 'w7'])} ${rand.pick(['s/=', 's%=', '/=', '%='])} ${rand.pick([1, 3, 5, -2, -7])}`];
    case 10: {
      const fill = rand.chance(fault) ? rand.pick(['u32', 'u16', 'u8']) : 'u64';
      return ['*(u64 *)(r10 - 24) = r7', `r7 = *(${fill} *)(r10 - 24)`];
    }
    default:
      return [boundStep(rand, fault, k)];
  }
}

function boundStep(rand: Prng, fault: number, k: number): Step {
  switch (rand.below(8)) {
    case 0:
      return { guard: `if r7 ${rand.pick(['>', '>=', 's>', 's>='])} ${k}` };
    case 1:
      return { guard: `if w7 ${rand.pick(['>', '>=', 's>', 's>='])} ${k}` };
    case 2:
      return { guard: `if r7 ${rand.pick(['<', '<=', 's<', 's<='])} ${k}` };
    case 3:
      return { guard: `if w7 ${rand.pick(['<', '<=', 's<', 's<='])} ${k}` };
    case 4:
      return `r7 &= ${rand.chance(fault) ? rand.pick([-1, 0x7fffffff]) : rand.pick([1, 3, 7, 15])}`;
    case 5:
      return `w7 ${rand.pick(['>>=', '<<=', 's>>='])} ${rand.int(0, 31)}`;
    case 6:
      return `r7 ${rand.pick(['+=', '-='])} ${rand.int(-8, 8)}`;
    default:
      return `w7 = w7`;
  }
}

/**
 * A map value pointer moved by a scalar read from the map (random contents), after a few bounds
 * and masks that may or may not keep it inside the value: the verifier's range tracking (tnums,
 * 32/64-bit bounds, signed and unsigned) decides, and the checked run sees the real offset.
 */
function mapValueOffset(rand: Prng, fault: number): Fragment {
  const { map_id, value_size } = GENERATED_ARRAY_MAP;
  const [size] = rand.pick(SIZES);
  const steps: Step[] = ['*(u32 *)(r10 - 4) = 0', 'r2 = r10', 'r2 += -4', `ld_pseudo r1, 1, ${map_id}`, 'call 1', { guard: 'if r0 == 0' }];
  // Now and then the value is bumped atomically first, 32- or 64-bit.
  if (rand.chance(0.2)) steps.push('r9 = 1', rand.pick(['lock *(u64 *)(r0 + 8) += r9', 'lock *(u32 *)(r0 + 8) += w9']));
  steps.push(`r7 = *(${rand.pick(['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32'])} *)(r0 + ${rand.pick([0, 8])})`);
  for (let n = rand.int(1, 4); n > 0; n--) steps.push(...bound(rand, fault));
  steps.push('r8 = r0', 'r8 += r7', `r9 = *(${size} *)${at('r8', rand.chance(fault) ? value_size - 1 : rand.int(0, 3))}`);
  return [...withGuards(steps), ...reloadPacket(), 'r4 = 0', 'r5 = 0', 'r8 = 0', `r0 = ${rand.int(0, 64)}`];
}

/** A helper call (bpf_get_smp_processor_id); r1..r5 are clobbered, so the packet pointers are reloaded (or, sometimes, not). */
function helper(rand: Prng, fault: number): Fragment {
  const lines = ['call 8'];
  if (!rand.chance(fault)) lines.push(...reloadPacket());
  if (!rand.chance(fault)) lines.push('r4 = 0', 'r5 = 0');
  if (rand.chance(0.3)) lines.push(`r4 = r0`, `r4 &= ${rand.pick([3, 15, 63])}`);
  return lines;
}

/** Pointer arithmetic the verifier must refuse or bound: a scalar added to data, then a checked read. */
function pointerMath(rand: Prng, fault: number): Fragment {
  const scalar = rand.pick(SCRATCH.filter((r) => r !== 'r4'));
  return ['r4 = r2', `r4 += ${scalar}`, 'r5 = r4', 'r5 += 1', 'if r5 > r3 goto +1', 'r0 = *(u8 *)(r4 + 0)', ...scalarAgain(rand, fault, 'r4', 'r5')];
}

const FRAGMENTS: readonly [number, (rand: Prng, fault: number) => Fragment][] = [
  [4, alu],
  [5, packetAccess],
  [2, variableOffset],
  [3, stack],
  [2, context],
  [3, branch],
  [1, loop],
  [1, helper],
  [1, pointerMath],
  [2, arrayLookup],
  [3, mapValueOffset],
  [1, spillFill],
];
const TOTAL_WEIGHT = FRAGMENTS.reduce((n, [w]) => n + w, 0);

function fragment(rand: Prng, fault: number): Fragment {
  let pick = rand.below(TOTAL_WEIGHT);
  for (const [weight, make] of FRAGMENTS) {
    if (pick < weight) return make(rand, fault);
    pick -= weight;
  }
  throw new Error('unreachable');
}

/** The program's assembly text (llvm syntax): the prologue, 1 to 12 fragments, a verdict in r0. */
export function randomXdpText(rand: Prng): string {
  // How often a fragment goes subtly wrong: never in a third of the programs, which the verifier should accept.
  const fault = rand.chance(0.35) ? 0 : rand.pick([0.03, 0.1, 0.2]);
  const lines: Fragment = ['r6 = r1', ...reloadPacket()];
  // Scratch registers start set, each now and then left unset (reading one must be refused).
  for (const r of SCRATCH) if (!rand.chance(fault)) lines.push(`${r} = ${rand.int(0, 64)}`);
  for (let i = rand.int(1, 12); i > 0; i--) lines.push(...fragment(rand, fault));
  if (rand.chance(0.8)) lines.push(`r0 = ${rand.int(0, 4)}`);
  else if (rand.chance(0.5)) lines.push('r0 &= 3');
  lines.push('exit');
  return lines.join('\n');
}

/** A random XDP program (randomXdpText, assembled). */
export function randomXdpProgram(rand: Prng): Instruction[] {
  return assemble(randomXdpText(rand), { syntax: 'llvm' });
}
