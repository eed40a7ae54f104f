import { type Instruction, asm } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Interpreter } from '../interp/index.js';
import { type FunctionCfg, buildProgramCfg } from './cfg.js';
import { compile } from './compile.js';
import { JitProgram } from './runtime.js';
import { MEMSUM } from '../testing/memsum.js';
import { UNROLL_GROWTH_INSNS, UNROLL_MAX_COPIES, UNROLL_MAX_INSNS, unrollCopies, unrollLoops } from './unroll.js';

/** Blocks the unroller adds to the entry function of `program`. */
function added(program: readonly Instruction[]): number {
  const fn = buildProgramCfg(program).functions[0]!;
  return unrollLoops(fn, program).blocks.length - fn.blocks.length;
}

const FP = 0x3000n;
const NEGATE: Record<string, string> = { '<': '>=', '<=': '>', '!=': '==', 's<': 's>=', 's<=': 's>', '>': '<=', '>=': '<', 's>': 's<=', 's>=': 's<' };
const INPUT = 0x4000;

/** r0 of the program on the interpreter and on the JIT (run and run_batch), over the same input. */
function results(program: readonly Instruction[], input: Uint8Array, r2: bigint): { interp: bigint; jit: bigint; batch: bigint } {
  const interp = new Interpreter(program).run(input).r0; // r1 = the input, r2 = its length
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const jitProgram = new JitProgram(compile(program), { memory });
  new Uint8Array(memory.buffer).set(input, INPUT);
  const jit = jitProgram.run([BigInt(INPUT), r2], FP);
  new Uint8Array(memory.buffer).set(input, INPUT);
  return { interp, jit, batch: r2 === 0n ? batchOf(jitProgram, memory) : jit };
}

function batchOf(jit: JitProgram, memory: WebAssembly.Memory): bigint {
  jit.runBatch(INPUT, 0, 1, 0x8000, FP);
  return new BigUint64Array(memory.buffer, 0x8000, 1)[0]!;
}

const words = (n: number): Uint8Array => {
  const bytes = new Uint8Array(8 * n);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) view.setBigUint64(8 * i, BigInt(i + 1) * 0x0101_0000_0001n + BigInt(i * i), true);
  return bytes;
};

/** The unrolled CFG of the entry function of `program`. */
function unrolled(program: readonly Instruction[]): FunctionCfg {
  return unrollLoops(buildProgramCfg(program).functions[0]!, program);
}


