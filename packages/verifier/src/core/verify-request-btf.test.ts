import { HelperId as H, type VerifyRequest, assemble, encode, toBase64 } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { verifyRequest } from './verify-request.js';

/** What the wire carries of BTF for global functions (func_info linkage and proto) and timers (timer_off, btf). */
const base = (text: string, extra: Partial<VerifyRequest> = {}): VerifyRequest => ({
  prog_type: 'sched_cls',
  insns: toBase64(encode(assemble(text))),
  license: 'GPL',
  maps: [],
  ...extra,
});

const ctxArg = { kind: 'PTR', pointee: { kind: 'STRUCT', name: '__sk_buff', size: 192 } };
const intType = { kind: 'INT' };

describe('verify request - BTF of functions and maps', () => {
  const callsLen = `
    call len
    exit
    len:
    r0 = *(u32 *)(r1 + 0)
    exit`;

  it('a global function from func_info is verified against its prototype, once, on its own', () => {
    const func_info = [
      { insn_off: 0, type_id: 1, name: 'main', linkage: 'global' as const, proto: { ret: intType, args: [{ name: 'skb', type: ctxArg }] } },
      { insn_off: 2, type_id: 2, name: 'len', linkage: 'global' as const, proto: { ret: intType, args: [{ name: 'skb', type: ctxArg }] } },
    ];
    const reply = verifyRequest(base(callsLen, { log_level: 1, func_info }));
    expect(reply.verdict).toBe('accept');
    expect(reply.log).toContain("Func#1 ('len') is global and assumed valid.\n");
    expect(reply.log).toContain('Validating len() func#1...\n');
  });

  it('without linkage the same function is static: explored at the call, no validation of its own', () => {
    const reply = verifyRequest(base(callsLen, { log_level: 1, func_info: [{ insn_off: 0, type_id: 1, name: 'main' }, { insn_off: 2, type_id: 2, name: 'len' }] }));
    expect(reply.verdict).toBe('accept');
    expect(reply.log).not.toContain('Validating');
  });

  it('a prototype taking a scalar refuses the context pointer at the call', () => {
    const func_info = [
      { insn_off: 0, type_id: 1, name: 'main', linkage: 'global' as const },
      { insn_off: 2, type_id: 2, name: 'len', linkage: 'global' as const, proto: { ret: intType, args: [{ type: intType }] } },
    ];
    expect(verifyRequest(base(callsLen, { func_info }))).toMatchObject({ verdict: 'reject', code: 'EINVAL', error: { message: "Caller passes invalid args into func#1 ('len')" } });
  });

  const timer = `
    *(u32 *)(r10 - 4) = 0
    r2 = r10
    r2 += -4
    ld_pseudo r1, 1, 7
    call ${H.map_lookup_elem}
    if r0 == 0 goto out
    r1 = r0
    ld_pseudo r2, 1, 7
    r3 = 1
    call ${H.timer_init}
    out:
    r0 = 0
    exit`;
  const timerMap = { map_id: 7, map_type: 'array', key_size: 4, value_size: 16, max_entries: 1, map_flags: 0, name: 'timers' };

  it('a map with timer_off has a bpf_timer there; without BTF it has none to use', () => {
    expect(verifyRequest(base(timer, { maps: [{ ...timerMap, timer_off: 0 }] })).verdict).toBe('accept');
    expect(verifyRequest(base(timer, { maps: [timerMap] }))).toMatchObject({ verdict: 'reject', error: { message: "map 'timers' has to have BTF in order to use bpf_timer" } });
    expect(verifyRequest(base(timer, { maps: [{ ...timerMap, btf: true }] }))).toMatchObject({ verdict: 'reject', error: { message: "map 'timers' has no valid bpf_timer" } });
  });
});
