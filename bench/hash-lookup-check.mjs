#!/usr/bin/env node
/* global WebAssembly */
/**
 * The JIT's hash lookup in wasm against the maps-store's own: for HASH and PERCPU_HASH maps with
 * keys of 4, 6, 13, 16 and 20 bytes, the engine inserts fresh random keys and deletes old ones
 * (syscall side and program side, with grace periods, so tombstones pile up and the table is
 * rebuilt and moves), and after every few changes the keys in the map, some deleted ones and one
 * never inserted are looked up by a compiled program (bpf_map_lookup_elem inlined, the descriptor
 * from hash-map-layout.mjs) and by the engine's lookupAddress; both must give the same address.
 * Throws at the first difference.
 *
 *   node bench/hash-lookup-check.mjs [--quick]       (run.mjs runs it before timing hashcount)
 */
import { fileURLToPath } from 'node:url';
import { JitProgram, KernelDataBlock, compile } from '@bpfhive/jit';
import { assemble } from '@bpfhive/uapi';
import { SlotsCellArena, createHashMap } from './hash-map-layout.mjs';

const PAGES = 64;
const FP = 0x4000n;
const KERNEL_DATA = 0x7000;
const CPUS = 4;

const LAYOUTS = [
  { keySize: 4, valueSize: 8, maxEntries: 64 },
  { keySize: 4, valueSize: 16, maxEntries: 1000 },
  { keySize: 6, valueSize: 8, maxEntries: 64 },
  { keySize: 13, valueSize: 24, maxEntries: 64 },
  { keySize: 16, valueSize: 8, maxEntries: 100 },
  { keySize: 20, valueSize: 8, maxEntries: 64 },
  { keySize: 4, valueSize: 8, maxEntries: 64, percpu: true },
  { keySize: 20, valueSize: 12, maxEntries: 64, percpu: true },
];

/** A small deterministic generator (xorshift32). */
function rng(seed) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
  return { next, below: (n) => next() % n, bytes: (n) => Uint8Array.from({ length: n }, () => next() & 0xff) };
}

function checkLayout(layout, seed, rounds) {
  const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES, shared: true });
  const arena = new SlotsCellArena({ memory });
  const { map, descriptor } = createHashMap(arena, { ...layout, cpus: CPUS });
  const cpu = layout.percpu ? 3 : 0;
  new KernelDataBlock(memory, KERNEL_DATA).set({ cpu });
  const program = assemble(`
    r2 = r1
    r1 = ${descriptor.pointer} ll
    call 1
    exit`);
  const compiled = compile(program, { maps: [descriptor], inlineKernelData: true, memory: { initial: PAGES, maximum: PAGES, shared: true } });
  if (compiled.stats.inlinedCalls !== 1) throw new Error('hash lookup check: the lookup was not inlined');
  const jit = new JitProgram(compiled, { memory, kernelData: KERNEL_DATA });
  const key = arena.alloc(layout.keySize + 8);
  const value = arena.alloc(layout.valueSize * CPUS + 8);
  const r = rng(seed);
  const syscallValue = new Uint8Array(map.syscallValueSize);
  let lookups = 0;
  let hits = 0;
  let slots = arena.u32[descriptor.slotsCell >> 2];
  let moves = 0;
  const at = (bytes) => {
    arena.bytes.set(bytes, key);
    return key;
  };
  // A sliding set of keys: fresh ones go in, old ones out, so tombstones pile up until the engine
  // rebuilds (and moves) the slot array; some deleted keys stay in the lookups.
  let live = [];
  let gone = [];
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < 24; k++) {
      const op = r.below(10);
      try {
        if (op < 5 || live.length === 0) {
          const bytes = r.bytes(layout.keySize);
          if (op % 2 === 0) map.update(bytes, syscallValue, 0);
          else map.updateAt(at(bytes), value, 0, cpu);
          live.push(bytes);
        } else {
          const [bytes] = live.splice(r.below(live.length), 1);
          if (op % 2 === 0) map.delete(bytes);
          else map.deleteAt(at(bytes));
          gone = [bytes, ...gone.slice(0, 15)];
        }
      } catch {
        // E2BIG (every element in use or waiting for a grace period): that key is not in.
        live = live.filter((b) => map.lookupAddress(at(b), cpu) !== 0);
      }
      if (r.below(4) === 0) arena.quiescent();
    }
    if (arena.u32[descriptor.slotsCell >> 2] !== slots) moves++;
    slots = arena.u32[descriptor.slotsCell >> 2];
    for (const bytes of [...live, ...gone, r.bytes(layout.keySize)]) {
      const address = at(bytes);
      const wasm = Number(jit.run([BigInt(address)], FP));
      const engine = map.lookupAddress(address, cpu);
      if (wasm !== engine) {
        throw new Error(`hash lookup check: ${JSON.stringify(layout)}, round ${round}, key ${Buffer.from(bytes).toString('hex')}: wasm gives 0x${wasm.toString(16)}, the engine 0x${engine.toString(16)}`);
      }
      lookups++;
      if (engine !== 0) hits++;
    }
  }
  return { ...layout, lookups, hits, table_moves: moves };
}

/** Checks every layout; returns what it checked ({ keySize, …, lookups, hits, table_moves }[]). */
export function checkHashLookups({ quick = false } = {}) {
  return LAYOUTS.map((layout, i) => checkLayout(layout, 0x9e37 + i, quick ? 20 : 120));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = checkHashLookups({ quick: process.argv.includes('--quick') });
  for (const r of results) console.log(JSON.stringify(r));
  console.log(`hash lookup check: wasm and the maps-store engine agree on ${results.reduce((n, r) => n + r.lookups, 0)} lookups`);
}
