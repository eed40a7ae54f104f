import { HelperId, asm } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Rng } from '../differential/rng.js';
import { Interpreter } from '../interp/interpreter.js';
import { AddressSpace } from '../interp/memory.js';
import { HelperRegistry } from '../interp/registry.js';
import { type HashInlineMap, hashKeyWords } from '../kernel/hash-table.js';
import { inlineMapsLookupHelper } from '../kernel/inline-maps-helper.js';
import { KernelDataBlock } from '../kernel/kernel-data.js';
import { type TestHashTableOptions, TestHashTable } from '../differential/hash-table-writer.js';
import { compile } from './compile.js';
import { JitCompileError } from './errors.js';
import { JitProgram } from './runtime.js';

/**
 * bpf_map_lookup_elem on a hash map, inlined as a wasm function (hash-lookup.ts), against the same
 * lookup in JavaScript (kernel/hash-table.ts hashLookup, through inlineMapsLookupHelper) on the JIT
 * and on the interpreter, over tables written as the maps-store writes them (testing/).
 */
const PAGES = 4;
const FP = 0x3000n;
const KERNEL_DATA = 0x3000;
const KEY = 0x3100;
const POINTER = 0x3800;
const TABLE = 0x4000;

/** r0 = lookup(map, key at r1). */
const LOOKUP = asm`
  r2 = r1
  r1 = ${POINTER} ll
  call 1
  exit`;

interface Engines {
  /** What each engine gives for the key: [inlined JIT, JIT calling the JavaScript lookup, interpreter]. */
  lookup(key: Uint8Array): [number, number, number];
  readonly inlined: number;
}

function engines(memory: WebAssembly.Memory, map: HashInlineMap, cpu = 0): Engines {
  new KernelDataBlock(memory, KERNEL_DATA).set({ cpu });
  const helpers = inlineMapsLookupHelper([map], BigInt(KERNEL_DATA));
  const shape = { initial: PAGES, maximum: PAGES, shared: true };
  const compiled = compile(LOOKUP, { maps: [map], inlineKernelData: true, memory: shape });
  const inlined = new JitProgram(compiled, { memory, helpers, kernelData: KERNEL_DATA });
  const called = new JitProgram(compile(LOOKUP, { memory: shape }), { memory, helpers });
  const interp = new Interpreter(LOOKUP, { helpers });
  const space = new AddressSpace([{ name: 'kernel memory', base: 0n, bytes: new Uint8Array(memory.buffer), writable: true }]);
  return {
    inlined: compiled.stats.inlinedCalls ?? 0,
    lookup(key) {
      new Uint8Array(memory.buffer).set(key, KEY);
      const args = [BigInt(KEY)];
      return [inlined.run(args, FP), called.run(args, FP), interp.execute({ memory: space, args }).r0].map(Number) as [number, number, number];
    },
  };
}

const newMemory = (): WebAssembly.Memory => new WebAssembly.Memory({ initial: PAGES, maximum: PAGES, shared: true });
const table = (memory: WebAssembly.Memory, options: Partial<TestHashTableOptions> & { keySize: number }): TestHashTable =>
  new TestHashTable(memory, { pointer: POINTER, at: TABLE, valueSize: 8, capacity: 64, seed: 0x5eed, ...options });

