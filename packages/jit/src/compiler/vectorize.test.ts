import { type Instruction, asm, assemble } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Interpreter } from '../interp/index.js';
import { Rng } from '../differential/rng.js';
import { buildProgramCfg } from './cfg.js';
import { compile } from './compile.js';
import { JitExecutionError } from './run-errors.js';
import { JitProgram } from './runtime.js';
import { MEMSUM } from '../testing/memsum.js';
import { vectorizeLoops } from './vectorize.js';

/** The vector blocks vectorizeLoops puts in the entry function of `program`. */
function vectorBlocks(program: readonly Instruction[]): number {
  const fn = buildProgramCfg(program).functions[0]!;
  return vectorizeLoops(fn, program).blocks.filter((b) => b.vector !== undefined).length;
}

const FP = 0x3000n;
const INPUT = 0x4000;

/** r0 of the JIT (vectorized or not) with `input` at INPUT: r1 = INPUT, r2 = its length. */
function jitRun(program: readonly Instruction[], input: Uint8Array, vectorize: boolean, pages = 1): bigint {
  const compiled = compile(program, { vectorize, memory: { initial: pages, maximum: pages } });
  if (vectorize) expect(compiled.stats.vectorizedLoops).toBeGreaterThan(0);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  new Uint8Array(memory.buffer).set(input, INPUT);
  return new JitProgram(compiled, { memory }).run([BigInt(INPUT), BigInt(input.length)], FP);
}


