import { type Msg, headers } from '@nats-io/transport-node';
import type { ReplyableMessage } from '@bpfhive/uapi';

/**
 * A core NATS request as uapi's respond()/serve() answer it: what a micro service's ServiceMsg
 * offers, for requests that reach the kernel on a plain subscription (the maps it leases). An
 * error reply carries the errno in the Nats-Service-Error-Code header, as every service's does.
 */
export function replyable(msg: Msg): ReplyableMessage {
  return {
    data: msg.data,
    subject: msg.subject,
    respond: (data) => msg.respond(data),
    respondError: (code, description, data) => {
      const h = headers();
      h.set('Nats-Service-Error-Code', String(code));
      h.set('Nats-Service-Error', description);
      return msg.respond(data ?? '', { headers: h });
    },
  };
}