describe('jit hash map lookups', () => {
  it.each<[string, number, number[], number]>([
    ['a 1-byte key', 0, [1], 1385857913],
    ['a 4-byte key', 0x9747b28c, [0x78, 0x56, 0x34, 0x12], 1830044111],
    ['a 3-byte key', 7, [0xff, 0xee, 0xdd], 4142731456],
    ['a 13-byte key', 0, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], 966548279],
    ['a 20-byte key', 0xdeadbeef, Array.from({ length: 20 }, (_, i) => i * 7 + 1), 1605222723],
  ])('hash - %s hashes as the maps-store hashes it (key-hash.ts hashKey)', (_title, seed, bytes, expected) => {
    const words = new Array<number>(Math.ceil(bytes.length / 4)).fill(0);
    bytes.forEach((b, i) => (words[i >> 2] = (words[i >> 2]! | (b << (8 * (i & 3)))) >>> 0));
    expect(hashKeyWords(seed, bytes.length, words)).toBe(expected);
  });

  it.each<[string, Partial<TestHashTableOptions> & { keySize: number }]>([
    ['1-byte keys', { keySize: 1, capacity: 512 }],
    ['2-byte keys', { keySize: 2 }],
    ['3-byte keys', { keySize: 3 }],
    ['4-byte keys', { keySize: 4 }],
    ['4-byte keys, seed 0', { keySize: 4, seed: 0 }],
    ['6-byte keys', { keySize: 6 }],
    ['16-byte keys (in the slots)', { keySize: 16 }],
    ['17-byte keys (in the elements)', { keySize: 17 }],
    ['20-byte keys', { keySize: 20 }],
    ['64-byte keys', { keySize: 64 }],
    ['4-byte keys hashed in the slots (keysInSlots false)', { keySize: 4, keysInSlots: false }],
    ['3-byte keys hashed in the slots', { keySize: 3, keysInSlots: false }],
    ['per-CPU values, CPU 3 of 4', { keySize: 8, cpus: 4 }],
    ['LRU', { keySize: 4, lru: true }],
  ])('%s - random inserts, deletes and rebuilds: every engine finds what the table holds', (_title, options) => {
    const memory = newMemory();
    const t = table(memory, options);
    const cpu = (options.cpus ?? 1) > 1 ? 3 : 0;
    const e = engines(memory, t.map, cpu);
    expect(e.inlined).toBe(1);
    const rng = new Rng(options.keySize * 131 + (options.keysInSlots === false ? 7 : 0));
    // Few distinct keys for short ones, so deletes hit and tombstones pile up on probe paths.
    const pool = Array.from({ length: 40 }, () => rng.bytes(options.keySize));
    let checked = 0;
    for (let round = 0; round < 12; round++) {
      for (let k = 0; k < 20; k++) {
        const key = rng.pick(pool);
        if (rng.chance(0.6)) t.insert(key);
        else t.delete(key);
      }
      if (round % 4 === 3) t.rebuild();
      for (const key of [...pool, rng.bytes(options.keySize)]) {
        const want = t.expected(key, cpu);
        expect(e.lookup(key), `round ${round}, key ${Buffer.from(key).toString('hex')}`).toEqual([want, want, want]);
        checked += want === 0 ? 0 : 1;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('probes across the end of the slot array and past tombstones of colliding keys', () => {
    const memory = newMemory();
    const t = table(memory, { keySize: 4, capacity: 8 });
    const e = engines(memory, t.map);
    // Keys whose home slot is the last one: they wrap around to slots 0, 1, …
    const key = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
    const last = Array.from({ length: 5000 }, (_, n) => n).filter((n) => (hashKeyWords(t.map.seed, 4, [n]) & 7) === 7).slice(0, 4).map(key);
    last.forEach((k) => t.insert(k));
    t.delete(last[0]!);
    t.delete(last[2]!);
    for (const k of last) expect(e.lookup(k)).toEqual(Array(3).fill(t.expected(k)));
    expect(t.expected(last[3]!)).not.toBe(0);
    expect(t.expected(last[2]!)).toBe(0);
  });

  it('a table without an empty slot: the probe stops after capacity slots and finds nothing', () => {
    const memory = newMemory();
    const t = table(memory, { keySize: 4, capacity: 16 });
    const e = engines(memory, t.map);
    const present = Uint8Array.of(1, 2, 3, 4);
    t.insert(present);
    t.fillWithTombstones();
    expect(e.lookup(present)).toEqual(Array(3).fill(t.expected(present)));
    expect(e.lookup(Uint8Array.of(9, 9, 9, 9))).toEqual([0, 0, 0]);
  });

  it('LRU - a hit sets the element ref byte (once, as bpf_lru_node_set_ref), a miss touches nothing', () => {
    const memory = newMemory();
    const t = table(memory, { keySize: 4, lru: true });
    const e = engines(memory, t.map);
    const hit = Uint8Array.of(7, 0, 0, 0);
    const element = t.insert(hit);
    const bytes = new Uint8Array(memory.buffer);
    const ref = element + t.map.refOffset!;
    const before = Buffer.from(bytes.subarray(TABLE, TABLE + 0x2000)).toString('hex');
    expect(e.lookup(Uint8Array.of(8, 0, 0, 0))).toEqual([0, 0, 0]);
    expect(Buffer.from(bytes.subarray(TABLE, TABLE + 0x2000)).toString('hex')).toBe(before);
    expect(bytes[ref]).toBe(0);
    const [inlined] = engines(memory, t.map).lookup(hit);
    expect([inlined, bytes[ref]]).toEqual([t.expected(hit), 1]);
    bytes[ref] = 2; // already referenced: left as it is
    expect(e.lookup(hit)).toEqual(Array(3).fill(t.expected(hit)));
    expect(bytes[ref]).toBe(2);
  });

  it('sees what JavaScript changed between two lookups of one run: a delete, a rebuild that moved the table, an insert', () => {
    const memory = newMemory();
    const t = table(memory, { keySize: 4, capacity: 16 });
    const [a, b] = [Uint8Array.of(1, 0, 0, 0), Uint8Array.of(2, 0, 0, 0)];
    t.insert(a);
    const cellBefore = new Uint32Array(memory.buffer)[TABLE >> 2];
    // Helper 2 stands for JavaScript changing the map inside the run.
    const helpers = new HelperRegistry().register(HelperId.map_update_elem, 'change', () => {
      t.delete(a);
      t.rebuild();
      t.insert(b);
      return 0n;
    });
    const program = asm`
      *(u32 *)(r10 - 4) = 1
      *(u32 *)(r10 - 8) = 2
      r1 = ${POINTER} ll
      r2 = r10
      r2 += -4
      call 1
      r6 = r0
      call 2
      r1 = ${POINTER} ll
      r2 = r10
      r2 += -4
      call 1
      r7 = r0
      r1 = ${POINTER} ll
      r2 = r10
      r2 += -8
      call 1
      r0 <<= 32
      r0 |= r7
      r7 = r6
      r7 <<= 16
      r0 ^= r7
      exit`;
    const expectedA = t.expected(a);
    const jit = new JitProgram(compile(program, { maps: [t.map], memory: { initial: PAGES, maximum: PAGES, shared: true } }), { memory, helpers });
    const r0 = jit.run([], FP);
    expect(new Uint32Array(memory.buffer)[TABLE >> 2]).not.toBe(cellBefore);
    expect(r0).toBe(((BigInt(t.expected(b)) << 32n) | 0n) ^ (BigInt(expectedA) << 16n));
  });

  it('a per-CPU hash map is inlined only with inlineKernelData; a map the plan cannot prove stays a call', () => {
    const memory = newMemory();
    const t = table(memory, { keySize: 4, cpus: 2 });
    expect(compile(LOOKUP, { maps: [t.map] }).stats.inlinedCalls).toBe(0);
    expect(compile(LOOKUP, { maps: [t.map], inlineKernelData: true }).stats.inlinedCalls).toBe(1);
    const twoLookups = asm`
      r2 = r1
      r1 = ${POINTER} ll
      call 1
      r2 = r10
      r2 += -8
      r1 = ${POINTER + 0x40} ll
      call 1
      exit`;
    const other: HashInlineMap = { ...t.map, pointer: POINTER + 0x40 };
    const compiled = compile(twoLookups, { maps: [t.map, other], inlineKernelData: true });
    expect(compiled.stats.inlinedCalls).toBe(2);
    expect(compiled.wat().match(/\(func \$hash_lookup_\d+/g)).toEqual(['(func $hash_lookup_0']);
  });

  it.each<[string, Partial<HashInlineMap>, RegExp]>([
    ['a capacity that is not a power of two', { capacity: 48 }, /capacity must be a power of two/],
    ['an empty key', { keySize: 0 }, /keySize must be an integer in \[1, 512\]/],
    ['a key past the stack', { keySize: 513 }, /keySize/],
    ['an unaligned cell', { slotsCell: 0x4002 }, /slotsCell must be 4-aligned/],
    ['a value inside the key', { valueOffset: 2 }, /valueOffset must be an integer in \[4, 2\^32\)/],
    ['a seed past 32 bits', { seed: 2 ** 32 }, /seed must be an integer/],
  ])('rejects a descriptor with %s', (_title, change, message) => {
    const map = { ...table(newMemory(), { keySize: 4 }).map, ...change };
    expect(() => compile(LOOKUP, { maps: [map] })).toThrow(JitCompileError);
    expect(() => compile(LOOKUP, { maps: [map] })).toThrow(message);
  });
});
