import { fileURLToPath } from 'node:url';
import { assemble, findConformanceDir, hexToBytes, insn, readAssembledTests, toBase64 } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import type { VerifierProgram } from './types.js';
import { verifyRequest } from './verify-request.js';
import { verify } from './verify.js';

const program = (text: string, extra: Partial<VerifierProgram> = {}): VerifierProgram => ({
  insns: assemble(text),
  progType: 'xdp',
  license: 'GPL',
  privileges: ['CAP_SYS_ADMIN'],
  maps: new Map(),
  ...extra,
});

describe('verify - program size and shape', () => {
  it('refuses more than 4096 instructions without CAP_BPF (E2BIG)', () => {
    const body = 'r0 = 0\n'.repeat(4096);
    const r = verify(program(`${body}exit`, { progType: 'socket_filter', privileges: [] }));
    expect(r).toMatchObject({ verdict: 'reject', errno: 'E2BIG' });
    expect(r.error?.message).toBe('program of 4097 insns is larger than 4096');
  });

  it('accepts the same program with CAP_BPF', () => {
    const body = 'r0 = 0\n'.repeat(4096);
    expect(verify(program(`${body}exit`, { progType: 'socket_filter', privileges: ['CAP_BPF'] })).verdict).toBe('accept');
  });

  it('names malformed instructions as the kernel does', () => {
    const r = verify({ ...program('exit'), insns: [insn(0xff, 0, 0, 0, 0), insn(0x95, 0, 0, 0, 0)] });
    expect(r).toMatchObject({ verdict: 'reject', errno: 'EINVAL', error: { insn: 0, message: 'unknown opcode ff' } });
    const reserved = verify({ ...program('exit'), insns: [insn(0xb7, 0, 3, 0, 0), insn(0x95, 0, 0, 0, 0)] });
    expect(reserved.error?.message).toBe('BPF_ALU uses reserved fields');
  });

  it('rejects an unknown program type with EINVAL', () => {
    expect(verify(program('r0 = 0\nexit', { progType: 'no_such_type' }))).toMatchObject({ verdict: 'reject', errno: 'EINVAL' });
  });

  it('never throws, whatever it is given', () => {
    expect(() => verify({ ...program('exit'), insns: [] })).not.toThrow();
    expect(verify({ ...program('exit'), insns: [] }).errno).toBe('EINVAL');
  });
});

describe('verify - the log', () => {
  const branchy = `r2 = *(u32 *)(r1 + 12)
    if r2 > 5 goto big
    r0 = 1
    exit
    big:
    r0 = *(u64 *)(r0 + 0)
    exit`;

  it('writes nothing at level 0 but still says why', () => {
    const r = verify(program(branchy, { logLevel: 0 }));
    expect(r.log).toBe('');
    expect(r.error).toMatchObject({ insn: 4, message: 'R0 !read_ok' });
  });

  it('keeps only the path to the error at level 1', () => {
    const r = verify(program(branchy, { logLevel: 1 }));
    expect(r.log).not.toContain('2: (b7) r0 = 1');
    expect(r.log).toContain('4: (79) r0 = *(u64 *)(r0 +0)');
    expect(r.log.trimEnd().split('\n').slice(-2)).toEqual([
      'verification failed at insn 4: R0 !read_ok',
      'processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0',
    ]);
  });

  it('shows every path at level 2', () => {
    const r = verify(program(branchy, { logLevel: 2 }));
    expect(r.log).toContain('2: (b7) r0 = 1');
    expect(r.log).toContain('\nfrom 1 to 4: ');
  });

  it('adds time and stack depth at level 4', () => {
    const r = verify(program('*(u64 *)(r10 - 16) = 0\nr0 = 0\nexit', { logLevel: 4 }));
    expect(r.log).toMatch(/^verification time \d+ usec\nstack depth 16\nprocessed 3 insns/);
  });

  it('keeps the end of a log that does not fit log_size and answers ENOSPC', () => {
    const r = verify(program('r0 = 0\nexit', { logLevel: 2, logSize: 64 }));
    expect(r).toMatchObject({ verdict: 'reject', errno: 'ENOSPC' });
    expect(r.log.length).toBe(63);
    expect(r.log.endsWith('mark_read 0\n')).toBe(true);
  });
});

describe('verify - facts', () => {
  it('reports the furthest packet byte and the subprograms', () => {
    const r = verify(program(`r2 = *(u32 *)(r1 + 0)
      r3 = *(u32 *)(r1 + 4)
      r4 = r2
      r4 += 20
      if r4 > r3 goto out
      r0 = *(u32 *)(r2 + 16)
      call f
      out:
      r0 = 2
      exit
      f:
      r0 = 0
      exit`));
    expect(r.verdict, r.log).toBe('accept');
    expect(r.facts).toMatchObject({ maxPacketOffset: 19, subprogStarts: [0, 9], stackDepth: [0, 0] });
  });
});

describe('verify - pruning', () => {
  /** n diamonds, each adding to an accumulator that decides nothing. */
  const diamonds = (n: number): string => {
    let s = 'r6 = *(u32 *)(r1 + 12)\nr7 = 0\n';
    for (let i = 0; i < n; i++) s += `if r6 & ${1 << i} goto d${i}\nr7 += ${i + 1}\nd${i}:\n`;
    return `${s}r0 = 0\nexit`;
  };

  it('with precision tracking, accumulators that decide nothing do not multiply the paths', () => {
    const r = verify(program(diamonds(28), { privileges: ['CAP_BPF', 'CAP_NET_ADMIN'] }));
    expect(r.verdict).toBe('accept');
    expect(r.stats.processed_insns).toBeLessThan(400);
  });

  it('when the accumulator is returned from a cgroup program its value matters, and the paths are walked', () => {
    const text = diamonds(6).replace('r0 = 0\nexit', 'r0 = r7\nr0 &= 1\nexit');
    const r = verify(program(text, { progType: 'cgroup_skb', privileges: ['CAP_BPF', 'CAP_NET_ADMIN'] }));
    expect(r.verdict).toBe('accept');
    expect(r.stats.processed_insns).toBeGreaterThan(64);
  });
});

describe('verify - the conformance suite', () => {
  const tests = readAssembledTests(findConformanceDir(fileURLToPath(import.meta.url)));

  it('checks every program without an internal error, and accepts most (they compute without helpers)', () => {
    let accepted = 0;
    for (const t of tests) {
      // Through the wire path, which reads any bytes: some tests hold deliberately unknown opcodes.
      const r = verifyRequest({ prog_type: 'syscall', insns: toBase64(hexToBytes(t.code)), license: 'GPL', maps: [] });
      expect(r.code, `${t.file}: ${r.error?.message}`).not.toBe('EFAULT');
      if (r.verdict === 'accept') accepted++;
    }
    expect(accepted).toBeGreaterThan(tests.length / 2);
  });
});
