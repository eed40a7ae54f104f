import type { Instr, Local, MemoryOp, PlainOp, SimdOp } from '../wasm/ir.js';
import { T, U, get, getLocal, i32, i64, plain, set, setLocal, teeLocal } from './locals.js';
import type { ReductionOp, VectorLoop, VectorStream } from './vector-loop.js';

/**
 * The code of a vector block (vectorize.ts explains the transformation): from the registers at
 * the loop's entry, v = the trips the loop is sure to run with a next trip after them, lowered
 * so that every word they load lies inside the memory and to a multiple of VECTOR_TRIPS(loop);
 * then v trips as a wasm loop, two trips per v128 (i64x2 lanes), UNROLL independent accumulators
 * per reduction; then the reductions (`start OP all lanes`) and inductions (`start + v * step`)
 * as after v scalar trips. No other register changes. v = 0: nothing changes.
 */

/** The wasm locals a vector block uses, beyond the scratch T and U (locals.ts). */
export interface VectorLocals {
  /** i64: v, the trips to run. */
  readonly trips: number;
  /** i32: the wasm loop's count. */
  readonly count: number;
  /** i32: stream j's address. */
  readonly pointer: (stream: number) => number;
  /** v128: reduction r's accumulator u. */
  readonly acc: (reduction: number, u: number) => number;
}

/** Accumulators per reduction: loops with few reductions get more, to hide the adds' latency. */
export function vectorUnroll(loop: VectorLoop): number {
  return loop.reductions.length === 1 ? 8 : loop.reductions.length === 2 ? 4 : 2;
}

/** Trips one wasm loop trip runs: two per v128, times the unroll (a power of two). */
export const vectorTrips = (loop: VectorLoop): number => 2 * vectorUnroll(loop);

/** The locals of all vector blocks of a function (declared after `first - 1`), by the largest needs. */
export function vectorLocals(loops: readonly VectorLoop[], first: number): { locals: Local[]; at: VectorLocals; loops: number } {
  const streams = Math.max(0, ...loops.map((l) => l.streams.length));
  const accs = Math.max(0, ...loops.map((l) => l.reductions.length * vectorUnroll(l)));
  const unroll = Math.max(0, ...loops.map(vectorUnroll));
  const locals: Local[] = [
    { type: 'i64', name: 'v_trips' },
    { type: 'i32', name: 'v_count' },
    ...Array.from({ length: streams }, (_, j): Local => ({ type: 'i32', name: `v_p${j}` })),
    ...Array.from({ length: accs }, (_, k): Local => ({ type: 'v128', name: `v_a${k}` })),
  ];
  const at: VectorLocals = {
    trips: first,
    count: first + 1,
    pointer: (j) => first + 2 + j,
    acc: (r, u) => first + 2 + streams + r * unroll + u,
  };
  return { locals: loops.length === 0 ? [] : locals, at, loops: loops.length };
}

const op = plain;

const VECTOR_OP: Readonly<Record<ReductionOp, SimdOp>> = { add: 'i64x2.add', xor: 'v128.xor', or: 'v128.or', and: 'v128.and' };
const SCALAR_OP: Readonly<Record<ReductionOp, PlainOp>> = { add: 'i64.add', xor: 'i64.xor', or: 'i64.or', and: 'i64.and' };

/** Bytes of a stream one v128 covers (two trips), and the load that reads them as two i64 lanes. */
function vectorLoad(s: VectorStream): { bytes: number; load: MemoryOp } {
  if (s.size === 8) return { bytes: 16, load: 'v128.load' };
  return { bytes: 8, load: s.signed ? 'v128.load32x2_s' : 'v128.load32x2_u' };
}

/** Pushes the i64 `u32(base + offset)`: the address the stream's first scalar load adds its `off` to. */
function streamBase(s: VectorStream): Instr[] {
  return [get(s.base), ...(s.offset === 0n ? [] : [i64(s.offset), op('i64.add')]), op('i32.wrap_i64'), op('i64.extend_i32_u')];
}

/** i64 `x / d` for a constant d > 0. */
function divide(d: bigint): Instr[] {
  if (d === 1n) return [];
  if ((d & (d - 1n)) === 0n) return [i64(d.toString(2).length - 1), op('i64.shr_u')];
  return [i64(d), op('i64.div_u')];
}

/** Sets `trips` to the trips the exit test lets run with a next trip after each (vectorize.ts VectorLoop.test). */
function tripsByTest(loop: VectorLoop, trips: number): Instr[] {
  const { counter, step, stay, bound } = loop.test;
  const up = step > 0n;
  const b: Instr = 'reg' in bound ? get(bound.reg) : i64(bound.imm);
  const c = get(counter);
  // After t trips the counter is start + t * step; the test holds for t = 1..v exactly when
  // v * |step| <= the distance d below (no wrap: the values stay between start and the bound).
  const inclusive = stay.startsWith('le') || stay.startsWith('ge');
  const distance: Instr[] = [...(up ? [b, c] : [c, b]), op('i64.sub'), ...(inclusive ? [] : [i64(1), op('i64.sub')]), ...divide(up ? step : -step)];
  if (stay === 'ne') return [...distance, setLocal(trips)];
  // Otherwise the test must hold on the start value too, or the distance means nothing.
  return [c, b, op(`i64.${stay}` as PlainOp), { op: 'if', result: 'i64', then: distance, else: [i64(0)] }, setLocal(trips)];
}

