/**
 * A small seeded fuzzing toolkit. It depends on nothing but Node, so any package's tests may
 * import it (uapi's by path: testkit depends on uapi, not the other way round).
 *
 * - Prng, nextSeed, parseSeed: a seeded generator and the seeds of a run's cases
 * - mutateBytes: flips, interesting values, insertions, deletions, splices, truncation
 * - mutateText: token, line and character edits of assembly-like text
 * - mutateJson / mutateJsonBody: a valid request with wrong types, edge numbers, missing and
 *   extra fields, invalid base64, long strings, deep nesting; mangled and odd bodies
 * - exampleOf: a valid instance of a JSON Schema to start from
 * - randomXdpProgram / mutateInsns: random and mutated eBPF programs for verifier soundness fuzzing
 * - runFuzz / fuzz / fuzzRun: the loop, its report and one-line summary, and the budget that
 *   is fixed in CI and set by scripts/fuzz.mjs for long runs
 */
export { Prng, nextSeed, parseSeed, formatSeed } from './prng.js';
export { INTERESTING_8, INTERESTING_16, INTERESTING_32, INTERESTING_NUMBERS, INTERESTING_STRINGS, INVALID_BASE64 } from './interesting.js';
export { type ByteMutationOptions, type ByteMutatorName, type ByteRange, concat, mutateBytes } from './bytes.js';
export { type TextMutationOptions, interestingNumberText, mutateText } from './text.js';
export { type Json, type JsonMutationOptions, jsonPaths, mutateJson, mutateJsonBody } from './json.js';
export { type SchemaNode, SchemaExampleError, exampleOf } from './schema-example.js';
export { GENERATED_ARRAY_MAP, GENERATED_HELPERS, mutateInsns, randomXdpProgram, randomXdpText } from './programs/index.js';
export {
  type FuzzBudget,
  type FuzzFinding,
  type FuzzReport,
  type FuzzTarget,
  formatFindings,
  formatFuzzReport,
  reproducer,
  runFuzz,
} from './runner.js';
export { type FixedRun, type FuzzRun, fuzz, fuzzRun, recordFuzzReport } from './env.js';
