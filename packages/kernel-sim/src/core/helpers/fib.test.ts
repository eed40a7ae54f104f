import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness } from '../../testing/harness.js';
import { udpFrame } from '../../testing/packets.js';

/**
 * bpf_fib_lookup from XDP and tc: a struct bpf_fib_lookup (64 bytes) on the stack at r10 - 64,
 * family, ifindex and the IPv6 addresses set as `fill` says, then the helper's return value.
 */
const lookup = (fill: string, plen = 64, flags = 0) => `
  r6 = r1
  r2 = 0
  *(u64 *)(r10 - 64) = r2
  *(u64 *)(r10 - 56) = r2
  *(u64 *)(r10 - 48) = r2
  *(u64 *)(r10 - 40) = r2
  *(u64 *)(r10 - 32) = r2
  *(u64 *)(r10 - 24) = r2
  *(u64 *)(r10 - 16) = r2
  *(u64 *)(r10 - 8) = r2
  ${fill}
  r1 = r6
  r2 = r10
  r2 += -64
  r3 = ${plen}
  r4 = ${flags}
  call ${H.fib_lookup}
  exit`;
/** AF_INET, ifindex 1. */
const ipv4 = `
  r2 = 2
  *(u8 *)(r10 - 64) = r2
  r2 = 1
  *(u32 *)(r10 - 56) = r2`;
/** AF_INET6, ifindex 1, destination 2001:db8::1, source `src` as its first byte pair (0xfe80: link-local). */
const ipv6 = (srcFirst: number) => `
  r2 = 10
  *(u8 *)(r10 - 64) = r2
  r2 = 1
  *(u32 *)(r10 - 56) = r2
  r2 = ${srcFirst}
  *(u16 *)(r10 - 48) = r2
  r2 = 0xb80d0120
  *(u32 *)(r10 - 32) = r2
  r2 = 1
  *(u8 *)(r10 - 17) = r2`;

const run = async (text: string, prog_type: 'xdp' | 'sched_cls' = 'xdp'): Promise<number> => {
  const h = kernelHarness();
  const { program } = await h.load(text, { prog_type });
  return h.kernel.testRun(program.id, { data_in: udpFrame() }).retval;
};

describe('helpers - bpf_fib_lookup', () => {
  it.each(['xdp', 'sched_cls'] as const)('helpers - %s - a valid IPv4 or IPv6 lookup on a host that does not forward is BPF_FIB_LKUP_RET_FWD_DISABLED (5)', async (type) => {
    expect(await run(lookup(ipv4), type)).toBe(5);
    expect(await run(lookup(ipv6(0x20)), type)).toBe(5);
    // The flags Linux knows (DIRECT, OUTPUT, SKIP_NEIGH, TBID, SRC, MARK) are accepted.
    expect(await run(lookup(ipv4, 64, 0x3f), type)).toBe(5);
  });

  it.each([
    ['a plen below sizeof(struct bpf_fib_lookup)', lookup(ipv4, 63), 0xffffffea], // -EINVAL
    ['an unknown flag', lookup(ipv4, 64, 0x40), 0xffffffea], // -EINVAL
    ['a family other than AF_INET and AF_INET6', lookup('r2 = 1\n*(u8 *)(r10 - 64) = r2'), 0xffffff9f], // -EAFNOSUPPORT
    ['an IPv6 link-local source (never forwarded)', lookup(ipv6(0x80fe)), 4], // BPF_FIB_LKUP_RET_NOT_FWDED
    ['an IPv6 multicast source (never forwarded)', lookup(ipv6(0xff)), 4],
    ['ifindex 0', lookup('r2 = 2\n*(u8 *)(r10 - 64) = r2'), 0xffffffed], // -ENODEV
  ])('helpers - %s is what Linux returns', async (_title, text, retval) => {
    expect(await run(text)).toBe(retval);
  });
});
