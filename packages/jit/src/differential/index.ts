/**
 * @bpfhive/jit/differential — differential testing of the engines: a seeded generator of random
 * valid programs (randomProgram; `{ kernel: true }` adds inlinable helpers and map lookups), a
 * runner that compares the interpreter with the JIT on them (runDifferential, describeMismatch;
 * kernel-mode programs run in kernelFixture), coverage counts (countFamilies), hash tables
 * written in the maps-store's layout (TestHashTable), and a fixture where both engines run
 * BPF_PROBE_MEM loads over the same memory (runWithProbeLoads). Used by
 * src/compiler/differential.test.ts and scripts/differential.mjs.
 */
export { FEATURES, type Feature, type GeneratorOptions, MAX_PROGRAM_INSNS, MIN_PROGRAM_INSNS, type RandomProgram, randomProgram } from './random-program.js';
export { KERNEL_FEATURES, type KernelFeature } from './kernel-statements.js';
export {
  FIXTURE_ARRAY,
  FIXTURE_ARRAY_OF_MAPS,
  FIXTURE_HASH,
  FIXTURE_INLINING,
  FIXTURE_TYPED_CALLS,
  type FixtureCompileOptions,
  FIXTURE_MAPS,
  FIXTURE_PERCPU,
  KERNEL_LAYOUT,
  KERNEL_MODE_UNWIND_ID,
  type KernelFixture,
  jitInKernelFixture,
  kernelFixture,
  runInKernelFixture,
} from './kernel-fixture.js';
export { type DifferentialResult, type EngineOutcome, describeMismatch, runDifferential } from './compare.js';
export { countFamilies, instructionFamily } from './coverage.js';
export { Rng } from './rng.js';
export { TestHashTable, type TestHashTableOptions, testHashInlineMap } from './hash-table-writer.js';
export { GUARD_BYTE, PROBE_LAYOUT, kernelByte, runWithProbeLoads } from './probe-fixture.js';
