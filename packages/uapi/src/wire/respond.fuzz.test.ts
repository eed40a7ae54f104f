/**
 * Regression tests for what the wire fuzzer (`scripts/fuzz.mjs services`, seed 0x00c0ffee)
 * found in respond(): an error reply whose message holds a line break.
 */
import { describe, expect, it } from 'vitest';
import { type ReplyableMessage, serve } from './respond.js';
import { EmptySchema } from './schemas/index.js';

/**
 * A message that answers as @nats-io/services does: respondError puts `description` in the
 * Nats-Service-Error header, and NATS headers refuse \r and \n (InvalidArgumentError, thrown).
 */
function natsLikeMessage(body: string): ReplyableMessage & { errors: { code: number; description: string }[] } {
  const errors: { code: number; description: string }[] = [];
  return {
    data: new TextEncoder().encode(body),
    subject: 'bpf.v1.map.1.lookup_elem',
    errors,
    respond: () => true,
    respondError: (code, description) => {
      if (/[\r\n]/.test(description)) throw new Error("'header' values cannot contain \\r or \\n");
      errors.push({ code, description });
      return true;
    },
  };
}

describe('respond - error messages that hold line breaks', () => {
  // Found by the fuzzer: respond() passed the error message as the description, which
  // @nats-io/services sends as a header; a message with \n (here JSON.parse's, quoting the
  // body "N\n...") made respondError throw and the service die of the unhandled rejection (the
  // maps-store, with `bpf.v1.map.15.lookup_elem` and the body "N\n\ufffdy\":\"BgAAAA==\"}").
  it('a body that is not JSON and holds a line break still gets an EINVAL reply', async () => {
    const msg = natsLikeMessage('N\n\ufffdy":"BgAAAA=="}');
    await expect(serve(msg, EmptySchema, () => ({}))).resolves.toBeUndefined();
    expect(msg.errors).toEqual([{ code: 22, description: expect.stringContaining('not JSON') }]);
  });
});
