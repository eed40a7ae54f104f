import { describe, expect, it } from 'vitest';
import { ProgType } from '../generated/enums.js';
import type { Btf } from './types.js';
import { attachFuncForVerifier, verifierKernelRequest } from './verifier-kernel-request.js';

// [1] int, [2] struct task_struct { int pid; }, [3] PTR -> 2, [4] PTR -> void,
// [5] FUNC_PROTO void (void *__data, bool preempt, struct task_struct *next), [6] PTR -> 5,
// [7] typedef btf_trace_sched_switch -> 6, [8] FUNC_PROTO int (struct task_struct *p),
// [9] FUNC task_pid -> 8, [10] _Bool, [11] struct unrelated.
const btf: Btf = {
  types: [
    { kind: 'VOID', name: '' },
    { kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 },
    { kind: 'STRUCT', name: 'task_struct', size: 4, kflag: false, members: [{ name: 'pid', type: 1, bitOffset: 0, bitfieldSize: 0 }] },
    { kind: 'PTR', name: '', type: 2 },
    { kind: 'PTR', name: '', type: 0 },
    { kind: 'FUNC_PROTO', name: '', returnType: 0, params: [{ name: '__data', type: 4 }, { name: 'preempt', type: 10 }, { name: 'next', type: 3 }] },
    { kind: 'PTR', name: '', type: 5 },
    { kind: 'TYPEDEF', name: 'btf_trace_sched_switch', type: 6 },
    { kind: 'FUNC_PROTO', name: '', returnType: 1, params: [{ name: 'p', type: 3 }] },
    { kind: 'FUNC', name: 'task_pid', type: 8, linkage: 1 },
    { kind: 'INT', name: '_Bool', size: 1, encoding: 4, bitsOffset: 0, bits: 8 },
    { kind: 'STRUCT', name: 'unrelated', size: 4, kflag: false, members: [{ name: 'x', type: 1, bitOffset: 0, bitfieldSize: 0 }] },
  ],
} as Btf;

describe('verifier kernel request - the kernel BTF share of a verify request', () => {
  it('verifier kernel request - a tp_btf typedef gives the tracepoint without the probe’s __data, named by the tracepoint', () => {
    expect(attachFuncForVerifier(btf, 7)).toEqual({ name: 'sched_switch', btf_id: 7, nr_args: 2, ret_size: 0, args: [10, 3], ret_type: 0 });
  });

  it('verifier kernel request - a FUNC gives its prototype as it is', () => {
    expect(attachFuncForVerifier(btf, 9)).toEqual({ name: 'task_pid', btf_id: 9, nr_args: 1, ret_size: 4, args: [3], ret_type: 1, arg_names: ['p'] });
  });

  it('verifier kernel request - any other type, or no type, gives nothing', () => {
    for (const id of [0, 2, 6, 99]) expect(attachFuncForVerifier(btf, id)).toBeUndefined();
  });

  it('verifier kernel request - attach_func and the types its arguments reach; none without an attach_btf_id', () => {
    const share = verifierKernelRequest(btf, [], { progType: ProgType.TRACING, attachBtfId: 7 });
    expect(share.attach_func).toEqual(attachFuncForVerifier(btf, 7));
    expect(share.kernel_btf?.types?.map((t) => t.id)).toEqual([1, 2, 3, 10]);
    const plain = verifierKernelRequest(btf, [], { progType: ProgType.XDP });
    expect([plain.attach_func, plain.kernel_btf?.types]).toEqual([undefined, undefined]);
  });
});