describe('loop unrolling', () => {
  it('copies a small innermost loop up to 8 times, fewer the larger it is', () => {
    expect([1, 6, 12, 13, 24, 25, 48, 49].map(unrollCopies)).toEqual([UNROLL_MAX_COPIES, 8, 8, 7, 4, 3, 2, 1]);
    // A loop with an if/else inside is no chain: it is unrolled, not versioned.
    const branchy = asm`
      r0 = 0
      r6 = 9
      loop:
      if r6 & 1 goto odd
      r0 += r6
      goto next
      odd:
      r0 ^= r6
      next:
      r6 -= 1
      if r6 != 0 goto loop
      exit`;
    expect(added(branchy)).toBe(4 * (unrollCopies(5) - 1));
    expect(unrolled(branchy).blocks.some((b) => b.fast)).toBe(false);
  });

  it('versions a counted loop: a test and a straight-line block of 16, 8, 4 and 2 trips, the loop unrolled for the rest', () => {
    const cfg = unrolled(MEMSUM);
    const fast = cfg.blocks.filter((b) => b.fast);
    expect(fast.map((f) => f.body.length)).toEqual([16 * 5, 8 * 5, 4 * 5, 2 * 5]); // no tests in between
    expect(fast[0]!.fast).toEqual({ counters: [1, 3], sums: [4], folded: [1] });
    // The order r3 < r2 (it is the latch test: F goes back past it), then per level: r2 - r3
    // more than the trips F leaves the test out for, and u32(r1) + the last offset no carry.
    const checks = cfg.blocks.flatMap((b) => (b.term.kind === 'cond' && b.term.check ? [b.term.check] : []));
    const level = (trips: number) => [
      { left: 2, minus: 3, op: 'gt_u', right: { imm: BigInt(trips - 1) } },
      { left: 1, op: 'le_u', right: { imm: 0xffff_ffffn - BigInt(8 * (trips - 1)) }, low32: true },
    ];
    expect(checks).toEqual([{ left: 3, op: 'lt_u', right: { reg: 2 } }, ...level(16), ...level(8), ...level(4), ...level(2)]);
    const f16 = fast[0]!;
    const order = cfg.blocks.find((b) => b.term.kind === 'cond' && b.term.check?.op === 'lt_u')!;
    expect(f16.term).toMatchObject({ kind: 'cond', taken: order.id + 1 }); // back past the order
    // The order, 4 × (2 checks and F), 7 more copies of the loop.
    expect(cfg.blocks.length - buildProgramCfg(MEMSUM).functions[0]!.blocks.length).toBe(1 + 4 * 3 + 7);
  });

  it('leaves loops alone that have two latches, nest a loop, call out or are large', () => {
    const twoLatches = asm`
      r0 = 0
      loop:
      r0 += 1
      if r0 == 3 goto loop
      if r0 < 10 goto loop
      exit`;
    expect(added(twoLatches)).toBe(0);
    const nested = asm`
      r0 = 0
      r6 = 4
      outer:
      r7 = 3
      inner:
      r0 += r7
      r7 -= 1
      if r7 != 0 goto inner
      r6 -= 1
      if r6 s> 0 goto outer
      exit`;
    // The inner loop only: it is versioned (F blocks of 16, 8, 4, 2 trips), the outer one is left alone.
    expect(unrolled(nested).blocks.filter((b) => b.fast).map((b) => b.body.length)).toEqual([32, 16, 8, 4]);
    const calls = asm`
      r6 = 5
      loop:
      call 1
      r6 -= 1
      if r6 != 0 goto loop
      exit`;
    expect(added(calls)).toBe(0);
    const large = asm`${['r0 = 0', 'r6 = 5', 'loop:', ...Array.from({ length: UNROLL_MAX_INSNS }, () => 'r0 += 3'), 'r6 -= 1', 'if r6 != 0 goto loop', 'exit'].join('\n')}`;
    expect(added(large)).toBe(0);
  });

  it('versioned loops leave after the same trips as the interpreter, counters next to every wrap', () => {
    // A counter r1 against a bound (a constant, r2, or r2 on the left), stepping up or down,
    // from values next to where unsigned and signed comparisons wrap; a guard r9 ends every loop
    // within 60 trips (a second test F leaves out). r0 sees every counter value.
    const starts = [0n, -3n, (1n << 31n) - 4n, (1n << 63n) - 12n, -(1n << 63n) + 3n, (1n << 64n) - 12n, (1n << 32n) - 9n];
    const ops = ['<', '<=', '!=', 's<', 's<=', '>', '>=', 's>', 's>='];
    const swapped: Record<string, string> = { '<': '>', '<=': '>=', '!=': '!=', 's<': 's>', 's<=': 's>=', '>': '<', '>=': '<=', 's>': 's<', 's>=': 's<=' };
    const mismatches: string[] = [];
    let programs = 0;
    for (const start of starts) {
      for (const inc of [1, -2]) {
        for (const trips of [0, 1, 7, 8, 9, 16, 17]) {
          for (const op of ops) {
            const bound = BigInt.asIntN(64, start + BigInt(inc * trips));
            const imm = bound >= -(1n << 31n) && bound < 1n << 31n;
            for (const form of imm ? ['imm', 'reg', 'swapped', 'exit'] : ['reg', 'swapped', 'exit']) {
              const test =
                form === 'imm'
                  ? `if r1 ${op} ${bound} goto loop`
                  : form === 'reg'
                    ? `if r1 ${op} r2 goto loop`
                    : form === 'swapped'
                      ? `if r2 ${swapped[op]} r1 goto loop`
                      : `if r1 ${NEGATE[op]} r2 goto out\ngoto loop`;
              const text = [
                'r0 = 0',
                'r9 = 0',
                `r1 = ${BigInt.asIntN(64, start)} ll`,
                `r2 = ${bound} ll`,
                'loop:',
                'r0 += r1',
                'r0 *= 3',
                'r9 += 1',
                'if r9 > 60 goto out',
                `r1 += ${inc}`,
                test,
                'out:',
                'r0 += r1',
                'r0 ^= r9',
                'exit',
              ].join('\n');
              const program = asm`${text}`;
              programs++;
              const { interp, jit } = results(program, new Uint8Array(8), 0n);
              if (interp !== jit) mismatches.push(`${text.replace(/\n/g, '; ')}: interp ${interp}, jit ${jit}`);
            }
          }
        }
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(programs).toBeGreaterThan(2000);
  }, 180_000); // hundreds of compiles: slow on a loaded 2-core machine, never a timing check

  it(`adds at most ${UNROLL_GROWTH_INSNS} instructions to a function, however many loops it has`, () => {
    const lines = ['r0 = 0'];
    for (let k = 0; k < 300; k++) lines.push(`r6 = ${(k % 20) + 1}`, `l${k}:`, 'r0 += r6', 'r6 -= 1', `if r6 != 0 goto l${k}`);
    lines.push('exit');
    const program = asm`${lines.join('\n')}`;
    const size = (cfg: FunctionCfg): number => cfg.blocks.reduce((n, b) => n + b.body.length + (b.term.kind === 'cond' ? 1 : 0), 0);
    const before = buildProgramCfg(program).functions[0]!;
    const after = unrolled(program);
    expect(size(after) - size(before)).toBeGreaterThan(UNROLL_GROWTH_INSNS / 2);
    expect(size(after) - size(before)).toBeLessThanOrEqual(UNROLL_GROWTH_INSNS);
    const { interp, jit } = results(program, new Uint8Array(8), 0n);
    expect(jit).toBe(interp);
  });

  it('exits from every copy after the same number of trips', () => {
    const sum = asm`
      r0 = 0
      if r2 < 8 goto out
      r2 >>= 3
      r3 = 0
      r4 = 0
      loop:
      r0 = *(u64 *)(r1 + 0)
      r0 += r4
      r1 += 8
      r3 += 1
      r4 = r0
      if r3 < r2 goto loop
      out:
      exit`;
    for (let n = 0; n <= 5 * UNROLL_MAX_COPIES; n++) {
      const { interp, jit } = results(sum, words(n), BigInt(8 * n));
      expect(jit, `${n} words`).toBe(interp);
    }
  });

  it('keeps breaks, merges inside the body and exits from the middle per copy', () => {
    // The checksum loop of bench/programs/parse.c: a break test in the middle, then the latch;
    // an if/else inside, and an early exit from the function.
    const program = asm`
      r5 = *(u8 *)(r1 + 0)
      r6 = 0
      r0 = 0
      r4 = r1
      loop:
      r7 = *(u16 *)(r4 + 0)
      if r7 == 0xdead goto bail
      if r7 & 1 goto odd
      r6 += r7
      goto join
      odd:
      r6 ^= r7
      join:
      if r0 > 28 goto done
      r4 += 2
      r0 += 1
      if r0 < r5 goto loop
      done:
      r0 = r6
      exit
      bail:
      r0 = 99
      exit`;
    for (const trips of [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 15, 16, 17, 29, 30, 31]) {
      for (const bail of [-1, 0, 1, 2, 3, 5, 7, 8, 9, 16, 17]) {
        const input = new Uint8Array(64);
        const view = new DataView(input.buffer);
        for (let i = 0; i < 30; i++) view.setUint16(2 * i, (i * 7919 + 3) & 0xffff, true);
        input[0] = trips;
        if (bail >= 0) view.setUint16(2 * bail, 0xdead, true);
        const { interp, jit, batch } = results(program, input, 0n);
        expect(jit, `${trips} trips, bail at ${bail}`).toBe(interp);
        expect(batch).toBe(interp);
      }
    }
  });

  it('keeps may_goto per trip: the budget runs out after as many trips as without unrolling', () => {
    const program = asm`
      r0 = 0
      again:
      may_goto out
      r0 += 1
      goto again
      out:
      exit`;
    expect(added(program)).toBe(2 * (unrollCopies(2) - 1)); // the may_goto block and the latch
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const jit = new JitProgram(compile(program), { memory });
    expect(jit.run([], FP)).toBe(8n * 1024n * 1024n);
    // run_batch restores the budget for every run.
    jit.runBatch(0, 0, 3, 0x8000, FP);
    expect([...new BigUint64Array(memory.buffer, 0x8000, 3)]).toEqual([8n << 20n, 8n << 20n, 8n << 20n]);
  });

  it('unrolls an inner loop inside an outer one, with exits to the outer loop', () => {
    const program = asm`
      r0 = 0
      r6 = 7
      outer:
      r7 = r6
      inner:
      r0 += r7
      if r0 > 1000 goto next
      r7 -= 1
      if r7 s> 0 goto inner
      next:
      r0 *= 3
      r6 -= 1
      if r6 s> 0 goto outer
      exit`;
    expect(added(program)).toBeGreaterThan(0);
    const { interp, jit, batch } = results(program, new Uint8Array(8), 0n);
    expect(jit).toBe(interp);
    expect(batch).toBe(interp);
  });

  it('runs a loop in a bpf-to-bpf callee unrolled, with its own stack frame', () => {
    const program = asm`
      r1 = 6
      call count
      r6 = r0
      r1 = 3
      call count
      r0 += r6
      exit
      count:
      *(u64 *)(r10 - 8) = r1
      r0 = 0
      loop:
      r2 = *(u64 *)(r10 - 8)
      r0 += r2
      r2 -= 1
      *(u64 *)(r10 - 8) = r2
      if r2 != 0 goto loop
      exit`;
    const { interp, jit, batch } = results(program, new Uint8Array(8), 0n);
    expect(jit).toBe(21n + 6n);
    expect(interp).toBe(jit);
    expect(batch).toBe(jit);
  });
});
