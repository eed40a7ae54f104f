/**
 * @bpfhive/kernel-sim — the simulated kernel: the program table, BPF_PROG_LOAD through the
 * verifier and the JIT, helpers, contexts, BPF_PROG_TEST_RUN (core/), and the NATS micro service
 * `kernel-sim` (service/). Links, hooks, worker-thread CPUs and the simulated world come later.
 */
export * from './core/index.js';
export { startKernelService, type KernelServiceOptions } from './service/kernel-service.js';
export { NatsVerifier } from './service/nats-verifier.js';
export { NatsCompiler, compiledFromReply } from './service/nats-compiler.js';
export { natsTracePipe } from './service/outputs.js';
export * from './kbtf/index.js';
