/**
 * The bpfhive services as child processes, started the way they run for real:
 * `node packages/<svc>/dist/main.js`, configured by environment variables, up once the process
 * prints that it is serving. A service whose dist/main.js is missing (not built) is reported,
 * not started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The services the wire fuzzer starts, in start order. */
export const FUZZED_SERVICES = ['maps-store', 'jit', 'verifier', 'kernel-sim'] as const;
export type ServiceName = (typeof FUZZED_SERVICES)[number];

/** Where a service's entry point is: packages/<name>/dist/main.js (from src/ and dist/ alike). */
export const serviceMain = (name: ServiceName): string => fileURLToPath(new URL(`../../../../${name}/dist/main.js`, import.meta.url));

/** Whether a service is built. */
export const serviceBuilt = (name: ServiceName): boolean => existsSync(serviceMain(name));

/** A running service process. */
export interface ServiceProcess {
  readonly name: ServiceName;
  readonly child: ChildProcess;
  /** True while the process has not exited. */
  alive(): boolean;
  /** The last few kilobytes it printed (stdout and stderr), for a report. */
  output(): string;
  /** Sends SIGTERM and waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_KEPT = 4096;

/**
 * Starts `name` with `env` on top of this process's environment; resolves once its output says
 * `serving`, rejects with that output if it exits first or is not up within `timeoutMs`.
 */
export function startServiceProcess(name: ServiceName, env: Readonly<Record<string, string>>, timeoutMs = 60_000): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [serviceMain(name)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer): void => {
    out = (out + d.toString()).slice(-OUTPUT_KEPT);
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const service: ServiceProcess = {
    name,
    child,
    alive,
    output: () => out,
    async stop(graceMs = 5_000) {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void service.stop();
      reject(new Error(`${name} was not serving within ${timeoutMs} ms: ${out}`));
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      keep(d);
      if (out.includes('serving')) {
        clearTimeout(timer);
        resolve(service);
      }
    });
    child.stderr!.on('data', keep);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code ?? signal}: ${out}`));
    });
  });
}
