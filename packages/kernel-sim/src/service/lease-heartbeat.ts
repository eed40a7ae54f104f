import type { LeasedMapProvider } from '../core/maps/leased-provider.js';

/**
 * Runs the provider's heartbeat (renewal and checkpoints) three times per lease TTL, each after
 * the previous one finished, until the returned function is called. A failed heartbeat is logged
 * and the next one tries again.
 */
export function startLeaseHeartbeat(provider: LeasedMapProvider, log: (line: string) => void): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const next = (): void => {
    if (stopped) return;
    timer = setTimeout(() => void beat(), Math.max(50, Math.floor(provider.ttlMs / 3)));
    timer.unref();
  };
  const beat = async (): Promise<void> => {
    try {
      await provider.heartbeat();
    } catch (e) {
      log(`lease heartbeat failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    next();
  };
  next();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
