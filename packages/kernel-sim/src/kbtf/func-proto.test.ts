import { describe, expect, it } from 'vitest';
import { funcProto, tracepointProto } from './func-proto.js';
import { kernelTypeId } from './kernel-btf.js';

describe('func proto - kernel functions and raw tracepoints', () => {
  it('func proto - tcp_v4_connect takes a sock, a sockaddr and a length and returns int', () => {
    const p = funcProto('tcp_v4_connect');
    expect(p.id).toBe(kernelTypeId('tcp_v4_connect', 'FUNC'));
    expect(p.ret).toMatchObject({ type: 'int', size: 4 });
    expect(p.params.map((x) => [x.name, x.type, x.size])).toEqual([
      ['sk', 'struct sock *', 8],
      ['uaddr', 'struct sockaddr *', 8],
      ['addr_len', 'int', 4],
    ]);
  });

  it('func proto - a void function returns void of size 0', () => {
    expect(funcProto('do_exit')).toMatchObject({ ret: { id: 0, type: 'void', size: 0 }, params: [{ name: 'code', type: 'long', size: 8 }] });
  });

  it('func proto - a raw tracepoint loses the probe data pointer and resolves through btf_trace_<name>', () => {
    const p = tracepointProto('sched_process_exec');
    expect(p.id).toBe(kernelTypeId('btf_trace_sched_process_exec', 'TYPEDEF'));
    expect(p.params.map((x) => [x.name, x.type])).toEqual([
      ['', 'struct task_struct *'],
      ['', 'pid_t'],
      ['', 'struct linux_binprm *'],
    ]);
  });

  it('func proto - unknown names are refused', () => {
    expect(() => funcProto('no_such_function')).toThrow(/no function 'no_such_function'/);
    expect(() => funcProto('task_struct')).toThrow(/no function/);
    expect(() => tracepointProto('no_such_tp')).toThrow(/no raw tracepoint 'no_such_tp'/);
  });
});
