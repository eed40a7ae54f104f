import type { Instruction } from '@bpfhive/uapi';
import { type CompileOptions, compile } from '../compiler/compile.js';
import { JitProgram } from '../compiler/runtime.js';
import { UNWIND_HELPER_ID, unwindHelper } from '../conformance/helpers.js';
import { Interpreter } from '../interp/interpreter.js';
import { AddressSpace, type Region } from '../interp/memory.js';
import type { HelperRegistry } from '../interp/registry.js';
import type { HashInlineMap } from '../kernel/hash-table.js';
import type { ArrayInlineMap, ArrayOfMapsInlineMap, InlineMap, PercpuArrayInlineMap } from '../kernel/inline-maps.js';
import { inlineMapsLookupHelper } from '../kernel/inline-maps-helper.js';
import { kernelDataHelpers } from '../kernel/kernel-data-helpers.js';
import { KERNEL_DATA_SIZE, KernelDataBlock, seedPrandom } from '../kernel/kernel-data.js';
import { TestHashTable, type TestHashTableOptions, testHashInlineMap } from './hash-table-writer.js';
import { Rng } from './rng.js';

/**
 * The kernel the differential tests run "kernel mode" programs in (randomProgram with
 * `{ kernel: true }`): one wasm memory laid out as a kernel's, with a CPU's kernel data block and
 * four maps whose lookups the JIT inlines. The interpreter maps the same bytes at the same
 * addresses, so pointers (map values) are equal on both engines and may be compared.
 *
 *   0x1000 .. 0x3000  the JIT's stack (16 frames of 512 bytes below STACK_TOP)
 *   0x3000            the kernel data block (KERNEL_DATA_SIZE bytes)
 *   0x4000            the program's input (r1, r2 = its length)
 *   0x5000 ..         map pointers (never dereferenced)
 *   0x6000 ..         map values and slots; the hash table from 0x6300
 */
export const KERNEL_LAYOUT = { stackTop: 0x3000, kernelData: 0x3000, input: 0x4000, pages: 1 } as const;

/** The helper id the suite's unwind helper has in kernel mode: 5 is bpf_ktime_get_ns there, and no Linux helper has this one. */
export const KERNEL_MODE_UNWIND_ID = 0x7ff5;

/** An ARRAY of 6 values of 12 bytes (stride 16). */
export const FIXTURE_ARRAY: ArrayInlineMap & { readonly valueSize: number } = { kind: 'array', pointer: 0x5000, valuesBase: 0x6000, stride: 16, maxEntries: 6, valueSize: 12 };
/** A PERCPU_ARRAY of 4 values of 8 bytes for 4 CPUs. */
export const FIXTURE_PERCPU: PercpuArrayInlineMap & { readonly valueSize: number; readonly cpus: number } = {
  kind: 'percpu_array',
  pointer: 0x5040,
  valuesBase: 0x6100,
  stride: 32,
  cpuStride: 8,
  maxEntries: 4,
  valueSize: 8,
  cpus: 4,
};
/** An ARRAY_OF_MAPS of 3 slots: the array, empty, the per-CPU array. */
export const FIXTURE_ARRAY_OF_MAPS: ArrayOfMapsInlineMap & { readonly inner: readonly number[] } = {
  kind: 'array_of_maps',
  pointer: 0x5080,
  slotsBase: 0x6200,
  maxEntries: 3,
  inner: [FIXTURE_ARRAY.pointer, 0, FIXTURE_PERCPU.pointer],
};

/** What the fixture's HASH map is made of: u32 keys below `keys` (some present), 8-byte values. */
const HASH_TABLE: TestHashTableOptions = { pointer: 0x50c0, at: 0x6300, keySize: 4, valueSize: 8, capacity: 16, seed: 0x9e3779b9 };
/** Bytes the hash table may use: its cell, slots and `keys` elements (deletes leave tombstones, never a rebuild). */
const HASH_TABLE_BYTES = 0x120;
/** A HASH map of u32 keys 0..7, about half of them present (which ones: the fixture's seed). */
export const FIXTURE_HASH: HashInlineMap & { readonly valueSize: number; readonly keys: number } = { ...testHashInlineMap(HASH_TABLE), valueSize: 8, keys: 8 };

