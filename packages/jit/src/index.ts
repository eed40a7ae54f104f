/**
 * @bpfhive/jit — execution engines.
 *
 * - interp/: the reference interpreter (Interpreter), its address space, hooks and errors
 * - compiler/: the eBPF -> WebAssembly compiler (compile) and its runtime (JitProgram)
 * - kernel/: what inlined helpers read: the per-CPU kernel data block, inlinable map descriptors
 * - wasm/: the WebAssembly IR, binary encoder and WAT printer
 * - conformance/: the bpf_conformance suite's helpers (the `.data` reader lives in @bpfhive/uapi)
 */
export * from './interp/index.js';
export * from './compiler/index.js';
export * from './kernel/index.js';
export * from './wasm/index.js';
export { UNWIND_HELPER_ID, conformanceHelpers, unwindHelper } from './conformance/helpers.js';
export {
  CONFORMANCE_ENGINES,
  type ConformanceEngine,
  isConformanceEngine,
  runConformanceProgram,
  runWithSuiteConvention,
  type SuiteRunResult,
} from './conformance/run.js';
