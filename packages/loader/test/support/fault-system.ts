/**
 * The whole system for fault tests: every service its own OS process (dist/main.js, configured by
 * environment variables) on a nats-server the test owns (restartable-nats.ts), with replicas of
 * the stateless services, and the means to SIGKILL and restart any one of them. Needs
 * `npx turbo run build` first.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KERNEL_SIM_MAIN, MAPS_STORE_MAIN, type ServiceProcess, startService } from './services.js';
import type { RestartableNats } from './restartable-nats.js';

export type Role = 'maps-store' | 'verifier' | 'jit' | 'kernel-sim';

const MAINS: Readonly<Record<Role, string>> = {
  'maps-store': MAPS_STORE_MAIN,
  verifier: fileURLToPath(new URL('../../../verifier/dist/main.js', import.meta.url)),
  jit: fileURLToPath(new URL('../../../jit/dist/main.js', import.meta.url)),
  'kernel-sim': KERNEL_SIM_MAIN,
};

export interface FaultSystemOptions {
  readonly verifiers?: number;
  readonly jits?: number;
  /** KERNEL_SIM_JIT: `nats` compiles through the jit replicas; `local` starts none. */
  readonly kernelJit: 'nats' | 'local';
  /** Start a maps-store (default true; programs without maps load without one). */
  readonly mapsStore?: boolean;
  /** MAPS_STORE_LEASE_TTL_MS (default: the maps-store's 10 s). */
  readonly leaseTtlMs?: number;
}

/** The NATS connection name each service gives itself: what the server's /connz lists. */
export const CONNECTION_NAME: Readonly<Record<Role, string>> = {
  'maps-store': 'bpfhive-maps-store',
  verifier: 'bpfhive-verifier',
  jit: 'bpfhive-jit',
  'kernel-sim': 'bpfhive-kernel-sim',
};

/** The services of one test file; `kill` and `restart` act on one replica of a role. */
export class FaultSystem {
  readonly #replicas = new Map<Role, ServiceProcess[]>();
  readonly #env: Readonly<Record<Role, Record<string, string>>>;
  readonly #dataDir = mkdtempSync(join(tmpdir(), 'bpfhive-faults-maps-'));
  /** The output of every process that was killed or stopped, for failure messages. */
  #gone = '';

  private constructor(
    readonly nats: RestartableNats,
    options: FaultSystemOptions,
  ) {
    const common = { NATS_URL: nats.url };
    this.#env = {
      'maps-store': {
        ...common,
        MAPS_STORE_CPUS: '2',
        MAPS_STORE_DATA: this.#dataDir,
        ...(options.leaseTtlMs !== undefined && { MAPS_STORE_LEASE_TTL_MS: String(options.leaseTtlMs) }),
      },
      verifier: common,
      jit: common,
      'kernel-sim': { ...common, KERNEL_SIM_CPUS: '2', KERNEL_SIM_JIT: options.kernelJit },
    };
  }

  /** Starts every service at once (none needs another to start); resolves once all serve. */
  static async start(nats: RestartableNats, options: FaultSystemOptions): Promise<FaultSystem> {
    const system = new FaultSystem(nats, options);
    const jits = options.kernelJit === 'nats' ? (options.jits ?? 1) : 0;
    const started = await Promise.allSettled([
      ...(options.mapsStore === false ? [] : [system.#add('maps-store')]),
      ...Array.from({ length: options.verifiers ?? 1 }, () => system.#add('verifier')),
      ...Array.from({ length: jits }, () => system.#add('jit')),
      system.#add('kernel-sim'),
    ]);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await system.stop();
      throw failed.reason;
    }
    return system;
  }

  /** Replica `index` of `role`. */
  get(role: Role, index = 0): ServiceProcess {
    const replica = this.#replicas.get(role)?.[index];
    if (!replica) throw new Error(`no ${role} #${index} in this system`);
    return replica;
  }

  /** SIGKILL to replica `index` of `role`; resolves once it exited. */
  async kill(role: Role, index = 0): Promise<void> {
    const { child } = this.get(role, index);
    const exited = child.exitCode === null && child.signalCode === null ? once(child, 'exit') : Promise.resolve();
    child.kill('SIGKILL');
    await exited;
    this.#gone += this.get(role, index).output();
  }

  /** Starts replica `index` of `role` again (after kill) with the same environment. */
  async restart(role: Role, index = 0): Promise<ServiceProcess> {
    const replica = await startService(MAINS[role], this.#env[role]);
    this.#replicas.get(role)![index] = replica;
    return replica;
  }

  /** What every process printed, killed ones included: for a failing test's message. */
  logs(): string {
    return this.#gone + [...this.#replicas.values()].flat().map((s) => s.output()).join('');
  }

  /** Stops every service (SIGTERM) and removes the maps-store's data directory. */
  async stop(): Promise<void> {
    const order: Role[] = ['kernel-sim', 'jit', 'verifier', 'maps-store'];
    for (const role of order) await Promise.all((this.#replicas.get(role) ?? []).map((s) => s.stop()));
    rmSync(this.#dataDir, { recursive: true, force: true });
  }

  async #add(role: Role): Promise<void> {
    const replica = await startService(MAINS[role], this.#env[role]);
    const list = this.#replicas.get(role) ?? [];
    list.push(replica);
    this.#replicas.set(role, list);
  }
}
