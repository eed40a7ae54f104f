import type { ChildProcess } from 'node:child_process';

/** How long a process gets between SIGTERM and SIGKILL. */
export const STOP_GRACE_MS = 5_000;

/** True while the process has not exited. */
export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * Stops a child the way init systems do: SIGTERM, then SIGKILL once `graceMs` have passed.
 * Resolves when it has exited (at once if it already had); never rejects.
 */
export function stopProcess(child: ChildProcess, graceMs: number = STOP_GRACE_MS): Promise<void> {
  if (!isRunning(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
