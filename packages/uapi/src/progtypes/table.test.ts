import { describe, expect, it } from 'vitest';
import { HelperId } from '../generated/helpers.js';
import { AttachType, ProgType } from '../generated/enums.js';
import { checkCtxAccess, helperAllowed, progTypeSpec, supportedProgTypes, type ProgTypeSpec } from './table.js';
import type { Capability } from './helper-sets.js';

function spec(type: string, attach?: string): ProgTypeSpec {
  const s = progTypeSpec(type, attach);
  if (!s) throw new Error(`no spec for ${type}`);
  return s;
}

const ALL = new Set<Capability>(['CAP_BPF', 'CAP_PERFMON', 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN']);
const NONE = new Set<Capability>();

describe('progTypeSpec', () => {
  it('is found by number, bpftool name and kernel name', () => {
    expect(progTypeSpec(6)?.name).toBe('xdp');
    expect(progTypeSpec('xdp')?.progType).toBe(ProgType.XDP);
    expect(progTypeSpec('BPF_PROG_TYPE_SCHED_CLS')?.progType).toBe(ProgType.SCHED_CLS);
    expect(progTypeSpec('no_such_type')).toBeUndefined();
    expect(progTypeSpec(ProgType.EXT)).toBeUndefined();
    expect(supportedProgTypes()).toContain(ProgType.KPROBE);
  });

  it('names the capability each type needs (bpf_prog_load)', () => {
    expect(spec('xdp').capability).toBe('CAP_NET_ADMIN');
    expect(spec('kprobe').capability).toBe('CAP_PERFMON');
    expect(spec('socket_filter')).toMatchObject({ capability: null, unprivileged: true });
    expect(spec('cgroup_skb').unprivileged).toBe(true);
    expect(spec('sched_cls').unprivileged).toBe(false);
  });

  it('gives return ranges as check_return_code does', () => {
    expect(spec('xdp').ret).toBeNull();
    expect(spec('cgroup_skb').ret).toEqual({ min: 0, max: 1 });
    expect(progTypeSpec('cgroup_skb', 'cgroup_inet_egress')?.ret).toEqual({ min: 0, max: 3 });
    expect(progTypeSpec(ProgType.TRACING, AttachType.TRACE_FENTRY)?.ret).toEqual({ min: 0, max: 0 });
    expect(progTypeSpec('cgroup_sock_addr', 'cgroup_udp4_recvmsg')?.ret).toEqual({ min: 1, max: 1 });
    expect(spec('lsm').ret).toEqual({ min: -4095, max: 0 });
  });
});

describe('helpers per program type', () => {
  it('XDP may adjust its head but not store skb bytes', () => {
    const xdp = spec('xdp');
    expect(helperAllowed(xdp, HelperId.xdp_adjust_head, ALL)).toBe(true);
    expect(helperAllowed(xdp, HelperId.skb_store_bytes, ALL)).toBe(false);
    expect(helperAllowed(xdp, HelperId.map_lookup_elem, NONE)).toBe(true);
  });

  it('gates base helpers on CAP_BPF and CAP_PERFMON', () => {
    const sf = spec('socket_filter');
    expect(helperAllowed(sf, HelperId.loop, NONE)).toBe(false);
    expect(helperAllowed(sf, HelperId.loop, new Set(['CAP_BPF']))).toBe(true);
    expect(helperAllowed(sf, HelperId.trace_printk, new Set(['CAP_BPF']))).toBe(false);
    expect(helperAllowed(sf, HelperId.trace_printk, new Set(['CAP_PERFMON']))).toBe(true);
    expect(helperAllowed(sf, HelperId.trace_printk, new Set(['CAP_SYS_ADMIN']))).toBe(true);
  });

  it('gives tracing programs the task helpers and stack ids', () => {
    const kp = spec('kprobe');
    for (const id of [HelperId.get_current_pid_tgid, HelperId.get_current_comm, HelperId.get_stackid, HelperId.probe_read_kernel]) {
      expect(helperAllowed(kp, id, ALL)).toBe(true);
    }
    expect(helperAllowed(kp, HelperId.redirect, ALL)).toBe(false);
  });
});

describe('checkCtxAccess', () => {
  it('XDP reads data/data_end as packet pointers, only as whole u32s, and never writes', () => {
    const xdp = spec('xdp');
    expect(checkCtxAccess(xdp, 0, 4, false)).toMatchObject({ ok: true, kind: 'pkt_data' });
    expect(checkCtxAccess(xdp, 4, 4, false)).toMatchObject({ ok: true, kind: 'pkt_end' });
    expect(checkCtxAccess(xdp, 12, 2, false)).toEqual({ ok: false, reason: 'invalid bpf_context access off=12 size=2' });
    expect(checkCtxAccess(xdp, 0, 4, true).ok).toBe(false);
    expect(checkCtxAccess(xdp, 24, 4, false).ok).toBe(false);
    expect(checkCtxAccess(xdp, 20, 4, false).ok).toBe(false);
    expect(checkCtxAccess(spec('xdp', 'xdp_devmap'), 20, 4, false).ok).toBe(true);
  });

  it('__sk_buff: narrow reads of scalars, cb writes, no narrow pointer reads', () => {
    const tc = spec('sched_cls');
    expect(checkCtxAccess(tc, 16, 2, false)).toMatchObject({ ok: true, kind: 'scalar' });
    expect(checkCtxAccess(tc, 76, 2, false).ok).toBe(false);
    expect(checkCtxAccess(tc, 52, 4, true).ok).toBe(true);
    expect(checkCtxAccess(tc, 8, 4, true).ok).toBe(true);
    expect(checkCtxAccess(tc, 0, 4, true).ok).toBe(false);
    expect(checkCtxAccess(tc, 17, 2, false).ok).toBe(false);
    expect(checkCtxAccess(tc, 168, 8, false)).toMatchObject({ ok: true, kind: 'sock' });
  });

  it('socket filters see no packet pointers and write only cb', () => {
    const sf = spec('socket_filter');
    expect(checkCtxAccess(sf, 76, 4, false).ok).toBe(false);
    expect(checkCtxAccess(sf, 0, 4, false).ok).toBe(true);
    expect(checkCtxAccess(sf, 8, 4, true).ok).toBe(false);
    expect(checkCtxAccess(sf, 48, 4, true).ok).toBe(true);
    expect(checkCtxAccess(sf, 88, 4, false).ok).toBe(false);
  });

  it('tracing contexts read any aligned word inside and nothing outside', () => {
    const kp = spec('kprobe');
    expect(checkCtxAccess(kp, 112, 8, false)).toMatchObject({ ok: true, field: { name: 'di' } });
    expect(checkCtxAccess(kp, 112, 4, false).ok).toBe(true);
    expect(checkCtxAccess(kp, 113, 4, false).ok).toBe(false);
    expect(checkCtxAccess(kp, 168, 8, false).ok).toBe(false);
    expect(checkCtxAccess(kp, 0, 8, true).ok).toBe(false);
    expect(checkCtxAccess(spec('tracepoint'), 2040, 8, false).ok).toBe(true);
    expect(checkCtxAccess(spec('raw_tracepoint'), 96, 8, false).ok).toBe(false);
  });
});
