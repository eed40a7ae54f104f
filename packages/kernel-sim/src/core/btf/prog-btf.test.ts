import { readFileSync } from 'node:fs';
import { AttachType as A, BpfError, ProgType as P, asm } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelTypeId } from '../../kbtf/kernel-btf.js';
import { NO_PROG_BTF, type ProgBtfAttr, releaseProgBtf, resolveProgBtf } from './prog-btf.js';
import { BtfTable } from './table.js';
import { fixupLikeLibbpf } from './testing.js';

const tracingBtf = fixupLikeLibbpf(new Uint8Array(readFileSync(new URL('../../../../uapi/src/btf/testdata/tracing.btf', import.meta.url))));

function failure(run: () => unknown): BpfError & { log?: string } {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(BpfError);
    return e as BpfError & { log?: string };
  }
  throw new Error('it succeeded');
}

const fentry = (attachBtfId: number, more: Partial<ProgBtfAttr> = {}): ProgBtfAttr => ({
  progType: P.TRACING,
  expectedAttachType: A.TRACE_FENTRY,
  attachBtfId,
  gplCompatible: true,
  ...more,
});

describe('prog BTF - prog_btf_id', () => {
  it('a program without BTF gets none', () => {
    expect(resolveProgBtf(new BtfTable(), { progType: P.XDP, expectedAttachType: 0, gplCompatible: true })).toEqual({ ...NO_PROG_BTF, funcInfo: [], lineInfo: [] });
  });

  /** func_info naming the first FUNC of `object`'s BTF for a one-function program. */
  const oneFunc = (object: { btf: { types: readonly { kind: string }[] } }): Partial<ProgBtfAttr> => {
    const func = object.btf.types.findIndex((t) => t?.kind === 'FUNC');
    return { funcInfo: { bytes: new Uint8Array(new Uint32Array([0, func]).buffer), recSize: 8 }, insns: asm`r0 = 0
      exit` };
  };

  it('the program holds its BTF object: it outlives the client closing it, until the program goes', () => {
    const table = new BtfTable();
    const { object } = table.load({ btf: tracingBtf });
    const progBtf = resolveProgBtf(table, { progType: P.XDP, expectedAttachType: 0, progBtfId: object.id, gplCompatible: true, ...oneFunc(object) });
    expect(progBtf.btfId).toBe(object.id);
    table.close(object.id);
    expect(table.info(object.id).id).toBe(object.id);
    releaseProgBtf(table, progBtf);
    expect(failure(() => table.info(object.id)).code).toBe('ENOENT');
  });

  it("EBADF for an id naming no BTF object, EACCES for the kernel's BTF", () => {
    const table = new BtfTable();
    const { object } = table.load({ btf: tracingBtf });
    expect(failure(() => resolveProgBtf(table, { progType: P.XDP, expectedAttachType: 0, progBtfId: 9, gplCompatible: true, ...oneFunc(object) })).code).toBe('EBADF');
    expect(failure(() => resolveProgBtf(table, { progType: P.XDP, expectedAttachType: 0, progBtfId: 1, gplCompatible: true, ...oneFunc(object) })).code).toBe('EACCES');
  });

  it('without func_info and line_info prog_btf_id is ignored, as check_btf_info ignores prog_btf_fd: no reference, no check', () => {
    const table = new BtfTable();
    const { object } = table.load({ btf: tracingBtf });
    expect(resolveProgBtf(table, { progType: P.XDP, expectedAttachType: 0, progBtfId: object.id, gplCompatible: true }).btfId).toBe(0);
    expect(resolveProgBtf(table, { progType: P.XDP, expectedAttachType: 0, progBtfId: 9, gplCompatible: true }).btfId).toBe(0);
    table.close(object.id);
    expect(failure(() => table.info(object.id)).code).toBe('ENOENT');
  });

  it('a refused attach_btf_id takes no reference on prog_btf_id', () => {
    const table = new BtfTable();
    const { object } = table.load({ btf: tracingBtf });
    failure(() => resolveProgBtf(table, fentry(kernelTypeId('sock', 'STRUCT'), { progBtfId: object.id })));
    table.close(object.id);
    expect(failure(() => table.info(object.id)).code).toBe('ENOENT');
  });
});

