import { AttachType as A } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { btfCtxFault } from './btf-ctx.js';

const connect = { name: 'tcp_v4_connect', nrArgs: 3, retSize: 4 };

describe('btf ctx - the arguments of the attached function', () => {
  it.each([
    ['fentry reads its last argument', A.TRACE_FENTRY, 16, undefined],
    ['fentry reads past its arguments', A.TRACE_FENTRY, 24, "func 'tcp_v4_connect' doesn't have 4-th argument"],
    ['fexit reads the return value after them', A.TRACE_FEXIT, 24, undefined],
    ['fexit reads past the return value', A.TRACE_FEXIT, 32, "func 'tcp_v4_connect' doesn't have 5-th argument"],
    ['fmod_ret reads the return value', A.MODIFY_RETURN, 24, undefined],
    ['a read inside an argument', A.TRACE_FENTRY, 4, "func 'tcp_v4_connect' offset 4 is not multiple of 8"],
  ])('btf ctx - %s', (_title, attachType, off, fault) => {
    expect(btfCtxFault(connect, attachType, off)).toBe(fault);
  });

  it('btf ctx - without a prototype, or for other attach types, nothing is checked here', () => {
    expect(btfCtxFault(undefined, A.TRACE_FENTRY, 800)).toBeUndefined();
    expect(btfCtxFault(connect, A.TRACE_ITER, 800)).toBeUndefined();
  });
});
