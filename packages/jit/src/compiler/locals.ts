import type { Instr, Local } from '../wasm/ir.js';

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

export const get = (reg: number): Instr => ({ op: 'local.get', index: REGISTER_LOCAL[reg]! });
export const set = (reg: number): Instr => ({ op: 'local.set', index: REGISTER_LOCAL[reg]! });
export const getLocal = (index: number): Instr => ({ op: 'local.get', index });
export const setLocal = (index: number): Instr => ({ op: 'local.set', index });
export const teeLocal = (index: number): Instr => ({ op: 'local.tee', index });
export const i64 = (value: bigint | number): Instr => ({ op: 'i64.const', value: BigInt.asIntN(64, BigInt(value)) });
export const i32 = (value: number): Instr => ({ op: 'i32.const', value: value | 0 });

/**
 * Appends `x` to `out`, turning `local.set n; local.get n` into `local.tee n` (a register written
 * by one instruction and read by the next): smaller code for V8's baseline compiler to run.
 */
export function push(out: Instr[], x: Instr): void {
  const last = out[out.length - 1];
  if (x.op === 'local.get' && last?.op === 'local.set' && last.index === x.index) out[out.length - 1] = teeLocal(x.index);
  else out.push(x);
}
