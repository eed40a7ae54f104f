/* global WebAssembly */
/**
 * hashcount for run.mjs: packets and bytes per IPv4 source in a BPF_MAP_TYPE_HASH, one packet per
 * run over a batch (programs/hashcount.c). The map is a real maps-store HASH map in the JIT's
 * memory (hash-map-layout.mjs); bpf_map_lookup_elem is inlined into wasm over its table, and a new
 * source goes in through bpf_map_update_elem, a JavaScript helper (typed ABI, fast form) calling
 * the engine. Extra row: the same with the lookup also a JavaScript helper (the engine's
 * lookupAddress). Native: the same table open-coded in C, the same hash.
 *
 * Every variant has its own memory and map; after one batch each must have given native's
 * verdicts and hold the same counters as the interpreter's map.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AddressSpace, HelperRegistry, Interpreter, JitProgram, compile } from '@bpfhive/jit';
import { SlotsCellArena, createHashMap } from './hash-map-layout.mjs';

export const HASHCOUNT_BATCH = 256;
const SLOT = 128;
const SOURCES = 64;
const MAX_ENTRIES = 1024; // programs/hashcount.c HASHCOUNT_MAX
const VALUE_SIZE = 16;
const PAGES = 64;
const FP = 0x4000n;

/** Ethernet + IPv4 + UDP from one of SOURCES sources; one in ten is IPv6 or too short (source "0"). */
export function hashcountPackets() {
  let x = 0x2545f491;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
  const sources = Array.from({ length: SOURCES }, () => (0x0a000000 | (next() & 0xffff)) >>> 0);
  return Array.from({ length: HASHCOUNT_BATCH }, () => {
    const kind = next() % 10;
    const len = kind === 0 ? 20 : 42 + (next() % 40);
    const p = new Uint8Array(len);
    const v = new DataView(p.buffer);
    p.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2]);
    if (len < 34) return p;
    v.setUint16(12, kind === 1 ? 0x86dd : 0x0800);
    p[14] = 0x45;
    v.setUint16(16, len - 14);
    p[22] = 64;
    p[23] = 17;
    v.setUint32(26, sources[next() % SOURCES]);
    v.setUint32(30, 0x0a000002);
    v.setUint16(34, 1000 + (next() % 1000));
    v.setUint16(36, 53);
    return p;
  });
}

/** hashcount_batch.bin for the native driver: u32 count, u32 slot, u32 len[count], the slots. */
export function writeHashcountInput(dir, packets) {
  const head = new Uint32Array([packets.length, SLOT, ...packets.map((p) => p.length)]);
  const body = new Uint8Array(packets.length * SLOT);
  packets.forEach((p, i) => body.set(p, i * SLOT));
  writeFileSync(join(dir, 'hashcount_batch.bin'), Buffer.concat([new Uint8Array(head.buffer), body]));
}

/** A memory with a maps-store arena, the map, and the batch (contexts, packets, results) in it. */
function world(packets) {
  const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES, shared: true });
  const arena = new SlotsCellArena({ memory });
  const { map, pointer, descriptor } = createHashMap(arena, { keySize: 4, valueSize: VALUE_SIZE, maxEntries: MAX_ENTRIES });
  const ctxs = arena.alloc(packets.length * 8);
  const data = arena.alloc(packets.length * SLOT);
  const out = arena.alloc(packets.length * 8);
  const view = new DataView(memory.buffer);
  packets.forEach((p, i) => {
    const at = data + i * SLOT;
    new Uint8Array(memory.buffer).set(p, at);
    view.setUint32(ctxs + i * 8, at, true);
    view.setUint32(ctxs + i * 8 + 4, at + p.length, true);
  });
  const counters = () => {
    const rows = [];
    for (let key; ; ) {
      try {
        key = map.getNextKey(key);
      } catch {
        return rows.sort().join(',');
      }
      rows.push(`${Buffer.from(key).toString('hex')}=${Buffer.from(map.lookup(key)).toString('hex')}`);
    }
  };
  return { memory, arena, map, pointer, descriptor, ctxs, out, counters };
}