export const FIXTURE_MAPS: readonly InlineMap[] = [FIXTURE_ARRAY, FIXTURE_PERCPU, FIXTURE_ARRAY_OF_MAPS, FIXTURE_HASH];

/** The regions of the fixture a program may change or read, in a fixed order: [name, address, bytes, writable]. */
const REGIONS: readonly (readonly [string, number, number, boolean])[] = [
  ['kernel data', KERNEL_LAYOUT.kernelData, KERNEL_DATA_SIZE, true],
  ['array values', FIXTURE_ARRAY.valuesBase, FIXTURE_ARRAY.stride * FIXTURE_ARRAY.maxEntries, true],
  ['percpu values', FIXTURE_PERCPU.valuesBase, FIXTURE_PERCPU.stride * FIXTURE_PERCPU.maxEntries, true],
  ['array of maps slots', FIXTURE_ARRAY_OF_MAPS.slotsBase, 4 * FIXTURE_ARRAY_OF_MAPS.maxEntries, false],
  ['hash table', HASH_TABLE.at, HASH_TABLE_BYTES, true],
];

export interface KernelFixture {
  readonly memory: WebAssembly.Memory;
  /** The input and the fixture's regions as views of the memory, for the interpreter. */
  readonly regions: readonly Region[];
  /** The helpers both engines get: the kernel data block's, map lookups, unwind (as KERNEL_MODE_UNWIND_ID). */
  readonly helpers: HelperRegistry;
  /** Everything a program may have changed: the input, then each region, concatenated. */
  snapshot(): Uint8Array;
}

/**
 * A fresh fixture for one run: `input` at its place, the kernel data block and the map values
 * filled from `seed` (the same seed, the same bytes), the CPU one the per-CPU map has.
 */
