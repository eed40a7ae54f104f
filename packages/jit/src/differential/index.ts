/**
 * @bpfhive/jit/differential — differential testing of the engines: a seeded generator of random
 * valid programs (randomProgram), a runner that compares the interpreter with the JIT on them
 * (runDifferential, describeMismatch), and coverage counts (countFamilies). Used by
 * src/compiler/differential.test.ts and scripts/differential.mjs.
 */
export { FEATURES, type Feature, MAX_PROGRAM_INSNS, MIN_PROGRAM_INSNS, type RandomProgram, randomProgram } from './random-program.js';
export { type DifferentialResult, type EngineOutcome, describeMismatch, runDifferential } from './compare.js';
export { countFamilies, instructionFamily } from './coverage.js';
export { Rng } from './rng.js';
