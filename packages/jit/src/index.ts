/**
 * @bpfhive/jit — execution engines.
 *
 * - interp/: the reference interpreter (Interpreter), its address space, hooks and errors
 * - conformance/: the bpf_conformance suite's helpers (the `.data` reader lives in @bpfhive/uapi)
 */
export * from './interp/index.js';
export { UNWIND_HELPER_ID, conformanceHelpers, unwindHelper } from './conformance/helpers.js';
export {
  CONFORMANCE_ENGINES,
  type ConformanceEngine,
  isConformanceEngine,
  runConformanceProgram,
} from './conformance/run.js';
