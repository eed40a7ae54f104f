/**
 * What every bpfhive service reports as the `data` of its NATS micro services STATS
 * (`$SRV.STATS.<name>`, `nats micro stats <name>`): the process's memory, so a load test can
 * watch it over time, plus whatever the service adds (its live objects, each account's use).
 * The micro services library asks once per endpoint; every endpoint carries the same data.
 */

/** The memory part: bytes, as process.memoryUsage() reports them. */
export interface ProcessMemoryStats {
  /** Resident set size of the whole process. */
  readonly rss_bytes: number;
  /** The V8 heap in use. */
  readonly heap_used_bytes: number;
  /** Memory outside the V8 heap: ArrayBuffers, SharedArrayBuffers and WebAssembly memories (the arena). */
  readonly external_bytes: number;
}

/** Takes process.memoryUsage() by default; tests give their own. */
export function processMemoryStats(usage: () => { rss: number; heapUsed: number; external: number } = () => process.memoryUsage()): ProcessMemoryStats {
  const u = usage();
  return { rss_bytes: u.rss, heap_used_bytes: u.heapUsed, external_bytes: u.external };
}

/** A statsHandler for `Svcm.add({statsHandler})`: the process's memory and `extra()` of the service. */
export function serviceStatsHandler(extra: () => Record<string, unknown> = () => ({})): () => Promise<Record<string, unknown>> {
  return () => Promise.resolve({ ...processMemoryStats(), ...extra() });
}
