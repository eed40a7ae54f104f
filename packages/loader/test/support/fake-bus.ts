/**
 * Ways to put a FakeKernel behind a BpfClient: in-process (a stand-in NatsConnection whose
 * request() answers at once, so the real client code — routing, schema checks, errno replies —
 * runs unchanged), or over a real NATS server for the CLI, which connects by itself.
 */
import { type Msg, type NatsConnection, type Subscription, headers } from '@nats-io/transport-node';
import { type ReplyableMessage, SUBJECT_PREFIX, parseJson, respond } from '@bpfhive/uapi';
import { BpfClient } from '../../src/client/index.js';
import type { FakeKernel } from './fake-kernel.js';

/** A BpfClient whose every request `kernel` answers in-process. */
export function fakeClient(kernel: FakeKernel): BpfClient {
  const nc = {
    async request(subject: string, payload: string) {
      let reply: { data: string; headers?: Map<string, string> } = { data: '' };
      const msg: ReplyableMessage = {
        data: new TextEncoder().encode(payload),
        subject,
        respond: (data) => ((reply = { data }), true),
        respondError: (code, description, data) => ((reply = { data: data ?? '', headers: new Map([['Nats-Service-Error-Code', String(code)], ['Nats-Service-Error', description]]) }), true),
      };
      await respond(msg, () => kernel.handle(subject, parseJson(msg.data, subject) as Record<string, unknown>));
      return { headers: reply.headers && { get: (name: string) => reply.headers!.get(name) ?? '' }, string: () => reply.data };
    },
  };
  return new BpfClient(nc as unknown as NatsConnection, { retryMs: 0 });
}

/** The subjects the kernel-sim serves: what `serveProgramsOverNats` answers (with the pin references a maps-store asks for). */
const PROGRAM_SUBJECTS = [`${SUBJECT_PREFIX}.prog_load`, `${SUBJECT_PREFIX}.prog.*.*`, `${SUBJECT_PREFIX}.prog_get_next_id`, `${SUBJECT_PREFIX}.internal.prog.*.*`];

/** Serves the program subjects of `kernel` on `nc` (the maps stay with the maps-store); returns the subscriptions. */
export async function serveProgramsOverNats(nc: NatsConnection, kernel: FakeKernel): Promise<Subscription[]> {
  const subscriptions = PROGRAM_SUBJECTS.map((subject) => nc.subscribe(subject, { callback: (err, msg) => void (err ?? answer(kernel, msg)) }));
  await nc.flush();
  return subscriptions;
}

function answer(kernel: FakeKernel, msg: Msg): Promise<void> {
  const replyable: ReplyableMessage = {
    data: msg.data,
    subject: msg.subject,
    respond: (data) => msg.respond(data),
    respondError: (code, description, data) => {
      const h = headers();
      h.set('Nats-Service-Error-Code', String(code));
      h.set('Nats-Service-Error', description);
      return msg.respond(data, { headers: h });
    },
  };
  return respond(replyable, () => kernel.handle(msg.subject, parseJson(msg.data, msg.subject) as Record<string, unknown>));
}
