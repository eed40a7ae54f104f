/**
 * The reference interpreter: the Interpreter, its memory model, hooks, registries and errors.
 */
export { Interpreter } from './interpreter.js';
export type { ExecuteInput, ExecuteResult, InterpreterOptions, RunOptions, RunResult, RunSettings } from './interpreter.js';
export { PreparedProgram } from './program.js';
export type { ProgramOptions } from './program.js';
export { AddressSpace, readLittleEndian, writeLittleEndian } from './memory.js';
export type { Location, Region } from './memory.js';
export { HelperRegistry, KfuncRegistry } from './registry.js';
export type { CallArgs, CallableFunction, FastForm, FastFunction, RegisteredFunction } from './registry.js';
export type { CallEnv } from './env.js';
export type {
  AddressSpaceCast,
  LdImm64Request,
  LdImm64Resolver,
  PacketSource,
  TailCallHook,
  TailCallRequest,
} from './hooks.js';
export type { StepEvent } from './machine.js';
export {
  CallDepthError,
  CallError,
  ExecutionError,
  MemoryAccessError,
  MemoryFault,
  ProgramError,
  StepLimitError,
} from './errors.js';
export type { AccessKind } from './errors.js';
export * from './layout.js';
export * from './limits.js';
