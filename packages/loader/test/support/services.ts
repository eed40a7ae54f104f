/**
 * The bpfhive services as child processes for integration tests, each started the way it runs
 * for real (`node packages/<svc>/dist/main.js`, configured by environment variables) and
 * considered up once it prints that it is serving. Their service adapters are not exported
 * from their packages, so a process is the one way in.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = (pkg: string): string => fileURLToPath(new URL(`../../../${pkg}/dist/main.js`, import.meta.url));

export const MAPS_STORE_MAIN = main('maps-store');
export const KERNEL_SIM_MAIN = main('kernel-sim');

/** A service process; `stop()` sends SIGTERM and waits for it to exit. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  stop(): Promise<void>;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
}

/**
 * Starts `node MAIN` with `env` added to this process's environment; resolves once its output
 * says `serving`, rejects with that output if it exits first.
 */
export function startService(mainPath: string, env: Readonly<Record<string, string>>): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [mainPath], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()).includes('serving') && resolve({ child, stop, output: () => out }));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`${mainPath} exited with ${code}: ${out}`)));
  });
}

/** The maps-store on `natsUrl`, keeping pinned maps in a fresh temporary directory. */
export function startMapsStore(natsUrl: string): Promise<ServiceProcess> {
  return startService(MAPS_STORE_MAIN, { NATS_URL: natsUrl, MAPS_STORE_DATA: mkdtempSync(join(tmpdir(), 'bpfhive-maps-store-test-')) });
}

/** Whether the kernel-sim is built (its dist/main.js exists). */
export const kernelSimBuilt = (): boolean => existsSync(KERNEL_SIM_MAIN);

/** The kernel-sim on `natsUrl`, compiling in its own process (KERNEL_SIM_JIT=local). */
export function startKernelSim(natsUrl: string): Promise<ServiceProcess> {
  return startService(KERNEL_SIM_MAIN, { NATS_URL: natsUrl, KERNEL_SIM_JIT: 'local' });
}
