import { describe, expect, it } from 'vitest';
import { type ReplyableMessage, respond } from './respond.js';

/** A message whose respond() refuses bodies over `maxPayload`, as nats.js refuses them (thrown, nothing sent). */
function cappedMessage(maxPayload: number): ReplyableMessage & { replies: string[]; errors: { code: number; description: string; data?: string }[] } {
  const replies: string[] = [];
  const errors: { code: number; description: string; data?: string }[] = [];
  return {
    data: new Uint8Array(),
    subject: 'bpf.v1.map.3.lookup_batch',
    replies,
    errors,
    respond: (data) => {
      if (data.length > maxPayload) throw new Error("'payload' max_payload size exceeded");
      replies.push(data);
      return true;
    },
    respondError: (code, description, data) => {
      errors.push({ code, description, ...(data !== undefined && { data }) });
      return true;
    },
  };
}

describe('respond - replies larger than NATS carries', () => {
  it('a reply over max_payload is an E2BIG reply that says how big it was, not EFAULT', async () => {
    const msg = cappedMessage(100);
    await respond(msg, () => ({ keys: 'x'.repeat(200) }));
    expect(msg.replies).toEqual([]);
    expect(msg.errors).toEqual([{ code: 7, description: expect.stringMatching(/^bpf\.v1\.map\.3\.lookup_batch: the reply would be 211 bytes, more than NATS carries in one message \(max_payload\); ask for less/), data: expect.stringContaining('"code":"E2BIG"') }]);
  });

  it('a reply under the cap goes out as it is', async () => {
    const msg = cappedMessage(100);
    await respond(msg, () => ({ ok: true }));
    expect(msg.replies).toEqual(['{"ok":true}']);
  });
});