describe('prog BTF - attach_btf_id against the kernel BTF', () => {
  const table = new BtfTable();
  const connect = kernelTypeId('tcp_v4_connect', 'FUNC');
  const sock = kernelTypeId('sock', 'STRUCT');
  const schedSwitch = kernelTypeId('btf_trace_sched_switch', 'TYPEDEF');

  it.each([
    ['fentry', A.TRACE_FENTRY],
    ['fexit', A.TRACE_FEXIT],
    ['fmod_ret', A.MODIFY_RETURN],
  ])('%s on a kernel FUNC', (_, eat) => {
    const resolved = resolveProgBtf(table, fentry(connect, { expectedAttachType: eat }));
    expect(resolved).toMatchObject({ btfId: 0, attachBtfId: connect, attachBtfObjId: 1, attachTo: 'tcp_v4_connect', funcInfo: [], lineInfo: [] });
    // The verifier gets the prototype: int tcp_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len).
    expect(resolved.attachProto?.params.map((p) => p.type)).toEqual(['struct sock *', 'struct sockaddr *', 'int']);
    expect(resolved.attachProto?.ret.size).toBe(4);
  });

  it('tp_btf on a btf_trace_ typedef names the tracepoint', () => {
    const resolved = resolveProgBtf(table, fentry(schedSwitch, { expectedAttachType: A.TRACE_RAW_TP }));
    expect(resolved.attachTo).toBe('sched_switch');
    expect(resolved.attachProto?.params.length).toBe(4);
  });

  it.each<[string, ProgBtfAttr, string, string, string?]>([
    ['fentry on a struct', fentry(sock), 'EINVAL', `attach_btf_id ${sock} is not a function`, ` (it is STRUCT 'sock' in vmlinux's BTF)`],
    ['fentry on an id beyond the kernel BTF', fentry(99999), 'EINVAL', 'attach_btf_id 99999 is invalid'],
    ['tp_btf on a function', fentry(connect, { expectedAttachType: A.TRACE_RAW_TP }), 'EINVAL', `attach_btf_id ${connect} is not a typedef`, ` (it is FUNC 'tcp_v4_connect'; tp_btf programs name a btf_trace_<tracepoint> typedef)`],
    ['tp_btf on another typedef', fentry(kernelTypeId('pid_t', 'TYPEDEF'), { expectedAttachType: A.TRACE_RAW_TP }), 'EINVAL', `attach_btf_id ${kernelTypeId('pid_t', 'TYPEDEF')} points to wrong type name pid_t`],
    ['a tracing program without attach_btf_id', fentry(0), 'EINVAL', 'Tracing programs must provide btf_id', ' (attach_btf_id: the kernel FUNC to attach to, or for tp_btf its btf_trace_<tracepoint> typedef)'],
    ['an iterator on a function that is not bpf_iter_*', fentry(connect, { expectedAttachType: A.TRACE_ITER }), 'EINVAL', `attach_btf_id ${connect} points to wrong type name tcp_v4_connect`],
    ['lsm on a function that is not an LSM hook', fentry(connect, { progType: P.LSM, expectedAttachType: A.LSM_MAC }), 'EINVAL', `attach_btf_id ${connect} points to wrong type name tcp_v4_connect`],
    ['an extension of a kernel function', fentry(connect, { progType: P.EXT, expectedAttachType: 0 }), 'EINVAL', 'Cannot replace kernel functions'],
    ['struct_ops (the simulated kernel has none)', fentry(sock, { progType: P.STRUCT_OPS, expectedAttachType: 0 }), 'ENOTSUPP', `attach_btf_id ${sock} is not a supported struct`],
  ])('%s is refused with a verifier log line', (_, attr, code, line, detail = '') => {
    const e = failure(() => resolveProgBtf(table, attr));
    expect([e.code, e.log, e.message]).toEqual([code, `${line}\n`, `load program: ${line}${detail}`]);
  });

  it('attach_btf_obj_id: 0 and 1 are vmlinux; a program BTF is ENOTSUPP, no object EBADF, without attach_btf_id EINVAL', () => {
    const own = new BtfTable();
    const { object } = own.load({ btf: tracingBtf });
    expect(resolveProgBtf(own, fentry(connect, { attachBtfObjId: 1 })).attachBtfObjId).toBe(1);
    expect(failure(() => resolveProgBtf(own, fentry(connect, { attachBtfObjId: object.id }))).code).toBe('ENOTSUPP');
    expect(failure(() => resolveProgBtf(own, fentry(connect, { attachBtfObjId: 77 }))).code).toBe('EBADF');
    expect(failure(() => resolveProgBtf(own, { progType: P.XDP, expectedAttachType: 0, attachBtfObjId: 1, gplCompatible: true })).code).toBe('EINVAL');
  });

  it('a program type that takes no attach_btf_id refuses one', () => {
    const e = failure(() => resolveProgBtf(table, { progType: P.XDP, expectedAttachType: 0, attachBtfId: connect, gplCompatible: true }));
    expect([e.code, e.message]).toEqual(['EINVAL', 'load program: a xdp program takes no attach_btf_id (tracing, lsm, struct_ops and ext do)']);
  });

  it('a tracing program must attach as fentry, fexit, fmod_ret, iter or tp_btf', () => {
    expect(failure(() => resolveProgBtf(table, fentry(connect, { expectedAttachType: A.CGROUP_INET_INGRESS }))).code).toBe('EINVAL');
  });
});
