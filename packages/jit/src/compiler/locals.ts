import type { Instr, Local, PlainOp, SimdOp } from '../wasm/ir.js';

/**
 * How eBPF registers live in a compiled function. Every eBPF function (the entry and each
 * bpf-to-bpf target) is a wasm function `(r1 r2 r3 r4 r5 fp: i64) -> i64`: r1..r5 arrive as
 * parameters, r10 is the frame pointer parameter, r0 and r6..r9 are locals (so a callee's r6..r9
 * never touch its caller's), plus scratch locals for code that needs them.
 */
export const PARAM_NAMES = ['r1', 'r2', 'r3', 'r4', 'r5', 'r10'] as const;

export const LOCALS: readonly Local[] = [
  { type: 'i64', name: 'r0' },
  { type: 'i64', name: 'r6' },
  { type: 'i64', name: 'r7' },
  { type: 'i64', name: 'r8' },
  { type: 'i64', name: 'r9' },
  { type: 'i64', name: 't' },
  { type: 'i64', name: 'u' },
  { type: 'i32', name: 't32' },
  { type: 'i32', name: 'pc' },
  { type: 'i64', name: 'loops' },
];

/** Wasm local index of each eBPF register r0..r10. */
const REGISTER_LOCAL: readonly number[] = [6, 0, 1, 2, 3, 4, 7, 8, 9, 10, 5];

/** Scratch locals. */
export const T = 11;
export const U = 12;
export const T32 = 13;
/** The dispatch fallback's block number. */
export const PC = 14;
/** may_goto's per-frame budget. */
export const LOOPS = 15;
/** The first of the i64 locals a function has beyond LOCALS when it needs them (codegen.ts #fastBody). */
export const FAST_LOCALS = 16;

/** A function's locals: LOCALS, then `fast` more i64 locals s0, s1, … */
export function functionLocals(fast: number): Local[] {
  return [...LOCALS, ...Array.from({ length: fast }, (_, k): Local => ({ type: 'i64', name: `s${k}` }))];
}

// Instructions are immutable values, so the frequent ones are made once and shared: code
// generation then allocates little per eBPF instruction (compile time is mostly allocation).
const CACHED_LOCALS = 64;
const cache = <T>(n: number, make: (k: number) => T): readonly T[] => Array.from({ length: n }, (_, k) => make(k));
const LOCAL_GET = cache(CACHED_LOCALS, (index): Instr => ({ op: 'local.get', index }));
const LOCAL_SET = cache(CACHED_LOCALS, (index): Instr => ({ op: 'local.set', index }));
const LOCAL_TEE = cache(CACHED_LOCALS, (index): Instr => ({ op: 'local.tee', index }));
const BR = cache(CACHED_LOCALS, (depth): Instr => ({ op: 'br', depth }));
const BR_IF = cache(CACHED_LOCALS, (depth): Instr => ({ op: 'br_if', depth }));
const REG_GET = REGISTER_LOCAL.map((index) => LOCAL_GET[index]!);
const REG_SET = REGISTER_LOCAL.map((index) => LOCAL_SET[index]!);
/** i64 and i32 constants of small integers (the immediates of most instructions). */
const SMALL_MIN = -256;
const SMALL_I64 = cache(2048, (k): Instr => ({ op: 'i64.const', value: BigInt(k + SMALL_MIN) }));
const SMALL_I32 = cache(2048, (k): Instr => ({ op: 'i32.const', value: k + SMALL_MIN }));

export const get = (reg: number): Instr => REG_GET[reg]!;
export const set = (reg: number): Instr => REG_SET[reg]!;
export const getLocal = (index: number): Instr => LOCAL_GET[index] ?? { op: 'local.get', index };
export const setLocal = (index: number): Instr => LOCAL_SET[index] ?? { op: 'local.set', index };
export const teeLocal = (index: number): Instr => LOCAL_TEE[index] ?? { op: 'local.tee', index };
export const br = (depth: number): Instr => BR[depth] ?? { op: 'br', depth };
export const brIf = (depth: number): Instr => BR_IF[depth] ?? { op: 'br_if', depth };
export function i64(value: bigint | number): Instr {
  if (typeof value === 'number' && Number.isInteger(value)) {
    const small = SMALL_I64[value - SMALL_MIN];
    if (small !== undefined) return small;
    if (value >= -0x8000_0000 && value <= 0xffff_ffff) return { op: 'i64.const', value: BigInt(value) };
  }
  return { op: 'i64.const', value: BigInt.asIntN(64, BigInt(value)) };
}
export const i32 = (value: number): Instr => SMALL_I32[(value | 0) - SMALL_MIN] ?? { op: 'i32.const', value: value | 0 };

const PLAIN = new Map<string, Instr>();
/** An instruction without immediates (a shared value). */
export function plain(o: PlainOp | SimdOp): Instr {
  let x = PLAIN.get(o);
  if (x === undefined) PLAIN.set(o, (x = { op: o } as Instr));
  return x;
}

/**
 * Appends `x` to `out`, turning `local.set n; local.get n` into `local.tee n` (a register written
 * by one instruction and read by the next): smaller code for V8's baseline compiler to run.
 */
export function push(out: Instr[], x: Instr): void {
  const last = out[out.length - 1];
  if (x.op === 'local.get' && last?.op === 'local.set' && last.index === x.index) out[out.length - 1] = teeLocal(x.index);
  else out.push(x);
}
