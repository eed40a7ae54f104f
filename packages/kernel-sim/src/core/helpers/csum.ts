import type { CallEnv } from '@bpfhive/jit';
import { HelperId, SK_BUFF } from '@bpfhive/uapi';
import type { PacketBuffer } from '../contexts/packet.js';
import { csumFrom32to16, csumPartial, csumReplace2, csumReplace4, csumReplaceByDiff, csumSub } from '../net/checksum.js';
import { type HelperDef, type KernelServices, negErrno, ptr, runOf, u32 } from './common.js';

/** BPF_F_HDR_FIELD_MASK and the l4 flags (include/uapi/linux/bpf.h). */
const HDR_FIELD_MASK = 0xf;
const BPF_F_PSEUDO_HDR = 0x10;
const BPF_F_MARK_MANGLED_0 = 0x20;
const BPF_F_MARK_ENFORCE = 0x40;
const BPF_F_IPV6 = 0x80;
/** CSUM_MANGLED_0: a UDP checksum that computes to 0 is sent as 0xffff. */
const CSUM_MANGLED_0 = 0xffff;
/** The largest from_size + to_size of bpf_csum_diff (its scratch area: MAX_BPF_STACK). */
const CSUM_DIFF_MAX = 512;

const skbPacket = (env: CallEnv): PacketBuffer | undefined => {
  const packet = runOf(env).packet;
  return packet?.layout === SK_BUFF ? packet : undefined;
};

/**
 * The checksum helpers (net/core/filter.c):
 * - csum_diff(from, from_size, to, to_size, seed): the partial sum of `to` less `from` plus seed,
 *   folded to 16 bits (as Linux computes it since 6.13 on every architecture); -EINVAL for sizes
 *   that are not multiples of 4 or exceed 512 bytes together.
 * - l3_csum_replace / l4_csum_replace(skb, offset, from, to, flags): update the checksum at
 *   `offset` from the packet's data for a field that changed (flags & 0xf: 2 or 4 bytes; 0 with
 *   from = 0 and to = a csum_diff result). -EINVAL for unknown flags or sizes, -EFAULT for an
 *   offset that is odd, above 0xffff, or past the packet. l4 with BPF_F_MARK_MANGLED_0 leaves a
 *   zero checksum alone (unless BPF_F_MARK_ENFORCE) and writes 0xffff for a result of zero.
 */
export function csumHelpers(kernel: KernelServices): HelperDef[] {
  const { memory } = kernel;
  const replace = (env: CallEnv, args: readonly bigint[], allowedFlags: number, l4: boolean): bigint => {
    const [, offsetArg, fromArg, toArg, flagsArg] = args;
    const flags = Number(flagsArg! & 0xffffffffn);
    if (flagsArg! > 0xffffffffn || (flags & ~allowedFlags) !== 0) return negErrno('EINVAL');
    const packet = skbPacket(env);
    if (!packet) return negErrno('EINVAL');
    const offset = offsetArg!;
    const { data, dataEnd } = packet.bounds;
    if (offset > 0xffffn || (offset & 1n) !== 0n || data + Number(offset) + 2 > dataEnd) return negErrno('EFAULT');
    const at = data + Number(offset);
    const bytes = memory.bytes(at, 2);
    const sum = bytes[0]! | (bytes[1]! << 8);
    const markMangled = l4 && (flags & BPF_F_MARK_MANGLED_0) !== 0;
    if (markMangled && (flags & BPF_F_MARK_ENFORCE) === 0 && sum === 0) return 0n;
    const from = u32(fromArg!);
    const to = u32(toArg!);
    let next: number;
    switch (flags & HDR_FIELD_MASK) {
      case 0:
        if (from !== 0) return negErrno('EINVAL');
        next = csumReplaceByDiff(sum, to);
        break;
      case 2:
        next = l4 ? csumReplace4(sum, from & 0xffff, to & 0xffff) : csumReplace2(sum, from, to);
        break;
      case 4:
        next = csumReplace4(sum, from, to);
        break;
      default:
        return negErrno('EINVAL');
    }
    if (markMangled && next === 0) next = CSUM_MANGLED_0;
    bytes[0] = next & 0xff;
    bytes[1] = next >>> 8;
    return 0n;
  };
  return [
    {
      id: HelperId.csum_diff,
      fn: ([from, fromSize, to, toSize, seed]) => {
        const f = u32(fromSize);
        const t = u32(toSize);
        if (((f | t) & 3) !== 0 || f + t > CSUM_DIFF_MAX) return negErrno('EINVAL');
        const s = u32(seed);
        if (f > 0 && t > 0) return BigInt(csumFrom32to16(csumSub(csumPartial(memory.bytes(ptr(to), t), s), csumPartial(memory.bytes(ptr(from), f), 0))));
        if (t > 0) return BigInt(csumFrom32to16(csumPartial(memory.bytes(ptr(to), t), s)));
        if (f > 0) return BigInt(csumFrom32to16(~csumPartial(memory.bytes(ptr(from), f), ~s >>> 0) >>> 0));
        return BigInt(s);
      },
    },
    { id: HelperId.l3_csum_replace, fn: (args, env) => replace(env, args, HDR_FIELD_MASK, false) },
    {
      id: HelperId.l4_csum_replace,
      fn: (args, env) => replace(env, args, HDR_FIELD_MASK | BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_IPV6, true),
    },
  ];
}