describe('vectorizing reduction loops', () => {
  it('recognises sums, xors, ors and ands of u64 and u32 words over a counted loop', () => {
    expect(vectorBlocks(MEMSUM)).toBe(1);
    for (const op of ['+=', '^=', '|=', '&=']) {
      expect(vectorBlocks(asm`r3 = 0\nr0 = 0\nloop:\nr5 = *(u64 *)(r1 + 0)\nr0 ${op} r5\nr1 += 8\nr3 += 1\nif r3 < 100 goto loop\nexit`), op).toBe(1);
    }
    // 32-bit words and 32-bit arithmetic; a pointer compared with an end pointer; a count down.
    expect(vectorBlocks(asm`r0 = 0\nloop:\nr5 = *(u32 *)(r1 + 0)\nw0 += w5\nr1 += 4\nr2 -= 1\nif r2 != 0 goto loop\nexit`)).toBe(1);
    expect(vectorBlocks(asm`r0 = 0\nr4 = r1\nr4 += 800\nloop:\nr5 = *(s32 *)(r1 + 0)\nr0 ^= r5\nr1 += 4\nif r4 > r1 goto loop\nexit`)).toBe(1);
  });

  it('leaves loops alone that store, reach memory other than in a stream, branch inside or use a sum otherwise', () => {
    const rejected = [
      // an aliasing store: later words could be the ones it writes
      asm`r0 = 0\nr3 = 0\nloop:\nr5 = *(u64 *)(r1 + 8)\nr0 += r5\n*(u64 *)(r1 + 16) = r0\nr1 += 8\nr3 += 1\nif r3 < 100 goto loop\nexit`,
      // a stride that is not the word's size
      asm`r0 = 0\nr3 = 0\nloop:\nr5 = *(u64 *)(r1 + 0)\nr0 += r5\nr1 += 16\nr3 += 1\nif r3 < 100 goto loop\nexit`,
      // descending addresses
      asm`r0 = 0\nr3 = 0\nloop:\nr5 = *(u64 *)(r1 + 0)\nr0 += r5\nr1 -= 8\nr3 += 1\nif r3 < 100 goto loop\nexit`,
      // an early exit: two blocks
      asm`r0 = 0\nr3 = 0\nloop:\nr5 = *(u64 *)(r1 + 0)\nif r5 == 0 goto out\nr0 += r5\nr1 += 8\nr3 += 1\nif r3 < 100 goto loop\nout:\nexit`,
      // the sum read by something else than its own addition
      asm`r0 = 0\nr3 = 0\nloop:\nr5 = *(u64 *)(r1 + 0)\nr0 += r5\nr6 = r0\nr6 += 1\nr1 += 8\nr3 += 1\nif r3 < 100 goto loop\nexit`,
      // mixed operations on one accumulator
      asm`r0 = 0\nr3 = 0\nloop:\nr5 = *(u64 *)(r1 + 0)\nr0 += r5\nr0 ^= r5\nr1 += 8\nr3 += 1\nif r3 < 100 goto loop\nexit`,
      // 64-bit addition after a 32-bit one
      asm`r0 = 0\nr3 = 0\nloop:\nr5 = *(u64 *)(r1 + 0)\nw0 += w5\nr0 += r5\nr1 += 8\nr3 += 1\nif r3 < 100 goto loop\nexit`,
      // bytes, not words
      asm`r0 = 0\nr3 = 0\nloop:\nr5 = *(u8 *)(r1 + 0)\nr0 += r5\nr1 += 1\nr3 += 1\nif r3 < 100 goto loop\nexit`,
      // the bound moves
      asm`r0 = 0\nr3 = 0\nloop:\nr5 = *(u64 *)(r1 + 0)\nr0 += r5\nr1 += 8\nr3 += 1\nr2 += 1\nif r3 < r2 goto loop\nexit`,
      // a call in the loop
      asm`r0 = 0\nr6 = 0\nloop:\nr5 = *(u64 *)(r1 + 0)\nr6 += r5\nr1 += 8\ncall 5\nif r1 < r2 goto loop\nexit`,
    ];
    rejected.forEach((program, k) => expect(vectorBlocks(program), `program ${k}`).toBe(0));
  });

  it('memsum gives the interpreter\'s sum for every length, including remainders of the vector step', () => {
    const rng = new Rng(7);
    for (let words = 0; words <= 70; words++) {
      const input = rng.bytes(words * 8 + (words % 3));
      expect(jitRun(MEMSUM, input, true), `${words} words`).toBe(new Interpreter(MEMSUM).run(input).r0);
    }
  });

  it('random reduction loops agree with the interpreter: every register after the loop, misaligned bases, 32-bit forms', () => {
    const rng = new Rng(2026);
    for (let n = 0; n < 250; n++) {
      const shape = randomReduction(rng);
      const program = assemble(shape.text);
      expect(vectorBlocks(program), shape.text).toBe(1);
      const input = rng.bytes(shape.inputBytes);
      const want = new Interpreter(program).run(input).r0;
      expect(jitRun(program, input, true), shape.text).toBe(want);
    }
  });

  it('run_batch, which holds a copy of the entry, runs the vector block too', () => {
    // Each context: a u64 count, then that many u64 words.
    const program = asm`
      r2 = *(u64 *)(r1 + 0)
      r1 += 8
      r0 = 0
      if r2 == 0 goto out
      loop:
      r5 = *(u64 *)(r1 + 0)
      r0 += r5
      r1 += 8
      r2 -= 1
      if r2 != 0 goto loop
      out:
      exit`;
    const compiled = compile(program, { memory: { initial: 1, maximum: 1 } });
    expect(compiled.stats.vectorizedLoops).toBe(1);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const stride = 8 * 40;
    const rng = new Rng(5);
    const contexts = [0, 1, 16, 17, 39].map((count, c) => {
      const bytes = rng.bytes(stride);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(count), true);
      new Uint8Array(memory.buffer).set(bytes, INPUT + c * stride);
      return bytes;
    });
    new JitProgram(compiled, { memory }).runBatch(INPUT, stride, contexts.length, 0x8000, FP);
    const got = [...new BigUint64Array(memory.buffer, 0x8000, contexts.length)];
    expect(got).toEqual(contexts.map((bytes) => new Interpreter(program).run(bytes).r0));
  });

  it('a loop running off the end of the memory still traps, after the words before the end', () => {
    // The whole 64 KiB memory from INPUT on: the sum reads past its end after `fit` words.
    const fit = (0x10000 - INPUT) / 8;
    const program = asm`
      r0 = 7
      r3 = 0
      loop:
      r5 = *(u64 *)(r1 + 0)
      r0 += r5
      r1 += 8
      r3 += 1
      if r3 < r2 goto loop
      exit`;
    const input = new Rng(3).bytes(0x10000 - INPUT);
    const run = (vectorize: boolean, trips: number): bigint => {
      const compiled = compile(program, { vectorize, memory: { initial: 1, maximum: 1 } });
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
      new Uint8Array(memory.buffer).set(input, INPUT);
      return new JitProgram(compiled, { memory }).run([BigInt(INPUT), BigInt(trips)], FP);
    };
    expect(run(true, fit)).toBe(run(false, fit));
    expect(run(true, fit - 3)).toBe(run(false, fit - 3));
    for (const trips of [fit + 1, fit + 100, 1 << 30]) {
      expect(() => run(true, trips)).toThrow(JitExecutionError);
      expect(() => run(false, trips)).toThrow(JitExecutionError);
    }
  });

  it('loops that exit early on their bound, or never enter the vector part, keep the scalar results', () => {
    const rng = new Rng(11);
    // The bound comes from the input: 0, 1 and small counts run no vector trip at all.
    const program = asm`
      r0 = 0
      r6 = *(u64 *)(r1 + 0)
      r6 &= 63
      r1 += 8
      r3 = 0
      loop:
      r5 = *(u64 *)(r1 + 0)
      r0 ^= r5
      r1 += 8
      r3 += 1
      if r6 > r3 goto loop
      r0 += r3
      r0 += r5
      exit`;
    for (let k = 0; k < 64; k++) {
      const input = rng.bytes(8 + 64 * 8 + 8);
      input[0] = k;
      expect(jitRun(program, input, true), `bound ${k}`).toBe(new Interpreter(program).run(input).r0);
    }
  });
});

