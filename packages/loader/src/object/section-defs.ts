/**
 * libbpf's section-name table (SEC_DEF in libbpf.c), as data: which program type and
 * expected attach type a `SEC("...")` name means, and how it attaches.
 *
 * A definition ending in '+' matches the name exactly or followed by '/' and an attach
 * target (`kprobe` and `kprobe/do_unlinkat`); one ending in '/' needs the target; any
 * other matches exactly. The first match in table order wins, so longer names come first.
 */
import { AttachType, ProgType } from '@bpfhive/uapi';
import { ProgLoadFlag } from './types.js';

/** libbpf's `enum sec_def_flags`. */
export const SecFlag = {
  NONE: 0,
  /** expected_attach_type may be dropped on kernels that lack it. */
  EXP_ATTACH_OPT: 1,
  /** Attachable with BPF_PROG_ATTACH (legacy marker). */
  ATTACHABLE: 2,
  ATTACHABLE_OPT: 3,
  /** The attach target is a BTF id (of a kernel function, or of another program). */
  ATTACH_BTF: 4,
  /** The program may sleep: BPF_F_SLEEPABLE. */
  SLEEPABLE: 8,
  /** XDP program that handles multi-buffer packets: BPF_F_XDP_HAS_FRAGS. */
  XDP_FRAGS: 16,
  /** USDT probe (uprobe multi when the kernel has it). */
  USDT: 32,
} as const;

export interface SecDef {
  /** The pattern: `kprobe+`, `xdp.frags/devmap`, `sk_skb/stream_parser`. */
  readonly sec: string;
  readonly progType: number;
  readonly attachType: number;
  /** SecFlag bits. */
  readonly flags: number;
}

const { NONE, ATTACHABLE, ATTACHABLE_OPT, ATTACH_BTF, SLEEPABLE, XDP_FRAGS, USDT } = SecFlag;
const P = ProgType;
const A = AttachType;

const def = (sec: string, progType: number, attachType: number, flags: number): SecDef => ({ sec, progType, attachType, flags });

