import { type NatsConnection, connect } from '@nats-io/transport-node';

/** The NATS server at a URL did not answer. */
export class NatsUnreachableError extends Error {}

/**
 * Connects to `url`, failing within `timeoutMs` with NatsUnreachableError when nothing answers
 * there; `origin` ("from NATS_URL", "--nats") says in the message where the URL came from.
 * Once connected it reconnects forever, as the services do.
 */
export async function connectChecked(url: string, origin: string, name: string, timeoutMs = 5_000): Promise<NatsConnection> {
  try {
    return await connect({ servers: url, name, timeout: timeoutMs, noAsyncTraces: true, maxReconnectAttempts: -1 });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new NatsUnreachableError(`no NATS server answers at ${url} (${origin}): ${why}`);
  }
}
