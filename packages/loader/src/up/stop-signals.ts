/** The signals that stop `up`: Ctrl-C, `kill`/`docker stop`, and a closed terminal. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Calls `handler` with each stop signal the process receives (the first to stop gracefully,
 * a further one to stop at once) instead of the default of dying on the spot.
 * Returns the function that removes the handlers again.
 */
export function onStopSignals(handler: (signal: NodeJS.Signals) => void): () => void {
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, handler);
  };
}
