/**
 * @bpfhive/kernel-sim — the simulated kernel: the program table, BPF_PROG_LOAD through the
 * verifier and the JIT, helpers, contexts, BPF_PROG_TEST_RUN (core/), and the NATS micro service
 * `kernel-sim` (service/), links and the hooks the simulated world fires (core/links, core/hooks,
 * world/). Worker-thread CPUs come later.
 */
export * from './core/index.js';
export * from './core/btf/index.js';
export { startKernelService, type KernelServiceOptions } from './service/kernel-service.js';
export { addBtfEndpoints } from './service/btf-endpoints.js';
export { NatsVerifier } from './service/nats-verifier.js';
export { NatsCompiler, compiledFromReply } from './service/nats-compiler.js';
export { natsTracePipe } from './service/outputs.js';
export { PerfEvents, type PerfEventOpenAttr, type PerfSink, DEFAULT_PERF_PAGES } from './core/perf/perf-events.js';
export { StatsSwitch, BpfStatsType } from './core/run/stats.js';
export { natsPerfSink, wirePerfRecord } from './service/perf-outputs.js';
export { addPerfEndpoints } from './service/perf-endpoints.js';
export * from './kbtf/index.js';
/** The simulated world (devices, packets, traffic, pcap, processes, scenarios), as one namespace: its names overlap the kernel's. */
export * as world from './world/index.js';
export { addSimulation, natsSimulation, type SimServiceOptions } from './service/sim-service.js';
export { NatsSimOutputs, FLOWLOG_PER_BATCH } from './service/sim-outputs.js';
export { addLinkEndpoints } from './service/link-endpoints.js';
export { addSimEndpoints } from './service/sim-endpoints.js';
