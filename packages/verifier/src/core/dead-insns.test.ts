import { type VerifyRequest, assemble, encode, toBase64 } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { verifyRequest } from './verify-request.js';

/** The dead code fact (insn_aux_data.seen): what sanitize_dead_code would overwrite. */
const request = (text: string, extra: Partial<VerifyRequest> = {}): VerifyRequest => ({
  prog_type: 'syscall', insns: toBase64(encode(assemble(text))), license: 'GPL', maps: [], ...extra,
});

describe('verify facts - dead code', () => {
  it('dead insns - a branch proven never taken leaves its instructions unreached, a lddw by both slots, an unknown helper call unchecked', () => {
    const reply = verifyRequest(request(`
      r0 = -1
      r2 = 0 ll
      if r2 == 0 goto +4
      r1 = *(u32 *)(r1 + 0)
      r3 = 5 ll
      call 2002000000
      exit`));
    expect(reply.verdict).toBe('accept');
    expect(reply.facts.dead_insns).toEqual([4, 5, 6, 7]);
  });

  it('dead insns - absent when every instruction is reached, and on a rejection', () => {
    expect(verifyRequest(request('r0 = 0\nexit')).facts.dead_insns).toBeUndefined();
    const refused = verifyRequest(request('r0 = 0\nif r0 == 0 goto +1\ncall 2002000000\nr1 = *(u32 *)(r9 + 0)\nexit'));
    expect([refused.verdict, refused.facts.dead_insns]).toEqual(['reject', undefined]);
  });

  it('dead insns - reached is reached on any path: the same call reached at all is refused as Linux refuses it', () => {
    const reply = verifyRequest(request('r0 = 1\nif r0 == 0 goto +1\ncall 2002000000\nexit'));
    expect([reply.verdict, reply.error?.message]).toEqual(['reject', 'invalid func unknown#2002000000']);
  });
});