/** The map helpers over the engine, with key and value addresses in its memory (the JIT's). */
function engineHelpers(w) {
  const check = (m) => {
    if (Number(m) !== w.pointer) throw new Error(`0x${m.toString(16)} is not hashcount's map`);
  };
  return new HelperRegistry()
    .register(
      1,
      'bpf_map_lookup_elem',
      ([m, key]) => (check(m), BigInt(w.map.lookupAddress(Number(key), 0))),
      () => (m, key) => (check(m), w.map.lookupAddress(key >>> 0, 0)),
    )
    .register(
      2,
      'bpf_map_update_elem',
      ([m, key, value, flags]) => (check(m), BigInt(w.map.updateAt(Number(key), Number(value), Number(flags), 0))),
      () => (m, key, value, flags) => (check(m), BigInt(w.map.updateAt(key >>> 0, value >>> 0, Number(flags), 0))),
    );
}

/**
 * The interpreter's map helpers: its stack is not in the engine's memory, so keys and values are
 * copied into a scratch block of the arena first.
 */
function interpreterHelpers(w) {
  const scratch = w.arena.alloc(64);
  const copy = (env, address, size, to) => {
    w.arena.bytes.set(env.memory.read(address, size), to);
    return to;
  };
  return new HelperRegistry()
    .register(1, 'bpf_map_lookup_elem', ([, key], env) => BigInt(w.map.lookupAddress(copy(env, key, 4, scratch), 0)))
    .register(2, 'bpf_map_update_elem', ([, key, value, flags], env) =>
      BigInt(w.map.updateAt(copy(env, key, 4, scratch), copy(env, value, VALUE_SIZE, scratch + 8), Number(flags), 0)),
    );
}

/**
 * The hashcount row for run.mjs's loop: `insns` with the map reference already the map's pointer
 * (`pointer`, what run.mjs rewrites it into), native's verdicts, run.mjs's `check` and `summarize`.
 */
export function setupHashcount({ insns, pointer, packets, verdicts, check, summarize }) {
  const want = verdicts;
  if (want?.length !== packets.length) throw new Error(`native driver ran ${want?.length} hashcount packets, expected ${packets.length}`);
  const relocated = (w) => insns.map((x) => (x.opcode === 0x18 && x.imm === pointer && x.imm2 === 0 ? { ...x, imm: w.pointer } : x));

  const interpWorld = world(packets);
  const interp = new Interpreter(relocated(interpWorld), { helpers: interpreterHelpers(interpWorld) });
  const space = new AddressSpace([{ name: 'kernel memory', base: 0n, bytes: new Uint8Array(interpWorld.memory.buffer), writable: true }]);
  const interpVerdicts = new Array(packets.length);
  const runInterp = () => {
    for (let i = 0; i < packets.length; i++) interpVerdicts[i] = interp.execute({ memory: space, args: [BigInt(interpWorld.ctxs + i * 8)] }).r0;
  };
  runInterp();
  interpVerdicts.forEach((r, i) => check(`hashcount of batch packet ${i} on the interpreter`, r, want[i]));
  const counters = interpWorld.counters();

  const batchOn = (inline, label) => {
    const w = world(packets);
    const shape = { initial: PAGES, maximum: PAGES, shared: true };
    const compiled = compile(relocated(w), { typedHelpers: true, ...(inline && { maps: [w.descriptor] }), memory: shape });
    const jit = new JitProgram(compiled, { memory: w.memory, helpers: engineHelpers(w) });
    const run = () => jit.runBatch(w.ctxs, 8, packets.length, w.out, FP);
    const verify = () => {
      const results = new BigUint64Array(w.memory.buffer, w.out, packets.length);
      results.forEach((r, i) => check(`hashcount of batch packet ${i} on the JIT (${label})`, r, want[i]));
      results.fill(0xdeadn);
    };
    run();
    verify();
    if (w.counters() !== counters) throw new Error(`RESULT MISMATCH: hashcount's counters after one batch on the JIT (${label}) differ from the interpreter's`);
    return { compiled, run, verify };
  };
  const inlined = batchOn(true, 'lookup in wasm');
  if (inlined.compiled.stats.inlinedCalls !== 1) throw new Error(`hashcount: the JIT inlined ${inlined.compiled.stats.inlinedCalls} lookups, expected 1`);
  const called = batchOn(false, 'lookup called');

  return {
    name: 'hashcount_batch',
    perCall: packets.length,
    runInterp,
    runJit: inlined.run,
    extras: [{ ns: 'jit_helper_per_packet_ns', ratio: 'jit_helper_native_ratio', run: called.run }],
    verify: () => {
      inlined.verify();
      called.verify();
    },
    info: { batch: packets.length, sources: SOURCES, instructions: insns.length, verdicts: summarize(want), inlined_calls: inlined.compiled.stats.inlinedCalls },
  };
}
