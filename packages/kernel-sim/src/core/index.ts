/**
 * The kernel-sim core: pure, no NATS. The Kernel and its ports, the program table, the load
 * pipeline, helpers, contexts and BPF_PROG_TEST_RUN.
 */
export { Kernel, type KernelOptions, type KernelPorts } from './kernel.js';
export type { Clock, MapProvider, RandomSource, TraceOutput } from './ports.js';
export { systemClock, mathRandom, discardTrace } from './defaults.js';
export type { ProgramVerifier, VerifyMapInfo, VerifyRequest, VerifyResult, VerifyStats } from './verify/types.js';
export type { CompileInput, CompiledModule, ProgramCompiler } from './compile/types.js';
export { InProcessCompiler } from './compile/in-process.js';
export { withCallbackDispatcher } from './compile/callbacks.js';
export { LocalMapProvider } from './maps/local-provider.js';
export type { KernelMap, MapArg } from './maps/kernel-maps.js';
export type { ProgLoadAttr } from './load/attr.js';
export type { LoadResult } from './load/loader.js';
export { ProgramRejectedError } from './load/rejection.js';
export { programTag, tagHex } from './load/tag.js';
export { isGplCompatible } from './load/license.js';
export type { LoadedProgram, ProgramStats } from './programs/program.js';
export type { ProgInfo } from './programs/info.js';
export type { TestRunAttr, TestRunResult } from './test-run/index.js';
export { type SliceOptions, TEST_RUN_DEADLINE_MS, TEST_RUN_SLICE_MS } from './test-run/index.js';
export { Cpu } from './run/cpu.js';
export type { RunOptions, RunResult } from './run/runner.js';
export type { RedirectTarget, RunState } from './run/run-state.js';
export type { ProgArrayReader } from './run/tail-call.js';
export { CpuThreads, type CpuThreadsOptions, type ThreadBatch, runsOnThread } from './workers/index.js';
export { type Task, SYSCALL_TASK } from './tasks.js';
export { type NetDevice, type NetDevices, LOOPBACK } from './net/devices.js';
export * from './contexts/layout.js';
export { buildXdpContext } from './contexts/xdp.js';
export { buildSkbContext } from './contexts/skb.js';
export { buildArgsContext, placeContext } from './contexts/tracing.js';
export { buildSockAddr } from './contexts/sock-addr.js';
export type { ContextBatch } from './kernel.js';
export * from './links/index.js';
export * from './hooks/index.js';
