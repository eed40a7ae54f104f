import { AttachType as A, ProgType as P } from '@bpfhive/uapi';

/**
 * The expected_attach_type rules of BPF_PROG_LOAD (kernel/bpf/syscall.c): the default some types
 * take when none is given (bpf_prog_load_fixup_attach_type), and the attach types each program
 * type may name (bpf_prog_load_check_attach). Types not listed take any value.
 */
const DEFAULTS = new Map<number, number>([
  [P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE],
  [P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT],
]);

const ALLOWED = new Map<number, readonly number[]>([
  [P.CGROUP_SOCK, [A.CGROUP_INET_SOCK_CREATE, A.CGROUP_INET_SOCK_RELEASE, A.CGROUP_INET4_POST_BIND, A.CGROUP_INET6_POST_BIND]],
  [
    P.CGROUP_SOCK_ADDR,
    [
      A.CGROUP_INET4_BIND, A.CGROUP_INET6_BIND, A.CGROUP_INET4_CONNECT, A.CGROUP_INET6_CONNECT, A.CGROUP_UNIX_CONNECT,
      A.CGROUP_INET4_GETPEERNAME, A.CGROUP_INET6_GETPEERNAME, A.CGROUP_UNIX_GETPEERNAME, A.CGROUP_INET4_GETSOCKNAME,
      A.CGROUP_INET6_GETSOCKNAME, A.CGROUP_UNIX_GETSOCKNAME, A.CGROUP_UDP4_SENDMSG, A.CGROUP_UDP6_SENDMSG,
      A.CGROUP_UNIX_SENDMSG, A.CGROUP_UDP4_RECVMSG, A.CGROUP_UDP6_RECVMSG, A.CGROUP_UNIX_RECVMSG,
    ],
  ],
  [P.CGROUP_SKB, [A.CGROUP_INET_INGRESS, A.CGROUP_INET_EGRESS]],
  [P.CGROUP_SOCKOPT, [A.CGROUP_SETSOCKOPT, A.CGROUP_GETSOCKOPT]],
  [P.SK_LOOKUP, [A.SK_LOOKUP]],
  [P.SK_REUSEPORT, [A.SK_REUSEPORT_SELECT, A.SK_REUSEPORT_SELECT_OR_MIGRATE]],
  [P.NETFILTER, [A.NETFILTER]],
  // SYSCALL and EXT programs take none: 0 is the only value (it reads as CGROUP_INET_INGRESS).
  [P.SYSCALL, [0]],
  [P.EXT, [0]],
]);

/** The expected_attach_type a program of `progType` gets when it gives `requested` (0 when absent). */
export function effectiveAttachType(progType: number, requested: number): number {
  return requested === 0 ? (DEFAULTS.get(progType) ?? 0) : requested;
}

/** True when `progType` may be loaded with `attachType`. */
export function attachTypeAllowed(progType: number, attachType: number): boolean {
  const allowed = ALLOWED.get(progType);
  return allowed === undefined || allowed.includes(attachType);
}