/**
 * Lowers `trips` so that stream s's first `trips` words lie inside the memory: from the first
 * word's address e = u32(base + offset) + off (which must not be negative), the last one ends at
 * or before the memory's size, and u32(base + offset) + trips * size does not pass 2^32 (the
 * scalar addresses do not wrap).
 */
function clampByMemory(s: VectorStream, trips: number): Instr[] {
  const shift = s.size === 8 ? 3 : 2;
  const code: Instr[] = [...streamBase(s), setLocal(T)];
  // The larger of e and u32(base + offset): with the memory at most 2^32 bytes, both bounds at once.
  if (s.off > 0) code.push(getLocal(T), i64(s.off), op('i64.add'), setLocal(T));
  if (s.off < 0) code.push(getLocal(T), i64(-s.off), op('i64.lt_u'), { op: 'if', then: [i64(0), setLocal(trips)] });
  code.push(
    // U = max(0, (memory bytes - T) >> shift), signed
    { op: 'memory.size' },
    op('i64.extend_i32_u'),
    i64(16),
    op('i64.shl'),
    getLocal(T),
    op('i64.sub'),
    i64(shift),
    op('i64.shr_s'),
    setLocal(U),
    i64(0),
    getLocal(U),
    getLocal(U),
    i64(0),
    op('i64.lt_s'),
    op('select'),
    setLocal(U),
    // trips = min(trips, U)
    getLocal(trips),
    getLocal(U),
    getLocal(trips),
    getLocal(U),
    op('i64.lt_u'),
    op('select'),
    setLocal(trips),
  );
  return code;
}

export function vectorLoopCode(loop: VectorLoop, at: VectorLocals): Instr[] {
  const unroll = vectorUnroll(loop);
  const perTrip = vectorTrips(loop);
  const code: Instr[] = [...tripsByTest(loop, at.trips)];
  loop.streams.forEach((s) => code.push(...clampByMemory(s, at.trips)));
  code.push(getLocal(at.trips), i64(-perTrip), op('i64.and'), teeLocal(at.trips), op('i64.eqz'), { op: 'br_if', depth: 0 });

  // The wasm loop: pointers, counts and accumulators.
  const setup: Instr[] = [getLocal(at.trips), ...divide(BigInt(perTrip)), op('i32.wrap_i64'), setLocal(at.count)];
  loop.streams.forEach((s, j) => setup.push(...streamBase(s), ...(s.off === 0 ? [] : [i64(s.off), op('i64.add')]), op('i32.wrap_i64'), setLocal(at.pointer(j))));
  loop.reductions.forEach((r, k) => {
    const identity = r.op === 'and' ? -1n : 0n;
    for (let u = 0; u < unroll; u++) setup.push({ op: 'v128.const', lanes: [identity, identity] }, setLocal(at.acc(k, u)));
  });
  const body: Instr[] = [];
  for (let u = 0; u < unroll; u++) {
    loop.reductions.forEach((r, k) => {
      for (const j of r.terms) {
        const { bytes, load } = vectorLoad(loop.streams[j]!);
        body.push(getLocal(at.acc(k, u)), getLocal(at.pointer(j)), { op: load, offset: u * bytes, align: 0 }, op(VECTOR_OP[r.op]), setLocal(at.acc(k, u)));
      }
    });
  }
  loop.streams.forEach((s, j) => body.push(getLocal(at.pointer(j)), i32(unroll * vectorLoad(s).bytes), op('i32.add'), setLocal(at.pointer(j))));
  body.push(getLocal(at.count), i32(1), op('i32.sub'), teeLocal(at.count), { op: 'br_if', depth: 0 });

  // After the loop: lanes and accumulators into each reduction, steps into each induction.
  const finish: Instr[] = [];
  loop.reductions.forEach((r, k) => {
    const vop = op(VECTOR_OP[r.op]);
    const sop = op(SCALAR_OP[r.op]);
    finish.push(getLocal(at.acc(k, 0)));
    for (let u = 1; u < unroll; u++) finish.push(getLocal(at.acc(k, u)), vop);
    finish.push(teeLocal(at.acc(k, 0)), { op: 'i64x2.extract_lane', lane: 0 }, getLocal(at.acc(k, 0)), { op: 'i64x2.extract_lane', lane: 1 }, sop, get(r.reg), sop);
    if (r.narrow) finish.push(op('i32.wrap_i64'), op('i64.extend_i32_u'));
    finish.push(set(r.reg));
  });
  for (const { reg, step } of loop.inductions) finish.push(get(reg), getLocal(at.trips), i64(step), op('i64.mul'), op('i64.add'), set(reg));

  return [{ op: 'block', label: 'vector', body: [...code, ...setup, { op: 'loop', label: 'vector_trips', body }, ...finish] }];
}
