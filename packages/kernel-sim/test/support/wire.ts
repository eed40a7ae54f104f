import type { NatsConnection } from '@nats-io/transport-node';
import { Subjects, asm, encode, toBase64 } from '@bpfhive/uapi';

/** A reply: the errno header when it failed, and the JSON body. */
export interface Reply {
  error?: string;
  body: Record<string, unknown>;
}

/**
 * Requests to the kernel-sim as a client makes them, over the connection `connection()` gives
 * once the test has one: `call` (any reply), `ok` (the body, or a thrown Error naming the errno),
 * `fails` (the errno name), and `load`/`link` for programs in assembly and their links.
 */
export function wireCalls(connection: () => NatsConnection) {
  const call = async (subject: string, body: unknown): Promise<Reply> => {
    const msg = await connection().request(subject, typeof body === 'string' ? body : JSON.stringify(body), { timeout: 10_000 });
    const error = msg.headers?.get('Nats-Service-Error-Code') || undefined;
    return { ...(error !== undefined && { error }), body: JSON.parse(msg.string()) as Record<string, unknown> };
  };
  const ok = async <T = Record<string, unknown>>(subject: string, body: unknown): Promise<T> => {
    const reply = await call(subject, body);
    if (reply.error) throw new Error(`${subject}: errno ${reply.error}: ${String(reply.body.message)}`);
    return reply.body as T;
  };
  const fails = async (subject: string, body: unknown): Promise<unknown> => (await call(subject, body)).body.code;
  const load = async (prog_type: string, text: string, extra: Record<string, unknown> = {}): Promise<number> =>
    (await ok<{ prog_id: number }>(Subjects.progLoad, { prog_type, insns: toBase64(encode(asm`${text}`)), license: 'GPL', ...extra })).prog_id;
  const link = async (body: Record<string, unknown>): Promise<number> => (await ok<{ link_id: number }>(Subjects.linkCreate, body)).link_id;
  return { call, ok, fails, load, link };
}