export function kernelFixture(seed: number, input: Uint8Array): KernelFixture {
  const memory = new WebAssembly.Memory({ initial: KERNEL_LAYOUT.pages, maximum: KERNEL_LAYOUT.pages, shared: true });
  const bytes = new Uint8Array(memory.buffer);
  bytes.set(input, KERNEL_LAYOUT.input);
  const rng = new Rng(seed ^ 0x6b65726e);
  const block = new KernelDataBlock(memory, KERNEL_LAYOUT.kernelData);
  block.set({
    ktimeNs: rng.u64(),
    bootNs: rng.u64(),
    coarseNs: rng.u64(),
    taiNs: rng.u64(),
    jiffies64: rng.u64(),
    cpu: rng.below(FIXTURE_PERCPU.cpus),
    numaNode: rng.below(2),
    prandom: seedPrandom(rng.u64()),
    pidTgid: rng.u64(),
    uidGid: rng.u64(),
    cgroupId: rng.u64(),
    task: rng.u64(),
  });
  for (const [, address, length] of REGIONS.slice(1, 3)) bytes.set(rng.bytes(length), address);
  FIXTURE_ARRAY_OF_MAPS.inner.forEach((pointer, k) => new DataView(memory.buffer).setUint32(FIXTURE_ARRAY_OF_MAPS.slotsBase + 4 * k, pointer, true));
  fillHashTable(new TestHashTable(memory, HASH_TABLE), rng);

  const view = (address: number, length: number): Uint8Array => new Uint8Array(memory.buffer, address, length);
  const regions: Region[] = [
    { name: 'input', base: BigInt(KERNEL_LAYOUT.input), bytes: view(KERNEL_LAYOUT.input, input.length), writable: true },
    ...REGIONS.map(([name, address, length, writable]) => ({ name, base: BigInt(address), bytes: view(address, length), writable })),
  ];
  const helpers = kernelDataHelpers(BigInt(KERNEL_LAYOUT.kernelData));
  inlineMapsLookupHelper(FIXTURE_MAPS, BigInt(KERNEL_LAYOUT.kernelData), helpers);
  helpers.register(KERNEL_MODE_UNWIND_ID, 'unwind', unwindHelper);
  const snapshot = (): Uint8Array => {
    const parts = regions.map((r) => r.bytes);
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  return { memory, regions, helpers, snapshot };
}

/** Keys of FIXTURE_HASH in and out (some deleted: tombstones on probe paths), their values random. */
function fillHashTable(table: TestHashTable, rng: Rng): void {
  const key = (k: number): Uint8Array => new Uint8Array(new Uint32Array([k]).buffer);
  for (let k = 0; k < FIXTURE_HASH.keys; k++) if (rng.chance(0.7)) new Uint8Array(table.memory.buffer).set(rng.bytes(FIXTURE_HASH.valueSize), table.insert(key(k)) + table.map.valueOffset);
  for (let k = 0; k < FIXTURE_HASH.keys; k++) if (rng.chance(0.25)) table.delete(key(k));
  if (table.top > HASH_TABLE.at + HASH_TABLE_BYTES) throw new Error('internal: the fixture hash table outgrew its region');
}

/** The helper id the unwind helper has in a mode: the suite's 5, or KERNEL_MODE_UNWIND_ID in kernel mode. */
export const unwindHelperId = (kernel: boolean): number => (kernel ? KERNEL_MODE_UNWIND_ID : UNWIND_HELPER_ID);

/** What a kernel-mode program is compiled with: what to inline, and the helper ABI. */
export type FixtureCompileOptions = Pick<CompileOptions, 'maps' | 'inlineKernelData' | 'typedHelpers'>;

/**
 * How the JIT compiles kernel-mode programs: every lookup and kernel data helper it can inline,
 * inlined; the calls left (lookups it cannot prove) with the typed helper ABI.
 */
export const FIXTURE_INLINING: FixtureCompileOptions = { maps: FIXTURE_MAPS, inlineKernelData: true, typedHelpers: true };

/** Nothing inlined: every helper called with the typed ABI (the kernel data helpers' fast forms). */
export const FIXTURE_TYPED_CALLS: FixtureCompileOptions = { typedHelpers: true };

/** The JIT over a fixture: compiled with `options` (default FIXTURE_INLINING), the fixture's helpers and block. */
export function jitInKernelFixture(insns: readonly Instruction[], fixture: KernelFixture, options: FixtureCompileOptions = FIXTURE_INLINING): JitProgram {
  const compiled = compile(insns, { ...options, memory: { initial: KERNEL_LAYOUT.pages, maximum: KERNEL_LAYOUT.pages, shared: true } });
  return new JitProgram(compiled, { memory: fixture.memory, helpers: fixture.helpers, kernelData: KERNEL_LAYOUT.kernelData });
}

/**
 * Runs a kernel-mode program once in a fresh fixture on one engine: r1 = the input, r2 = its
 * length. The JIT inlines what `options` lets it (default FIXTURE_INLINING); the interpreter calls
 * the fixture's JavaScript helpers. Returns r0 and the fixture's snapshot after the run.
 */
export function runInKernelFixture(
  program: { readonly seed: number; readonly insns: readonly Instruction[]; readonly input: Uint8Array },
  engine: 'interp' | 'jit',
  options: FixtureCompileOptions = FIXTURE_INLINING,
): { r0: bigint; memory: Uint8Array } {
  const fixture = kernelFixture(program.seed, program.input);
  const args = [BigInt(KERNEL_LAYOUT.input), BigInt(program.input.length)];
  const r0 =
    engine === 'interp'
      ? new Interpreter(program.insns, { helpers: fixture.helpers }).execute({ memory: new AddressSpace(fixture.regions), args }).r0
      : jitInKernelFixture(program.insns, fixture, options).run(args, BigInt(KERNEL_LAYOUT.stackTop));
  return { r0, memory: fixture.snapshot() };
}
