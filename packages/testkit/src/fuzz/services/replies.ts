/**
 * What a well-formed reply is (DESIGN.md §2): an error reply carries the errno number in the
 * `Nats-Service-Error-Code` header and a body `{errno, code, message, log?}` that agrees with
 * it; any other reply is JSON that matches the subject's reply schema. An EFAULT "internal
 * error" is malformed too: it is what a service sends for an exception it did not expect.
 */
import { ErrorReplySchema, type WireError, type WireSchema, errnoNumber, validateWire } from '@bpfhive/uapi';
import type { Msg } from '@nats-io/transport-node';
import type { Json } from '../json.js';

export const ERROR_CODE_HEADER = 'Nats-Service-Error-Code';

/** A reply that breaks the rules above; the message says which. */
export class MalformedReplyError extends Error {}

/** The reply's outcome ('ok' or the errno name) and body. Throws MalformedReplyError. */
export function checkReply(msg: Msg, schema: WireSchema | undefined): { outcome: string; body: Json } {
  const text = new TextDecoder().decode(msg.data);
  let body: Json;
  try {
    body = JSON.parse(text) as Json;
  } catch {
    throw new MalformedReplyError(`the reply is not JSON: ${text.slice(0, 200)}`);
  }
  const header = msg.headers?.get(ERROR_CODE_HEADER);
  if (!header) {
    if (schema) check(() => validateWire(schema, body), 'the reply');
    return { outcome: 'ok', body };
  }
  const error = check(() => validateWire<WireError>(ErrorReplySchema, body), 'the error reply');
  if (String(error.errno) !== header) throw new MalformedReplyError(`${ERROR_CODE_HEADER} ${header} but errno ${error.errno} in the body`);
  if (errnoNumber(error.code) !== error.errno) throw new MalformedReplyError(`errno ${error.errno} is not ${error.code}`);
  if (error.code === 'EFAULT' && error.message.startsWith('internal error')) throw new MalformedReplyError(`an unexpected exception in the service: ${error.message}`);
  return { outcome: error.code, body };
}

function check<T>(validate: () => T, what: string): T {
  try {
    return validate();
  } catch (e) {
    throw new MalformedReplyError(`${what} does not match its schema: ${(e as Error).message}`);
  }
}
