/** The first restart waits this long; each failure in a row doubles it, up to RESTART_MAX_MS. */
export const RESTART_FIRST_MS = 500;
export const RESTART_MAX_MS = 30_000;
/** A process that ran this long before it died is not failing in a loop: its backoff starts over. */
export const RESTART_STABLE_MS = 30_000;

/** How long to wait before restart number `failures` + 1 of a process that keeps failing. */
export function restartDelayMs(failures: number): number {
  return Math.min(RESTART_FIRST_MS * 2 ** Math.min(failures, 16), RESTART_MAX_MS);
}

/** "0.5 s", "30 s": a delay as `up` prints it. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
