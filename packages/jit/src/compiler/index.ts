export { compile, type CompileOptions, type CompiledProgram, type CompileStats, type MemoryShape } from './compile.js';
export { JitProgram, JitExecutionError, type JitInstanceOptions } from './runtime.js';
export { JitCompileError } from './errors.js';
export type { InlineOptions } from './inline.js';
export { CLASSIC_ABI, type AbiType, type HelperAbi, typedHelperAbi } from './helper-abi.js';
