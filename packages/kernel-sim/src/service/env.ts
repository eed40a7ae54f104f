import { type IdentityPolicy, type NatsConnectOptions, identityPolicyFromEnv, natsConnectOptions } from '@bpfhive/uapi';

/**
 * The kernel-sim's configuration: environment variables only (documented in the root README).
 *   NATS_URL, NATS_USER, NATS_PASSWORD, NATS_TOKEN   the NATS server and login (uapi natsConnectOptions)
 *   BPFHIVE_IDENTITY, BPFHIVE_ROLES                   who may do what (uapi identityPolicyFromEnv)
 *   KERNEL_SIM_CPUS          simulated CPUs; per-CPU maps keep a value for each (default 4)
 *   KERNEL_SIM_JIT           `nats`: compile through the jit service; `local`: in this process (default nats)
 *   KERNEL_SIM_MEMORY_PAGES  the kernel memory's limit in 64 KiB pages (default 16384 = 1 GiB)
 */
export interface KernelSimConfig {
  readonly nats: NatsConnectOptions;
  readonly identity: IdentityPolicy;
  readonly cpus: number;
  readonly jit: 'nats' | 'local';
  readonly memoryPages: number;
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
    cpus: wholeNumber(env, 'KERNEL_SIM_CPUS', 4, 1, 1024),
    jit,
    memoryPages: wholeNumber(env, 'KERNEL_SIM_MEMORY_PAGES', 16384, 64, 65536),
  };
}