/** The table, in libbpf's order. */
export const SECTION_DEFS: readonly SecDef[] = [
  def('socket', P.SOCKET_FILTER, 0, NONE),
  def('sk_reuseport/migrate', P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT_OR_MIGRATE, ATTACHABLE),
  def('sk_reuseport', P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT, ATTACHABLE),
  def('kprobe+', P.KPROBE, 0, NONE),
  def('uprobe+', P.KPROBE, 0, NONE),
  def('uprobe.s+', P.KPROBE, 0, SLEEPABLE),
  def('kretprobe+', P.KPROBE, 0, NONE),
  def('uretprobe+', P.KPROBE, 0, NONE),
  def('uretprobe.s+', P.KPROBE, 0, SLEEPABLE),
  def('kprobe.multi+', P.KPROBE, A.TRACE_KPROBE_MULTI, NONE),
  def('kretprobe.multi+', P.KPROBE, A.TRACE_KPROBE_MULTI, NONE),
  def('uprobe.multi+', P.KPROBE, A.TRACE_UPROBE_MULTI, NONE),
  def('uretprobe.multi+', P.KPROBE, A.TRACE_UPROBE_MULTI, NONE),
  def('uprobe.multi.s+', P.KPROBE, A.TRACE_UPROBE_MULTI, SLEEPABLE),
  def('uretprobe.multi.s+', P.KPROBE, A.TRACE_UPROBE_MULTI, SLEEPABLE),
  def('ksyscall+', P.KPROBE, 0, NONE),
  def('kretsyscall+', P.KPROBE, 0, NONE),
  def('usdt+', P.KPROBE, 0, USDT),
  def('usdt.s+', P.KPROBE, 0, USDT | SLEEPABLE),
  def('tc/ingress', P.SCHED_CLS, A.TCX_INGRESS, NONE),
  def('tc/egress', P.SCHED_CLS, A.TCX_EGRESS, NONE),
  def('tcx/ingress', P.SCHED_CLS, A.TCX_INGRESS, NONE),
  def('tcx/egress', P.SCHED_CLS, A.TCX_EGRESS, NONE),
  def('tc', P.SCHED_CLS, 0, NONE),
  def('classifier', P.SCHED_CLS, 0, NONE),
  def('action', P.SCHED_ACT, 0, NONE),
  def('netkit/primary', P.SCHED_CLS, A.NETKIT_PRIMARY, NONE),
  def('netkit/peer', P.SCHED_CLS, A.NETKIT_PEER, NONE),
  def('tracepoint+', P.TRACEPOINT, 0, NONE),
  def('tp+', P.TRACEPOINT, 0, NONE),
  def('raw_tracepoint+', P.RAW_TRACEPOINT, 0, NONE),
  def('raw_tp+', P.RAW_TRACEPOINT, 0, NONE),
  def('raw_tracepoint.w+', P.RAW_TRACEPOINT_WRITABLE, 0, NONE),
  def('raw_tp.w+', P.RAW_TRACEPOINT_WRITABLE, 0, NONE),
  def('tp_btf+', P.TRACING, A.TRACE_RAW_TP, ATTACH_BTF),
  def('fentry+', P.TRACING, A.TRACE_FENTRY, ATTACH_BTF),
  def('fmod_ret+', P.TRACING, A.MODIFY_RETURN, ATTACH_BTF),
  def('fexit+', P.TRACING, A.TRACE_FEXIT, ATTACH_BTF),
  def('fentry.s+', P.TRACING, A.TRACE_FENTRY, ATTACH_BTF | SLEEPABLE),
  def('fmod_ret.s+', P.TRACING, A.MODIFY_RETURN, ATTACH_BTF | SLEEPABLE),
  def('fexit.s+', P.TRACING, A.TRACE_FEXIT, ATTACH_BTF | SLEEPABLE),
  def('freplace+', P.EXT, 0, ATTACH_BTF),
  def('lsm+', P.LSM, A.LSM_MAC, ATTACH_BTF),
  def('lsm.s+', P.LSM, A.LSM_MAC, ATTACH_BTF | SLEEPABLE),
  def('lsm_cgroup+', P.LSM, A.LSM_CGROUP, ATTACH_BTF),
  def('iter+', P.TRACING, A.TRACE_ITER, ATTACH_BTF),
  def('iter.s+', P.TRACING, A.TRACE_ITER, ATTACH_BTF | SLEEPABLE),
  def('syscall', P.SYSCALL, 0, SLEEPABLE),
  def('xdp.frags/devmap', P.XDP, A.XDP_DEVMAP, XDP_FRAGS),
  def('xdp/devmap', P.XDP, A.XDP_DEVMAP, ATTACHABLE),
  def('xdp.frags/cpumap', P.XDP, A.XDP_CPUMAP, XDP_FRAGS),
  def('xdp/cpumap', P.XDP, A.XDP_CPUMAP, ATTACHABLE),
  def('xdp.frags', P.XDP, A.XDP, XDP_FRAGS),
  def('xdp', P.XDP, A.XDP, ATTACHABLE_OPT),
  def('perf_event', P.PERF_EVENT, 0, NONE),
  def('lwt_in', P.LWT_IN, 0, NONE),
  def('lwt_out', P.LWT_OUT, 0, NONE),
  def('lwt_xmit', P.LWT_XMIT, 0, NONE),
  def('lwt_seg6local', P.LWT_SEG6LOCAL, 0, NONE),
  def('sockops', P.SOCK_OPS, A.CGROUP_SOCK_OPS, ATTACHABLE_OPT),
  def('sk_skb/stream_parser', P.SK_SKB, A.SK_SKB_STREAM_PARSER, ATTACHABLE_OPT),
  def('sk_skb/stream_verdict', P.SK_SKB, A.SK_SKB_STREAM_VERDICT, ATTACHABLE_OPT),
  def('sk_skb', P.SK_SKB, 0, NONE),
  def('sk_msg', P.SK_MSG, A.SK_MSG_VERDICT, ATTACHABLE_OPT),
  def('lirc_mode2', P.LIRC_MODE2, A.LIRC_MODE2, ATTACHABLE_OPT),
  def('flow_dissector', P.FLOW_DISSECTOR, A.FLOW_DISSECTOR, ATTACHABLE_OPT),
  def('cgroup_skb/ingress', P.CGROUP_SKB, A.CGROUP_INET_INGRESS, ATTACHABLE_OPT),
  def('cgroup_skb/egress', P.CGROUP_SKB, A.CGROUP_INET_EGRESS, ATTACHABLE_OPT),
  def('cgroup/skb', P.CGROUP_SKB, 0, NONE),
  def('cgroup/sock_create', P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE, ATTACHABLE),
  def('cgroup/sock_release', P.CGROUP_SOCK, A.CGROUP_INET_SOCK_RELEASE, ATTACHABLE),
  def('cgroup/sock', P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE, ATTACHABLE_OPT),
  def('cgroup/post_bind4', P.CGROUP_SOCK, A.CGROUP_INET4_POST_BIND, ATTACHABLE),
  def('cgroup/post_bind6', P.CGROUP_SOCK, A.CGROUP_INET6_POST_BIND, ATTACHABLE),
  def('cgroup/bind4', P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_BIND, ATTACHABLE),
  def('cgroup/bind6', P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_BIND, ATTACHABLE),
  def('cgroup/connect4', P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_CONNECT, ATTACHABLE),
  def('cgroup/connect6', P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_CONNECT, ATTACHABLE),
  def('cgroup/connect_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_CONNECT, ATTACHABLE),
  def('cgroup/sendmsg4', P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_SENDMSG, ATTACHABLE),
  def('cgroup/sendmsg6', P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_SENDMSG, ATTACHABLE),
  def('cgroup/sendmsg_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_SENDMSG, ATTACHABLE),
  def('cgroup/recvmsg4', P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_RECVMSG, ATTACHABLE),
  def('cgroup/recvmsg6', P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_RECVMSG, ATTACHABLE),
  def('cgroup/recvmsg_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_RECVMSG, ATTACHABLE),
  def('cgroup/getpeername4', P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETPEERNAME, ATTACHABLE),
  def('cgroup/getpeername6', P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETPEERNAME, ATTACHABLE),
  def('cgroup/getpeername_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_GETPEERNAME, ATTACHABLE),
  def('cgroup/getsockname4', P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETSOCKNAME, ATTACHABLE),
  def('cgroup/getsockname6', P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETSOCKNAME, ATTACHABLE),
  def('cgroup/getsockname_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_GETSOCKNAME, ATTACHABLE),
  def('cgroup/sysctl', P.CGROUP_SYSCTL, A.CGROUP_SYSCTL, ATTACHABLE),
  def('cgroup/getsockopt', P.CGROUP_SOCKOPT, A.CGROUP_GETSOCKOPT, ATTACHABLE),
  def('cgroup/setsockopt', P.CGROUP_SOCKOPT, A.CGROUP_SETSOCKOPT, ATTACHABLE),
  def('cgroup/dev', P.CGROUP_DEVICE, A.CGROUP_DEVICE, ATTACHABLE_OPT),
  def('struct_ops+', P.STRUCT_OPS, 0, NONE),
  def('struct_ops.s+', P.STRUCT_OPS, 0, SLEEPABLE),
  def('sk_lookup', P.SK_LOOKUP, A.SK_LOOKUP, ATTACHABLE),
  def('netfilter', P.NETFILTER, A.NETFILTER, NONE),
];

/** True when `pattern` matches the section name, by libbpf's rules (see the top of the file). */
export function secDefMatches(pattern: string, sectionName: string): boolean {
  const last = pattern[pattern.length - 1];
  if (last === '/') return sectionName.startsWith(pattern);
  if (last === '+') {
    const prefix = pattern.slice(0, -1);
    if (!sectionName.startsWith(prefix)) return false;
    const rest = sectionName.slice(prefix.length);
    return rest === '' || rest.startsWith('/');
  }
  return sectionName === pattern;
}

/** What a section name means for a program. */
export interface SectionMeaning {
  readonly def: SecDef | undefined;
  readonly progType: number;
  readonly expectedAttachType: number;
  /** The text after the definition's prefix and '/', when there is any. */
  readonly attachTo: string | undefined;
  /** ProgLoadFlag bits. */
  readonly progFlags: number;
}

/** The first SEC_DEF that matches `sectionName` (without its '?'), and what it implies. */
export function matchSection(sectionName: string): SectionMeaning {
  const def = SECTION_DEFS.find((d) => secDefMatches(d.sec, sectionName));
  if (!def) return { def, progType: ProgType.UNSPEC, expectedAttachType: 0, attachTo: undefined, progFlags: 0 };
  const prefix = def.sec.replace(/[+/]$/, '');
  const rest = sectionName.slice(prefix.length);
  const attachTo = rest.startsWith('/') && rest.length > 1 ? rest.slice(1) : undefined;
  let progFlags = 0;
  if (def.flags & SecFlag.SLEEPABLE) progFlags |= ProgLoadFlag.SLEEPABLE;
  if (def.flags & SecFlag.XDP_FRAGS && def.progType === ProgType.XDP) progFlags |= ProgLoadFlag.XDP_HAS_FRAGS;
  return { def, progType: def.progType, expectedAttachType: def.attachType, attachTo, progFlags };
}
