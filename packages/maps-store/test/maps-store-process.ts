import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NatsConnection } from '@nats-io/transport-node';

/** The maps-store as its own OS process (dist/main.js), for integration tests against a real NATS server. */
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface MapsStoreProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far. */
  out(): string;
}

/** Starts dist/main.js against `natsUrl` and resolves once it serves. */
export function startMapsStore(natsUrl: string, env: NodeJS.ProcessEnv = {}): Promise<MapsStoreProcess> {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, NATS_URL: natsUrl, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`maps-store did not start: ${out}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('serving')) {
        clearTimeout(timer);
        resolve({ child, out: () => out });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`maps-store exited with ${code}: ${out}`)));
  });
}

/** A reply: the errno from the Nats-Service-Error-Code header when it is an error, and the JSON body. */
export interface Reply {
  readonly error?: string;
  readonly body: Record<string, unknown>;
}

/** One request/reply on `subject` with a JSON body (a string is sent as is). */
export async function call(nc: NatsConnection, subject: string, body: unknown, timeout = 5_000): Promise<Reply> {
  const msg = await nc.request(subject, typeof body === 'string' ? body : JSON.stringify(body), { timeout });
  const error = msg.headers?.get('Nats-Service-Error-Code') || undefined;
  return { ...(error !== undefined && { error }), body: JSON.parse(msg.string()) as Record<string, unknown> };
}

/** call() that throws on an errno reply. */
export async function ok(nc: NatsConnection, subject: string, body: unknown, timeout = 5_000): Promise<Record<string, unknown>> {
  const reply = await call(nc, subject, body, timeout);
  if (reply.error) throw new Error(`${subject}: errno ${reply.error}: ${String(reply.body.message)}`);
  return reply.body;
}
