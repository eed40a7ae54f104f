import { type IdentityPolicy, type LimitPolicy, type NatsConnectOptions, identityPolicyFromEnv, limitPolicyFromEnv, natsConnectOptions } from '@bpfhive/uapi';

/**
 * The kernel-sim's configuration: environment variables only (documented in the root README).
 *   NATS_URL, NATS_USER, NATS_PASSWORD, NATS_TOKEN   the NATS server and login (uapi natsConnectOptions)
 *   BPFHIVE_IDENTITY, BPFHIVE_ROLES                   who may do what (uapi identityPolicyFromEnv)
 *   BPFHIVE_LIMIT_PROGS, _LINKS, _BTFS, _ADMIN        objects per account (uapi limitPolicyFromEnv)
 *   KERNEL_SIM_CPUS          simulated CPUs; per-CPU maps keep a value for each (default 4)
 *   KERNEL_SIM_JIT           `nats`: compile through the jit service; `local`: in this process (default nats)
 *   KERNEL_SIM_MEMORY_PAGES  the kernel memory's limit in 64 KiB pages (default 16384 = 1 GiB)
 *   KERNEL_SIM_STATS         1: programs count run_time_ns and run_cnt from the start (the
 *                            kernel.bpf_stats_enabled sysctl); default 0, on only while a
 *                            bpf.v1.enable_stats handle is held
 *   KERNEL_SIM_CPU_THREADS   1: each simulated CPU runs its batches on a worker thread (Kernel
 *                            option cpuThreads); default 0, every CPU on the service's thread
 */
export interface KernelSimConfig {
  readonly nats: NatsConnectOptions;
  readonly identity: IdentityPolicy;
  readonly limits: LimitPolicy;
  readonly cpus: number;
  readonly jit: 'nats' | 'local';
  readonly memoryPages: number;
  /** KERNEL_SIM_STATS: run statistics always on. */
  readonly stats: boolean;
  /** KERNEL_SIM_CPU_THREADS: simulated CPUs on worker threads. */
  readonly cpuThreads: boolean;
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${env[name]}`);
  return value;
}

export function readKernelSimConfig(env: NodeJS.ProcessEnv): KernelSimConfig {
  const jit = env.KERNEL_SIM_JIT ?? 'nats';
  if (jit !== 'nats' && jit !== 'local') throw new Error(`KERNEL_SIM_JIT must be nats or local, got ${jit}`);
  return {
    nats: natsConnectOptions(env),
    identity: identityPolicyFromEnv(env),
    limits: limitPolicyFromEnv(env),
    cpus: wholeNumber(env, 'KERNEL_SIM_CPUS', 4, 1, 1024),
    jit,
    memoryPages: wholeNumber(env, 'KERNEL_SIM_MEMORY_PAGES', 16384, 64, 65536),
    stats: wholeNumber(env, 'KERNEL_SIM_STATS', 0, 0, 1) === 1,
    cpuThreads: wholeNumber(env, 'KERNEL_SIM_CPU_THREADS', 0, 0, 1) === 1,
  };
}
