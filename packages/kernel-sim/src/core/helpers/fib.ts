import { HelperId } from '@bpfhive/uapi';
import { type HelperDef, type KernelServices, negErrno, ptr, s32 } from './common.js';

/** sizeof(struct bpf_fib_lookup) (include/uapi/linux/bpf.h): a smaller `plen` is -EINVAL. */
export const BPF_FIB_LOOKUP_SIZE = 64;

/** bpf_fib_lookup's flags: DIRECT, OUTPUT, SKIP_NEIGH, TBID, SRC, MARK (BPF_FIB_LOOKUP_MASK). */
export const BPF_FIB_LOOKUP_MASK = 0x3f;

/** The BPF_FIB_LKUP_RET_* codes (include/uapi/linux/bpf.h). */
export const FibLookupRet = {
  SUCCESS: 0,
  BLACKHOLE: 1,
  UNREACHABLE: 2,
  PROHIBIT: 3,
  NOT_FWDED: 4,
  FWD_DISABLED: 5,
  UNSUPP_LWT: 6,
  NO_NEIGH: 7,
  FRAG_NEEDED: 8,
  NO_SRC_ADDR: 9,
} as const;

const AF_INET = 2;
const AF_INET6 = 10;
/** Offsets in struct bpf_fib_lookup. */
const FAMILY = 0;
const IFINDEX = 8;
const IPV6_SRC = 16;
const IPV6_DST = 32;

/**
 * rt6_need_strict: a multicast, link-local or loopback IPv6 address, which bpf_ipv6_fib_lookup
 * never forwards (BPF_FIB_LKUP_RET_NOT_FWDED).
 */
function ipv6NeedsStrict(a: Uint8Array): boolean {
  if (a[0] === 0xff) return true; // multicast
  if (a[0] === 0xfe && (a[1]! & 0xc0) === 0x80) return true; // link-local fe80::/10
  return a.subarray(0, 15).every((b) => b === 0) && a[15] === 1; // ::1
}

/**
 * bpf_fib_lookup(ctx, params, plen, flags) for XDP (bpf_xdp_fib_lookup) and tc
 * (bpf_skb_fib_lookup), net/core/filter.c, in Linux's order of checks:
 * -EINVAL for `plen` below sizeof(struct bpf_fib_lookup) or flags outside BPF_FIB_LOOKUP_MASK;
 * -EAFNOSUPPORT for a family other than AF_INET and AF_INET6; for IPv6 a multicast, link-local
 * or loopback source or destination is BPF_FIB_LKUP_RET_NOT_FWDED; ifindex 0 names no device
 * (-ENODEV); then the input device must forward: the simulated machine keeps Linux's defaults,
 * net.ipv4.ip_forward = 0 and net.ipv6.conf.all.forwarding = 0, and models no routes or
 * neighbours, so every lookup that passes those checks is BPF_FIB_LKUP_RET_FWD_DISABLED — what an
 * XDP forwarder such as the kernel's xdp_fwd sample, or Cilium's nodeport path, meets on a host
 * that does not forward, and takes as "pass the packet up the stack". `params` is left unchanged.
 * (Devices the world makes are not the kernel's NetDevices yet, so other ifindexes are not
 * checked: -ENODEV comes only for 0.)
 */
export function fibHelpers(kernel: KernelServices): HelperDef[] {
  const { memory } = kernel;
  return [
    {
      id: HelperId.fib_lookup,
      fn: ([, params, plen, flags]) => {
        if (s32(plen) < BPF_FIB_LOOKUP_SIZE) return negErrno('EINVAL');
        if ((flags & ~BigInt(BPF_FIB_LOOKUP_MASK) & 0xffff_ffffn) !== 0n) return negErrno('EINVAL');
        const p = memory.bytes(ptr(params), BPF_FIB_LOOKUP_SIZE);
        const family = p[FAMILY];
        if (family !== AF_INET && family !== AF_INET6) return negErrno('EAFNOSUPPORT');
        if (family === AF_INET6 && (ipv6NeedsStrict(p.subarray(IPV6_SRC, IPV6_SRC + 16)) || ipv6NeedsStrict(p.subarray(IPV6_DST, IPV6_DST + 16)))) {
          return BigInt(FibLookupRet.NOT_FWDED);
        }
        if (memory.u32(ptr(params) + IFINDEX) === 0) return negErrno('ENODEV');
        return BigInt(FibLookupRet.FWD_DISABLED);
      },
    },
  ];
}
