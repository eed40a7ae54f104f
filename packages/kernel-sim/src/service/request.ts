import { type NatsConnection, RequestError, TimeoutError } from '@nats-io/transport-node';
import { BpfError, RemoteBpfError, parseJson } from '@bpfhive/uapi';

/**
 * One request to another bpfhive service, the JSON body of its reply back. An errno reply
 * (Nats-Service-Error-Code header, WireError body) becomes a RemoteBpfError with the same errno,
 * message and log; no service listening is EAGAIN and no answer in time ETIMEDOUT, both naming the
 * subject, so a load fails cleanly when the verifier or the JIT is down.
 */
export async function requestJson(nc: NatsConnection, subject: string, body: unknown, timeoutMs: number): Promise<unknown> {
  let reply;
  try {
    reply = await nc.request(subject, JSON.stringify(body), { timeout: timeoutMs });
  } catch (e) {
    if (e instanceof RequestError && e.isNoResponders()) throw new BpfError('EAGAIN', `${subject}: no service is answering`, { cause: e });
    if (e instanceof TimeoutError || (e instanceof Error && e.cause instanceof TimeoutError)) {
      throw new BpfError('ETIMEDOUT', `${subject}: no answer within ${timeoutMs} ms`, { cause: e });
    }
    throw e;
  }
  const value = parseJson(reply.data, subject);
  if (reply.headers?.get('Nats-Service-Error-Code')) {
    const error = value as { errno?: unknown; code?: unknown; message?: unknown; log?: unknown };
    throw new RemoteBpfError(
      typeof error.errno === 'number' ? error.errno : Number(reply.headers.get('Nats-Service-Error-Code')),
      typeof error.code === 'string' ? error.code : 'EIO',
      `${subject}: ${typeof error.message === 'string' ? error.message : 'failed'}`,
      typeof error.log === 'string' ? error.log : undefined,
    );
  }
  return value;
}
