import { BpfError } from '../errors.js';
import { toWireError } from './error.js';
import { type WireSchema, parseJson, validateWire } from './validate.js';

/**
 * What a service needs of an incoming request: its body and the two ways the NATS micro
 * services API answers (a structural type, so this module stays free of NATS imports).
 */
export interface ReplyableMessage {
  readonly data: Uint8Array;
  readonly subject: string;
  respond(data: string): boolean;
  respondError(code: number, description: string, data?: string): boolean;
}

/**
 * Answers with what `handle` returns (or resolves to), as JSON, or with the error it threw as an
 * errno reply (the number in the Nats-Service-Error-Code header, a WireError body). Never throws
 * or rejects.
 */
export async function respond(msg: ReplyableMessage, handle: () => unknown): Promise<void> {
  try {
    const reply = JSON.stringify(await handle());
    try {
      msg.respond(reply);
    } catch (e) {
      // nats.js refuses a message over the server's max_payload: the one reply too big for the bus.
      if (!(e instanceof Error && /max_payload/.test(e.message))) throw e;
      throw new BpfError('E2BIG', `${msg.subject}: the reply would be ${reply.length} bytes, more than NATS carries in one message (max_payload); ask for less (a smaller count)`);
    }
  } catch (e) {
    const error = toWireError(e);
    // The description travels in a NATS header, where \r and \n are refused (the header value
    // would end there): one line in the header, the whole message in the JSON body.
    msg.respondError(error.errno, headerSafe(error.message), JSON.stringify(error));
  }
}

/** `text` on one line, as a NATS header value must be. */
function headerSafe(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/** respond() for a request whose JSON body must match `schema`: parse, validate, handle. */
export function serve<T>(msg: ReplyableMessage, schema: WireSchema, handle: (request: T) => unknown): Promise<void> {
  return respond(msg, () => handle(validateWire<T>(schema, parseJson(msg.data, msg.subject))));
}
