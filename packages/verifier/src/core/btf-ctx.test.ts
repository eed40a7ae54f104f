import { AttachType as A, type BtfType, ProgType as P } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { btfCtxArg, btfCtxFault } from './btf-ctx.js';
import { KernelTypes } from './kernel-btf.js';
import { RegFlag, RegType } from './reg-type.js';

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

describe('btf ctx - the types of the arguments (btf_ctx_access)', () => {
  // [1] int, [2] struct task_struct, [3] struct task_struct *, [4] float, [5] void *, [6] const struct task_struct *.
  const kernel = new KernelTypes({
    types: new Map<number, BtfType>([
      [1, { kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 }],
      [2, { kind: 'STRUCT', name: 'task_struct', size: 64, kflag: false, members: [] }],
      [3, { kind: 'PTR', name: '', type: 2 }],
      [4, { kind: 'FLOAT', name: 'float', size: 4 }],
      [5, { kind: 'PTR', name: '', type: 0 }],
      [6, { kind: 'CONST', name: '', type: 3 }],
    ]),
  });
  const func = { name: 'f', nrArgs: 5, retSize: 8, args: [3, 1, 4, 5, 6], retType: 3 };
  const ptr = (regType: number, arg: number) => ({ kind: 'ptr', regType, btfId: 2, log: `func 'f' arg${arg} has btf_id 2 type STRUCT 'task_struct'` });

  it.each([
    ['tp_btf: a pointer to a struct is trusted', P.TRACING, A.TRACE_RAW_TP, 0, 8, ptr(RegType.PTR_TO_BTF_ID | RegFlag.PTR_TRUSTED, 0)],
    ['fentry: a pointer to a struct is a plain ptr_', P.TRACING, A.TRACE_FENTRY, 0, 8, ptr(RegType.PTR_TO_BTF_ID, 0)],
    ['lsm: trusted', P.LSM, A.LSM_MAC, 0, 8, ptr(RegType.PTR_TO_BTF_ID | RegFlag.PTR_TRUSTED, 0)],
    ['through a const', P.TRACING, A.TRACE_FENTRY, 32, 8, ptr(RegType.PTR_TO_BTF_ID, 4)],
    ['an int is a scalar', P.TRACING, A.TRACE_FENTRY, 8, 4, { kind: 'scalar' }],
    ['void * is a scalar', P.TRACING, A.TRACE_FENTRY, 24, 8, { kind: 'scalar' }],
    ['a float is refused', P.TRACING, A.TRACE_FENTRY, 16, 8, { kind: 'fault', log: "func 'f' arg2 'float' has type FLOAT. Only pointer access is allowed" }],
    ['a pointer read narrow is refused', P.TRACING, A.TRACE_FENTRY, 0, 4, { kind: 'fault', log: "func 'f' size 4 must be 8" }],
    ['fexit: the returned pointer is typed too', P.TRACING, A.TRACE_FEXIT, 40, 8, ptr(RegType.PTR_TO_BTF_ID, 5)],
    ['fmod_ret: a function returning a pointer is refused', P.TRACING, A.MODIFY_RETURN, 40, 8, { kind: 'fault', log: 'ret type PTR not allowed for fmod_ret' }],
  ])('btf ctx - %s', (_title, progType, attachType, off, size, want) => {
    expect(btfCtxArg(func, kernel, progType, attachType, off, size)).toEqual(want);
  });

  it('btf ctx - without the argument types (or for other attach types) the read is left to the context table', () => {
    expect(btfCtxArg({ name: 'f', nrArgs: 1, retSize: 0 }, kernel, P.TRACING, A.TRACE_FENTRY, 0, 8)).toBeUndefined();
    expect(btfCtxArg(func, new KernelTypes({}), P.TRACING, A.TRACE_FENTRY, 0, 8)).toBeUndefined();
    expect(btfCtxArg(func, kernel, P.TRACING, A.TRACE_ITER, 0, 8)).toBeUndefined();
  });
});

describe('btf ctx - arguments that may be NULL, or not trusted', () => {
  const kernel = new KernelTypes({
    types: new Map<number, BtfType>([
      [2, { kind: 'STRUCT', name: 'task_struct', size: 64, kflag: false, members: [] }],
      [3, { kind: 'PTR', name: '', type: 2 }],
    ]),
  });
  const tp = (name: string) => ({ name, nrArgs: 3, retSize: 0, args: [3, 3, 3] });
  const arg = (func: { name: string }, regType: number, n: number) =>
    ({ kind: 'ptr', regType, btfId: 2, log: `func '${func.name}' arg${n} has btf_id 2 type STRUCT 'task_struct'` });
  const TRUSTED = RegType.PTR_TO_BTF_ID | RegFlag.PTR_TRUSTED;

  it('btf ctx - tp_btf: an argument raw_tp_null_args marks is trusted_ptr_or_null_, the others trusted', () => {
    const f = tp('sched_pi_setprio');
    expect(btfCtxArg(f, kernel, P.TRACING, A.TRACE_RAW_TP, 8, 8)).toEqual(arg(f, TRUSTED | RegFlag.MAYBE_NULL, 1));
    expect(btfCtxArg(f, kernel, P.TRACING, A.TRACE_RAW_TP, 0, 8)).toEqual(arg(f, TRUSTED, 0));
  });

  it('btf ctx - the table is for raw tracepoints only: fentry on a function so named is untouched', () => {
    const f = tp('sched_pi_setprio');
    expect(btfCtxArg(f, kernel, P.TRACING, A.TRACE_FENTRY, 8, 8)).toEqual(arg(f, RegType.PTR_TO_BTF_ID, 1));
  });

  it('btf ctx - tp_btf: an argument that may encode an error is a scalar, logged as the kernel does', () => {
    const f = tp('cachefiles_lookup');
    expect(btfCtxArg(f, kernel, P.TRACING, A.TRACE_RAW_TP, 16, 8)).toEqual({
      kind: 'scalar',
      log: "func 'cachefiles_lookup' arg2 has btf_id 2 type STRUCT 'task_struct'\nmarking pointer arg2 as scalar as it may encode error",
    });
  });

  it('btf ctx - an argument named *__nullable may be NULL', () => {
    const f = { ...tp('g'), argNames: ['a', 'b__nullable', 'c'] };
    expect(btfCtxArg(f, kernel, P.TRACING, A.TRACE_RAW_TP, 8, 8)).toEqual(arg(f, TRUSTED | RegFlag.MAYBE_NULL, 1));
    expect(btfCtxArg(f, kernel, P.TRACING, A.TRACE_FENTRY, 8, 8)).toEqual(arg(f, RegType.PTR_TO_BTF_ID | RegFlag.MAYBE_NULL, 1));
    expect(btfCtxArg(f, kernel, P.TRACING, A.TRACE_RAW_TP, 0, 8)).toEqual(arg(f, TRUSTED, 0));
  });

  it('btf ctx - lsm: the hooks untrusted_lsm_hooks lists give plain pointers', () => {
    const free = { name: 'bpf_lsm_task_free', nrArgs: 1, retSize: 0, args: [3] };
    expect(btfCtxArg(free, kernel, P.LSM, A.LSM_MAC, 0, 8)).toEqual(arg(free, RegType.PTR_TO_BTF_ID, 0));
  });
});
