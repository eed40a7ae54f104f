import { AttachType as A, BpfError, ProgType as P, attachTypeName, progTypeName } from '@bpfhive/uapi';
import type { LoadedProgram } from '../programs/program.js';

/** attach_type_to_prog_type (kernel/bpf/syscall.c): the program type an attach type serves; undefined for none. */
const PROG_TYPE_OF = new Map<number, number>([
  [A.CGROUP_INET_INGRESS, P.CGROUP_SKB],
  [A.CGROUP_INET_EGRESS, P.CGROUP_SKB],
  [A.CGROUP_INET_SOCK_CREATE, P.CGROUP_SOCK],
  [A.CGROUP_INET_SOCK_RELEASE, P.CGROUP_SOCK],
  [A.CGROUP_INET4_POST_BIND, P.CGROUP_SOCK],
  [A.CGROUP_INET6_POST_BIND, P.CGROUP_SOCK],
  ...[
    A.CGROUP_INET4_BIND, A.CGROUP_INET6_BIND, A.CGROUP_INET4_CONNECT, A.CGROUP_INET6_CONNECT, A.CGROUP_UNIX_CONNECT,
    A.CGROUP_INET4_GETPEERNAME, A.CGROUP_INET6_GETPEERNAME, A.CGROUP_UNIX_GETPEERNAME, A.CGROUP_INET4_GETSOCKNAME,
    A.CGROUP_INET6_GETSOCKNAME, A.CGROUP_UNIX_GETSOCKNAME, A.CGROUP_UDP4_SENDMSG, A.CGROUP_UDP6_SENDMSG, A.CGROUP_UNIX_SENDMSG,
    A.CGROUP_UDP4_RECVMSG, A.CGROUP_UDP6_RECVMSG, A.CGROUP_UNIX_RECVMSG,
  ].map((a): [number, number] => [a, P.CGROUP_SOCK_ADDR]),
  [A.CGROUP_SOCK_OPS, P.SOCK_OPS],
  [A.CGROUP_DEVICE, P.CGROUP_DEVICE],
  [A.SK_MSG_VERDICT, P.SK_MSG],
  [A.SK_SKB_STREAM_PARSER, P.SK_SKB],
  [A.SK_SKB_STREAM_VERDICT, P.SK_SKB],
  [A.SK_SKB_VERDICT, P.SK_SKB],
  [A.LIRC_MODE2, P.LIRC_MODE2],
  [A.FLOW_DISSECTOR, P.FLOW_DISSECTOR],
  [A.CGROUP_SYSCTL, P.CGROUP_SYSCTL],
  [A.CGROUP_GETSOCKOPT, P.CGROUP_SOCKOPT],
  [A.CGROUP_SETSOCKOPT, P.CGROUP_SOCKOPT],
  [A.TRACE_ITER, P.TRACING],
  [A.TRACE_RAW_TP, P.TRACING],
  [A.TRACE_FENTRY, P.TRACING],
  [A.TRACE_FEXIT, P.TRACING],
  [A.MODIFY_RETURN, P.TRACING],
  [A.LSM_MAC, P.LSM],
  [A.LSM_CGROUP, P.LSM],
  [A.SK_LOOKUP, P.SK_LOOKUP],
  [A.XDP, P.XDP],
  [A.TCX_INGRESS, P.SCHED_CLS],
  [A.TCX_EGRESS, P.SCHED_CLS],
  [A.NETKIT_PRIMARY, P.SCHED_CLS],
  [A.NETKIT_PEER, P.SCHED_CLS],
]);

/** The program type `attachType` serves, or undefined (attach_type_to_prog_type's BPF_PROG_TYPE_UNSPEC). */
export function progTypeOfAttachType(attachType: number): number | undefined {
  return PROG_TYPE_OF.get(attachType);
}

const name = (attachType: number): string => attachTypeName(attachType) ?? String(attachType);
const mismatch = (program: LoadedProgram, attachType: number, why = ''): BpfError =>
  new BpfError('EINVAL', `link_create: a ${progTypeName(program.type) ?? program.type} program cannot attach as ${name(attachType)}${why}`);

/**
 * bpf_prog_attach_check_attach_type (kernel/bpf/syscall.c), which link_create runs first:
 * cgroup sock/sock_addr/sockopt and sk_lookup programs attach only as their expected_attach_type;
 * a cgroup skb program loaded for egress only there; tracepoints and perf event programs as
 * perf_event; kprobes as perf_event or kprobe_multi (a kprobe_multi program only as that); tc
 * programs as tcx or netkit; every other type where attach_type_to_prog_type says it belongs.
 * bpfhive adds raw tracepoint programs as trace_raw_tp, its BPF_RAW_TRACEPOINT_OPEN.
 * EINVAL otherwise. (The CAP_NET_ADMIN check of cgroup skb is the privileges layer's.)
 */
export function checkAttachType(program: LoadedProgram, attachType: number): void {
  const expected = program.expectedAttachType;
  switch (program.type) {
    case P.CGROUP_SOCK:
    case P.CGROUP_SOCK_ADDR:
    case P.CGROUP_SOCKOPT:
    case P.SK_LOOKUP:
      if (attachType !== expected) throw mismatch(program, attachType, ` (it was loaded for ${name(expected)})`);
      return;
    case P.CGROUP_SKB:
      if (attachType !== A.CGROUP_INET_INGRESS && attachType !== A.CGROUP_INET_EGRESS) throw mismatch(program, attachType);
      if (expected === A.CGROUP_INET_EGRESS && attachType !== expected) throw mismatch(program, attachType, ' (it was loaded for cgroup_inet_egress)');
      return;
    case P.EXT:
      return;
    case P.PERF_EVENT:
    case P.TRACEPOINT:
      if (attachType !== A.PERF_EVENT) throw mismatch(program, attachType, ' (attach it as perf_event)');
      return;
    case P.KPROBE:
      if (expected === A.TRACE_KPROBE_MULTI && attachType !== A.TRACE_KPROBE_MULTI) throw mismatch(program, attachType, ' (it was loaded for trace_kprobe_multi)');
      if (attachType !== A.PERF_EVENT && attachType !== A.TRACE_KPROBE_MULTI && attachType !== A.TRACE_UPROBE_MULTI) throw mismatch(program, attachType);
      return;
    case P.SCHED_CLS:
      if (attachType !== A.TCX_INGRESS && attachType !== A.TCX_EGRESS && attachType !== A.NETKIT_PRIMARY && attachType !== A.NETKIT_PEER) throw mismatch(program, attachType);
      return;
    case P.RAW_TRACEPOINT:
    case P.RAW_TRACEPOINT_WRITABLE:
      if (attachType !== A.TRACE_RAW_TP) throw mismatch(program, attachType, ' (attach it as trace_raw_tp)');
      return;
    default:
      if (progTypeOfAttachType(attachType) !== program.type) throw mismatch(program, attachType);
  }
}
