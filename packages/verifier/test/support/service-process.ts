import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built verifier service, run as its own OS process. */
export const VERIFIER_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/**
 * Starts `node dist/main.js` with `env` added to this process's environment; resolves once it
 * prints that it is serving, rejects with its output if it exits first or is not up in 15 s
 * (and then kills it).
 */
export function startVerifierProcess(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [VERIFIER_MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`verifier service did not start: ${out}`));
    }, 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('serving')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`verifier service exited with ${code}: ${out}`)));
  });
}

/** The exit code of `child` once it has exited. */
export function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
