import type { PingReply } from './micro-ping.js';

/** What `up` says once everything answers. */
export interface ReadySummary {
  readonly natsUrl: string;
  /** How the NATS server came to be, e.g. "started here, JetStream store in …" or "from NATS_URL". */
  readonly natsOrigin: string;
  /** The services that run, in start order, with the instances that answered their ping. */
  readonly services: ReadonlyArray<{ readonly name: string; readonly instances: readonly PingReply[] }>;
  /** Services that have no built entry point. */
  readonly missing: readonly string[];
}

/** The line that starts the ready message; tests and scripts wait for it. */
export const READY_LINE = 'bpfhive up: ready';

/**
 * The ready message: the NATS URL, the line to paste into another shell, and every service with
 * its instance ids (as `nats micro ls` shows them).
 */
export function formatReady(s: ReadySummary): string {
  const width = Math.max(...s.services.map((svc) => svc.name.length));
  const lines = [
    READY_LINE,
    `  nats      ${s.natsUrl} (${s.natsOrigin})`,
    ...s.services.map((svc, i) => {
      const head = i === 0 ? '  services  ' : '            ';
      const ids = svc.instances.map((r) => r.id).join(', ');
      const count = svc.instances.length === 1 ? '1 instance ' : `${svc.instances.length} instances`;
      return `${head}${svc.name.padEnd(width)}  ${count}  ${ids}`;
    }),
  ];
  if (s.missing.length > 0) lines.push(`  missing   ${s.missing.join(', ')} (not built, or not written yet)`);
  lines.push('Connect from another shell with:', `  export NATS_URL=${s.natsUrl}`, 'Press Ctrl-C to stop everything.', '');
  return lines.join('\n');
}
