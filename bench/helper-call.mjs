#!/usr/bin/env node
/* global WebAssembly, performance */
/**
 * Where the time of a call from compiled eBPF into a JavaScript helper goes, step by step, and what
 * the JIT's helper calls cost. Every row is ns per call: a loop of CALLS calls inside one call into
 * wasm (so the JS -> wasm entry is amortised away), timed in ROUNDS rounds, the median round.
 *
 *   boundary  a hand-made wasm module calling a JS import in a loop: the engine's own cost for a
 *             signature (i64 params and results are BigInts in JS, i32 ones plain numbers)
 *   wrapper   the classic ABI's import (5 x i64 -> i64) with, one step at a time, what the JIT's
 *             runtime wrapper did per call before its rework: asUintN on each argument, an args
 *             array, the try/catch, a call through a closure shared by every helper
 *             (megamorphic), then a helper body reading memory through AddressSpace (today's:
 *             before the rework one such load cost ~900 ns, see README)
 *   jit       JitProgram running an eBPF loop that calls a helper: bpf_ktime_get_ns through
 *             kernelDataHelpers (the `ktime` row of run.mjs), bpf_get_smp_processor_id returning
 *             a constant, and a lookup-like bpf_map_lookup_elem(map, &key) reading the key; with
 *             the classic ABI (every helper gets r1..r5) and the typed ABI (compile option
 *             `typedHelpers`: the prototype's arguments only, pointers as i32), generic helpers
 *             (`fn`) and fast forms
 *
 *   node bench/helper-call.mjs [--quick] [--json]      (run.mjs calls helperCallBench() too)
 */
import { fileURLToPath } from 'node:url';
import { AddressSpace, HelperRegistry, JitProgram, KernelDataBlock, compile, encodeModule, kernelDataHelpers } from '@bpfhive/jit';
import { assemble } from '@bpfhive/uapi';

const CALLS = 4096;
const KERNEL_DATA = 0x7000;
const FP = 0x4000;
const KEY = FP - 8;
const MAP = 0x5000;
const VALUES = 0x8000;

/** Median ns per call of `run()` (one run = CALLS calls) over `rounds` rounds, after a warm-up. */
function timeCalls(run, rounds, warmupMs) {
  const until = performance.now() + warmupMs;
  do run();
  while (performance.now() < until);
  const per = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < 8; k++) run();
    per.push(Number(process.hrtime.bigint() - t0) / (8 * CALLS));
  }
  per.sort((a, b) => a - b);
  return per[per.length >> 1];
}

// ---------------------------------------------------------------------------------------------
// boundary / wrapper: a module `loop(n: i32) -> i64` that sums n calls of the import h.f.

const I64 = (v) => ({ op: 'i64.const', value: BigInt(v) });
const I32 = (v) => ({ op: 'i32.const', value: v });

/** The loop module for an import of `params` -> `result`, called with `args` (IR constants). */
function loopModule(params, result, args) {
  const widen = result === 'i32' ? [{ op: 'i64.extend_i32_u' }] : [];
  const body = [
    {
      op: 'loop',
      body: [
        { op: 'local.get', index: 1 },
        ...args,
        { op: 'call', func: 0 },
        ...widen,
        { op: 'i64.add' },
        { op: 'local.set', index: 1 },
        { op: 'local.get', index: 0 },
        I32(1),
        { op: 'i32.sub' },
        { op: 'local.tee', index: 0 },
        { op: 'br_if', depth: 0 },
      ],
    },
    { op: 'local.get', index: 1 },
  ];
  return encodeModule({
    types: [
      { params, results: [result] },
      { params: ['i32'], results: ['i64'] },
    ],
    imports: [{ kind: 'func', module: 'h', name: 'f', type: 0 }],
    funcs: [{ type: 1, locals: [{ type: 'i64' }], body }],
    exports: [{ name: 'loop', kind: 'func', index: 1 }],
  });
}

function boundaryRun(bytes, f) {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { h: { f } });
  const loop = instance.exports.loop;
  return () => loop(CALLS);
}

const CLASSIC_ARGS = [I64(MAP), I64(KEY), I64(0), I64(-1), I64(0)];

/**
 * The classic wrapper, reconstructed one step at a time (the runtime before its rework did all of
 * them): each function is what wasm imports.
 */
