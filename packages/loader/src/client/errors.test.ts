import { describe, expect, it } from 'vitest';
import { BpfSyscallError, BpfTimeoutError, VerifierError } from './errors.js';
import { decodeReply } from './transport.js';
import { summarizeVerifierLog } from './verifier-log.js';

const SUBJECT = 'bpf.v1.map.3.lookup_elem';

describe('replies become values or typed errors', () => {
  it('a reply object is returned as it is', () => {
    expect(decodeReply(SUBJECT, '', '', '{"value":"AQ=="}')).toEqual({ value: 'AQ==' });
  });

  it.each([
    ['an errno reply', '2', '{"errno":2,"code":"ENOENT","message":"map 3: no such map"}', { errno: 2, code: 'ENOENT', message: 'map 3: no such map', subject: SUBJECT }],
    ['a body that is not a WireError falls back on the headers', '17', 'oops', { errno: 17, code: 'EEXIST', message: 'header text' }],
    ['a non-object reply', '', '[1,2]', { errno: 74, code: 'EBADMSG' }],
  ])('%s', (_title, code, body, expected) => {
    let error: unknown;
    try {
      decodeReply(SUBJECT, code, 'header text', body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BpfSyscallError);
    expect(error).toMatchObject(expected);
    expect(error).not.toBeInstanceOf(VerifierError);
  });

  it('an errno reply with a log is a VerifierError that keeps the whole log and summarises it', () => {
    const log = '0: (b7) r0 = 0\n1: (bf) r1 = r10\n2: (95) exit\nR0 !read_ok\nprocessed 3 insns (limit 1000000)\n';
    let error: unknown;
    try {
      decodeReply('bpf.v1.prog_load', '13', '', JSON.stringify({ errno: 13, code: 'EACCES', message: 'prog_load: permission denied', log }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VerifierError);
    expect(error).toMatchObject({ errno: 13, code: 'EACCES', log, message: 'prog_load: permission denied: 2: (95) exit: R0 !read_ok (3 line(s) omitted)' });
  });

  it('a timeout names the subject and is ETIMEDOUT', () => {
    const error = new BpfTimeoutError(SUBJECT, 250);
    expect(error).toMatchObject({ errno: 110, code: 'ETIMEDOUT', subject: SUBJECT, strerror: 'Connection timed out' });
    expect(error.message).toBe(`${SUBJECT}: no reply within 250 ms`);
  });
});

describe('summarizeVerifierLog', () => {
  it.each([
    ['an empty log', '', 'load: EINVAL'],
    ['one line', 'invalid insn idx 3\n', 'load: EINVAL: invalid insn idx 3'],
    ['the last line only', 'a\nb\ninvalid mem access\n', 'load: EINVAL: invalid mem access (2 line(s) omitted)'],
    ['a tab-indented last line takes the one before', '[1] STRUCT x size=8\n\tmember a\n', 'load: EINVAL: [1] STRUCT x size=8: member a'],
    ['statistics are dropped', 'misaligned access\nprocessed 9 insns (limit 1000000)\n', 'load: EINVAL: misaligned access (1 line(s) omitted)'],
  ])('%s', (_title, log, expected) => {
    expect(summarizeVerifierLog('load: EINVAL', log)).toBe(expected);
  });
});
