import { compile } from '@bpfhive/jit';
import { withCallbackDispatcher } from './callbacks.js';
import { type CompileInput, type CompiledModule, KERNEL_COMPILE_OPTIONS, type ProgramCompiler } from './types.js';

/**
 * The ProgramCompiler that runs @bpfhive/jit's compile() in this process. The module imports a
 * shared memory of up to 65,536 pages, which any kernel arena satisfies; it is compiled with
 * KERNEL_COMPILE_OPTIONS, the input's inlinable maps and its probe loads.
 */
export class InProcessCompiler implements ProgramCompiler {
  compile(input: CompileInput): Promise<CompiledModule> {
    try {
      return Promise.resolve(
        compile(withCallbackDispatcher(input.insns), {
          memory: { initial: 1, maximum: 65536, shared: true },
          ...KERNEL_COMPILE_OPTIONS,
          ...(input.maps && { maps: input.maps }),
          ...(input.probeLoads && { probeLoads: input.probeLoads }),
        }),
      );
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }
}