function wrapperSteps(memory) {
  const u64 = (v) => BigInt.asUintN(64, v);
  const env = { memory: new AddressSpace([{ name: 'kernel memory', base: 0n, bytes: new Uint8Array(memory.buffer), writable: true }]) };
  const trivial = () => 7n;
  // A closure made by one factory for every helper shares its call site: fed many helpers, it is megamorphic.
  const wrap = (fn) => (r1, r2, r3, r4, r5) => {
    try {
      return fn([u64(r1), u64(r2), u64(r3), u64(r4), u64(r5)], env);
    } catch (e) {
      throw new Error(`failed: ${e.message}`);
    }
  };
  for (let k = 0; k < 8; k++) wrap((_a, _e) => BigInt(k))(1n, 2n, 3n, 4n, 5n); // make wrap's call site megamorphic
  return [
    ['wrapper: bare import, 5 BigInts in, 0n out', () => 0n],
    ['wrapper: + asUintN on the 5 args', (r1, r2, r3, r4, r5) => (u64(r1), u64(r2), u64(r3), u64(r4), u64(r5), 0n)],
    ['wrapper: + args array + call', (r1, r2, r3, r4, r5) => trivial([u64(r1), u64(r2), u64(r3), u64(r4), u64(r5)], env)],
    ['wrapper: + try/catch, megamorphic closure (classic)', wrap(trivial)],
    ['wrapper: classic + a helper body: AddressSpace.load(8)', wrap((_a, e) => e.memory.load(BigInt(KERNEL_DATA), 8))],
  ];
}

// ---------------------------------------------------------------------------------------------
// jit: an eBPF loop calling helper `id` CALLS times (r1 = MAP, r2 = &key on the stack).

function helperLoop(id) {
  return assemble(`
    r6 = r1
    r7 = 0
    *(u32 *)(r10 - 8) = 3
  loop:
    r1 = ${MAP}
    r2 = r10
    r2 += -8
    call ${id}
    r7 += r0
    r6 += -1
    if r6 != 0 goto loop
    r0 = r7
    exit`);
}

/** A lookup-like helper: the u32 key at r2, the "value" address VALUES + key * 8. */
const lookupGeneric = ([, key], env) => BigInt(VALUES) + env.memory.load(key, 4) * 8n;

function jitRows(memory) {
  const block = new KernelDataBlock(memory, KERNEL_DATA);
  block.set({ ktimeNs: 1_700_000_000_000_000_000n, cpu: 1 });
  const generic = (id, name, fn) => new HelperRegistry().register(id, name, fn);
  const rows = [
    ['jit: ktime_get_ns, kernelDataHelpers', 5, kernelDataHelpers(BigInt(KERNEL_DATA))],
    ['jit: get_smp_processor_id returning a constant', 8, generic(8, 'bpf_get_smp_processor_id', () => 1n)],
    ['jit: map_lookup_elem, lookup-like (reads the key)', 1, generic(1, 'bpf_map_lookup_elem', lookupGeneric)],
  ];
  const out = [];
  for (const [name, id, helpers] of rows) {
    for (const [abi, options] of [
      ['classic ABI', {}],
      ['typed ABI', { typedHelpers: true }],
    ]) {
      const jit = new JitProgram(compile(helperLoop(id), { ...options, memory: { initial: 2, maximum: 2, shared: true } }), { memory, helpers });
      out.push([`${name}, ${abi}`, () => jit.run([BigInt(CALLS)], BigInt(FP))]);
    }
  }
  // The typed ABI with a fast form: numbers in (pointers as i32), the value address out.
  const u32 = new Uint32Array(memory.buffer);
  const helpers = new HelperRegistry().register(1, 'bpf_map_lookup_elem', lookupGeneric, () => (_map, key) => VALUES + u32[key >>> 2] * 8);
  const jit = new JitProgram(compile(helperLoop(1), { typedHelpers: true, memory: { initial: 2, maximum: 2, shared: true } }), { memory, helpers });
  out.push(['jit: map_lookup_elem, lookup-like, typed ABI + fast form', () => jit.run([BigInt(CALLS)], BigInt(FP))]);
  return out;
}

/** Every row: { name, ns } (ns per call). */
export function helperCallBench({ quick = false } = {}) {
  const rounds = quick ? 5 : 41;
  const warmupMs = quick ? 20 : 150;
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
  const boundary = [
    ['boundary: (i64 x5) -> i64, the classic ABI', loopModule(['i64', 'i64', 'i64', 'i64', 'i64'], 'i64', CLASSIC_ARGS), () => 0n],
    ['boundary: () -> i64', loopModule([], 'i64', []), () => 0n],
    ['boundary: (i32, i32) -> i32', loopModule(['i32', 'i32'], 'i32', [I32(MAP), I32(KEY)]), () => 0],
  ].map(([name, bytes, f]) => [name, boundaryRun(bytes, f)]);
  const classic = loopModule(['i64', 'i64', 'i64', 'i64', 'i64'], 'i64', CLASSIC_ARGS);
  const wrapper = wrapperSteps(memory).map(([name, f]) => [name, boundaryRun(classic, f)]);
  const rows = [...boundary, ...wrapper, ...jitRows(memory)];
  return rows.map(([name, run]) => ({ name, ns: timeCalls(run, rounds, warmupMs) }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const rows = helperCallBench({ quick: argv.includes('--quick') });
  if (argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
  else for (const r of rows) console.log(`${r.name.padEnd(62)} ${r.ns.toFixed(1).padStart(8)} ns`);
}
