import { AttachType, ProgType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { SECTION_DEFS, matchSection, secDefMatches } from './section-defs.js';
import { ProgLoadFlag } from './types.js';

const { SLEEPABLE, XDP_HAS_FRAGS } = ProgLoadFlag;

describe('section defs - what libbpf makes of a SEC() name', () => {
  it.each([
    ['socket', ProgType.SOCKET_FILTER, 0, undefined, 0],
    ['kprobe/do_sys_open', ProgType.KPROBE, 0, 'do_sys_open', 0],
    ['kprobe', ProgType.KPROBE, 0, undefined, 0],
    ['kretprobe/tcp_v4_connect', ProgType.KPROBE, 0, 'tcp_v4_connect', 0],
    ['ksyscall/kill', ProgType.KPROBE, 0, 'kill', 0],
    ['uprobe//bin/bash:readline', ProgType.KPROBE, 0, '/bin/bash:readline', 0],
    ['uretprobe.s//usr/lib/libc.so.6:malloc', ProgType.KPROBE, 0, '/usr/lib/libc.so.6:malloc', SLEEPABLE],
    ['usdt/./app:provider:probe', ProgType.KPROBE, 0, './app:provider:probe', 0],
    ['kprobe.multi/tcp_*', ProgType.KPROBE, AttachType.TRACE_KPROBE_MULTI, 'tcp_*', 0],
    ['tracepoint/syscalls/sys_enter_openat', ProgType.TRACEPOINT, 0, 'syscalls/sys_enter_openat', 0],
    ['tp/sched/sched_switch', ProgType.TRACEPOINT, 0, 'sched/sched_switch', 0],
    ['raw_tracepoint/sched_switch', ProgType.RAW_TRACEPOINT, 0, 'sched_switch', 0],
    ['raw_tp.w/bpf_test_finish', ProgType.RAW_TRACEPOINT_WRITABLE, 0, 'bpf_test_finish', 0],
    ['tp_btf/sched_switch', ProgType.TRACING, AttachType.TRACE_RAW_TP, 'sched_switch', 0],
    ['fentry/do_unlinkat', ProgType.TRACING, AttachType.TRACE_FENTRY, 'do_unlinkat', 0],
    ['fexit/do_unlinkat', ProgType.TRACING, AttachType.TRACE_FEXIT, 'do_unlinkat', 0],
    ['fmod_ret/security_file_open', ProgType.TRACING, AttachType.MODIFY_RETURN, 'security_file_open', 0],
    ['fentry.s/do_sys_open', ProgType.TRACING, AttachType.TRACE_FENTRY, 'do_sys_open', SLEEPABLE],
    ['lsm/file_open', ProgType.LSM, AttachType.LSM_MAC, 'file_open', 0],
    ['lsm.s/bprm_committed_creds', ProgType.LSM, AttachType.LSM_MAC, 'bprm_committed_creds', SLEEPABLE],
    ['iter/task', ProgType.TRACING, AttachType.TRACE_ITER, 'task', 0],
    ['syscall', ProgType.SYSCALL, 0, undefined, SLEEPABLE],
    ['xdp', ProgType.XDP, AttachType.XDP, undefined, 0],
    ['xdp.frags', ProgType.XDP, AttachType.XDP, undefined, XDP_HAS_FRAGS],
    ['xdp/devmap', ProgType.XDP, AttachType.XDP_DEVMAP, undefined, 0],
    ['xdp.frags/cpumap', ProgType.XDP, AttachType.XDP_CPUMAP, undefined, XDP_HAS_FRAGS],
    ['perf_event', ProgType.PERF_EVENT, 0, undefined, 0],
    ['tc', ProgType.SCHED_CLS, 0, undefined, 0],
    ['classifier', ProgType.SCHED_CLS, 0, undefined, 0],
    ['action', ProgType.SCHED_ACT, 0, undefined, 0],
    ['tcx/ingress', ProgType.SCHED_CLS, AttachType.TCX_INGRESS, undefined, 0],
    ['tcx/egress', ProgType.SCHED_CLS, AttachType.TCX_EGRESS, undefined, 0],
    ['tc/ingress', ProgType.SCHED_CLS, AttachType.TCX_INGRESS, undefined, 0],
    ['sk_skb/stream_parser', ProgType.SK_SKB, AttachType.SK_SKB_STREAM_PARSER, undefined, 0],
    ['sk_skb/stream_verdict', ProgType.SK_SKB, AttachType.SK_SKB_STREAM_VERDICT, undefined, 0],
    ['sk_skb', ProgType.SK_SKB, 0, undefined, 0],
    ['sk_msg', ProgType.SK_MSG, AttachType.SK_MSG_VERDICT, undefined, 0],
    ['sockops', ProgType.SOCK_OPS, AttachType.CGROUP_SOCK_OPS, undefined, 0],
    ['sk_lookup', ProgType.SK_LOOKUP, AttachType.SK_LOOKUP, undefined, 0],
    ['flow_dissector', ProgType.FLOW_DISSECTOR, AttachType.FLOW_DISSECTOR, undefined, 0],
    ['cgroup_skb/ingress', ProgType.CGROUP_SKB, AttachType.CGROUP_INET_INGRESS, undefined, 0],
    ['cgroup_skb/egress', ProgType.CGROUP_SKB, AttachType.CGROUP_INET_EGRESS, undefined, 0],
    ['cgroup/skb', ProgType.CGROUP_SKB, 0, undefined, 0],
    ['cgroup/sock_create', ProgType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE, undefined, 0],
    ['cgroup/sock', ProgType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE, undefined, 0],
    ['cgroup/connect4', ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_CONNECT, undefined, 0],
    ['cgroup/connect6', ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_CONNECT, undefined, 0],
    ['cgroup/sendmsg4', ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_SENDMSG, undefined, 0],
    ['cgroup/bind4', ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_BIND, undefined, 0],
    ['cgroup/dev', ProgType.CGROUP_DEVICE, AttachType.CGROUP_DEVICE, undefined, 0],
    ['struct_ops/tcp_init', ProgType.STRUCT_OPS, 0, 'tcp_init', 0],
    ['struct_ops.s/x', ProgType.STRUCT_OPS, 0, 'x', SLEEPABLE],
  ])('%s', (name, type, attach, attachTo, flags) => {
    const m = matchSection(name);
    expect({ type: m.progType, attach: m.expectedAttachType, attachTo: m.attachTo, flags: m.progFlags }).toEqual({ type, attach, attachTo, flags });
  });

  it.each(['kprobex', 'xdp_devmap', 'sk_skb/other', 'cgroup/connect7', 'tcx', 'lsmx/file_open', ''])('%j matches nothing', (name) => {
    expect(matchSection(name)).toMatchObject({ def: undefined, progType: ProgType.UNSPEC, expectedAttachType: 0 });
  });

  it('patterns: "x+" is x or x/…, "x/" needs something after it, others are exact', () => {
    expect(secDefMatches('kprobe+', 'kprobe')).toBe(true);
    expect(secDefMatches('kprobe+', 'kprobe/f')).toBe(true);
    expect(secDefMatches('kprobe+', 'kprobe.multi/f')).toBe(false);
    expect(secDefMatches('foo/', 'foo/bar')).toBe(true);
    expect(secDefMatches('foo/', 'foo')).toBe(false);
    expect(secDefMatches('xdp', 'xdp/x')).toBe(false);
  });

  it('every longer name comes before the shorter one it extends', () => {
    SECTION_DEFS.forEach((def, i) => {
      const earlier = SECTION_DEFS.slice(0, i).find((d) => secDefMatches(d.sec, def.sec.replace(/[+/]$/, '')));
      expect(earlier?.sec, `${def.sec} is shadowed`).toBeUndefined();
    });
  });
});
