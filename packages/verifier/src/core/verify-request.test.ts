import { LOG_SIZE_DEFAULT, type VerifyRequest, assemble, encode, toBase64 } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { verifyRequest } from './verify-request.js';

const base = (text: string, extra: Partial<VerifyRequest> = {}): VerifyRequest => ({
  prog_type: 'xdp',
  insns: toBase64(encode(assemble(text))),
  license: 'GPL',
  maps: [],
  ...extra,
});

describe('verify request - wire mapping', () => {
  it('treats a request without privileges as a root loader', () => {
    expect(verifyRequest(base('r0 = 2\nexit')).verdict).toBe('accept');
    expect(verifyRequest(base('r0 = 2\nexit', { privileges: [] }))).toMatchObject({ verdict: 'reject', errno: 1, code: 'EPERM' });
  });

  it('passes inner map shapes, names and line info through', () => {
    const text = `*(u32 *)(r10 - 4) = 0
      r2 = r10
      r2 += -4
      ld_pseudo r1, 1, 3
      call 1
      if r0 == 0 goto out
      r1 = r0
      r2 = r10
      r2 += -4
      call 1
      r0 = *(u64 *)(r0 + 0)
      out:
      r0 = 2
      exit`;
    const reply = verifyRequest(base(text, {
      log_level: 1,
      maps: [{ map_id: 3, map_type: 'hash_of_maps', key_size: 4, value_size: 4, max_entries: 4, map_flags: 0, name: 'outer', inner_map: { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 2, map_flags: 0 } }],
      line_info: [{ insn_off: 11, file_name: 'p.c', line_num: 9, line: 'return *v;' }],
    }));
    expect(reply).toMatchObject({ verdict: 'reject', code: 'EACCES', error: { insn: 11, message: "R0 invalid mem access 'map_value_or_null'", line: 'p.c:9: return *v;' } });
    expect(reply.log).toContain('map_ptr(map=outer,ks=4,vs=4)');
    expect(reply.log).toContain('; return *v;\n11: (79) r0 = *(u64 *)(r0 +0)');
  });

  it('rejects a lddw missing its second slot with the kernel message', () => {
    const bytes = new Uint8Array(16);
    bytes.set([0x95], 0);
    bytes.set([0x18, 0x01], 8);
    const reply = verifyRequest({ prog_type: 'xdp', insns: toBase64(bytes), license: 'GPL', maps: [], log_level: 1 });
    expect(reply).toMatchObject({ verdict: 'reject', errno: 22, error: { insn: 1, message: 'invalid bpf_ld_imm64 insn' } });
    expect(reply.log).toContain('verification failed at insn 1: invalid bpf_ld_imm64 insn');
  });

  it('refuses BPF_F_SLEEPABLE for program types that cannot sleep', () => {
    expect(verifyRequest(base('r0 = 2\nexit', { prog_flags: 16 }))).toMatchObject({ verdict: 'reject', code: 'EINVAL' });
  });

  it('reports the facts in snake_case', () => {
    const reply = verifyRequest(base('*(u64 *)(r10 - 8) = 0\nr0 = 2\nexit'));
    expect(reply.facts).toEqual({ stack_depth: [8], subprog_starts: [0], helpers_used: [], map_ids_used: [], uses_tail_call: false });
  });
});

describe('verify request - log_size', () => {
  const endless = 'r0 = 0\nr1 = 10\nr0 += r1\nif r1 != 0 goto -2\nexit';

  it('log size - an endless loop at log_level 1 without a log_size keeps the last LOG_SIZE_DEFAULT - 1 bytes and answers ENOSPC with log_true_size', () => {
    const reply = verifyRequest(base(endless, { log_level: 1 }));
    expect(reply).toMatchObject({ verdict: 'reject', code: 'ENOSPC', error: { message: expect.stringContaining('too large') } });
    expect(reply.log.length).toBe(LOG_SIZE_DEFAULT - 1);
    expect(reply.log).toMatch(/processed \d+ insns/);
    expect(reply.log_true_size).toBeGreaterThan(LOG_SIZE_DEFAULT);
    expect(Buffer.byteLength(JSON.stringify(reply))).toBeLessThan(1024 * 1024);
  }, 120_000);

  it('log size - a log that fits comes back whole with its true size, and the verdict stands', () => {
    const whole = verifyRequest(base('r0 = 2\nexit', { log_level: 2 }));
    expect(whole).toMatchObject({ verdict: 'accept', log_true_size: whole.log.length + 1 });
    expect(whole.errno).toBeUndefined();
    const exact = verifyRequest(base('r0 = 2\nexit', { log_level: 2, log_size: Math.max(128, whole.log.length + 1) }));
    expect(exact).toMatchObject({ verdict: 'accept', log: whole.log });
  });

  it('log size - an accepted program whose log does not fit is refused with ENOSPC; BPF_LOG_FIXED keeps the start', () => {
    const text = Array.from({ length: 40 }, (_, i) => `r${i % 9} = ${i}`).join('\n') + '\nr0 = 2\nexit';
    const whole = verifyRequest(base(text, { log_level: 2 })).log;
    expect(whole.length).toBeGreaterThan(200);
    const tail = verifyRequest(base(text, { log_level: 2, log_size: 128 }));
    expect(tail).toMatchObject({ verdict: 'reject', code: 'ENOSPC', log: whole.slice(whole.length - 127), log_true_size: whole.length + 1 });
    expect(tail.error).toBeUndefined();
    const head = verifyRequest(base(text, { log_level: 2 | 8, log_size: 128 }));
    expect(head).toMatchObject({ verdict: 'reject', code: 'ENOSPC', log: whole.slice(0, 127) });
  });

  it('log size - a rejected program whose log also overflows answers ENOSPC, as bpf_check lets the log error win', () => {
    const text = Array.from({ length: 40 }, (_, i) => `r1 = ${i}`).join('\n') + '\nexit';
    expect(verifyRequest(base(text, { log_level: 2 }))).toMatchObject({ verdict: 'reject', code: 'EACCES' });
    const reply = verifyRequest(base(text, { log_level: 2, log_size: 128 }));
    expect(reply).toMatchObject({ verdict: 'reject', code: 'ENOSPC', error: { message: 'R0 !read_ok' } });
  });

  it.each([
    ['a log_size under 128', { log_level: 1, log_size: 64 }],
    ['a log_size without a log_level', { log_size: 4096 }],
    ['unknown log_level bits', { log_level: 16 }],
  ])('log size - %s is a malformed request (EINVAL)', (_, extra) => {
    expect(() => verifyRequest(base('r0 = 2\nexit', extra))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});