interface Shape {
  readonly text: string;
  readonly inputBytes: number;
}

/**
 * A reduction loop of a random shape over `trips` words of the input (from a random misaligned
 * start), run with r1 = the input and r2 = its length; after the loop r0 mixes every register
 * the loop touched (accumulators, pointers, counters, the last words loaded).
 */
function randomReduction(rng: Rng): Shape {
  const size = rng.pick([4, 8] as const);
  const signed = size === 4 && rng.below(4) === 0;
  const narrow = size === 4 ? rng.below(2) === 0 : rng.below(6) === 0;
  const ops = ['+=', '^=', '|=', '&='];
  const op1 = rng.pick(ops);
  const op2 = rng.pick(ops);
  const two = rng.below(3) === 0; // a second accumulator over a second stream, one word further
  const trips = 1 + rng.below(rng.below(4) === 0 ? 300 : 40);
  const misaligned = rng.below(8);
  const type = signed ? 's32' : size === 4 ? 'u32' : 'u64';
  const reg = (r: number): string => (narrow ? `w${r}` : `r${r}`);
  const lines = ['r9 = r1', `r6 = ${rng.below(1000) - 500}`, `r7 = ${-rng.below(1 << 20)}`, 'r5 = 0', 'r8 = 0', `r1 += ${misaligned}`];
  const counter = rng.pick(['up', 'down', 'pointer', 'inclusive'] as const);
  const step = rng.pick([1, 1, 2, 3, 5]); // the counter's step (a division when not a power of two)
  if (counter === 'up') lines.push('r3 = 0', `r2 = ${trips * step}`);
  if (counter === 'inclusive') lines.push('r3 = 1', `r2 = ${trips}`);
  if (counter === 'down') lines.push(`r3 = ${trips * step}`);
  if (counter === 'pointer') lines.push('r3 = r1', `r3 += ${trips * size}`);
  lines.push('loop:');
  // clang's copy chain (r0 = word; r0 op= acc; acc = r0) or the plain form (acc op= word).
  if (rng.below(2) === 0) lines.push(`r0 = *(${type} *)(r1 + 0)`, `${reg(0)} ${op1} ${reg(6)}`, `${reg(6)} = ${reg(0)}`);
  else lines.push(`r5 = *(${type} *)(r1 + 0)`, `${reg(6)} ${op1} ${reg(5)}`);
  if (two) lines.push(`r8 = *(${type} *)(r1 + ${size})`, `${reg(7)} ${op2} ${reg(8)}`);
  lines.push(`r1 += ${size}`);
  if (counter === 'up') lines.push(`r3 += ${step}`, rng.below(2) === 0 ? 'if r3 < r2 goto loop' : 'if r2 > r3 goto loop');
  if (counter === 'inclusive') lines.push('r3 += 1', 'if r3 s<= r2 goto loop');
  if (counter === 'down') lines.push(`r3 -= ${step}`, rng.below(2) === 0 ? 'if r3 != 0 goto loop' : 'if r3 s> 0 goto loop');
  if (counter === 'pointer') lines.push('if r1 != r3 goto loop');
  if (counter === 'pointer') lines.push('r3 -= r9'); // addresses differ between the engines
  lines.push('r0 ^= r6', 'r0 += r7', 'r0 ^= r5', 'r0 += r8', 'r0 ^= r3', 'r1 -= r9', 'r0 += r1', 'exit');
  return { text: lines.join('\n'), inputBytes: misaligned + (trips + 1) * size + 8 };
}
