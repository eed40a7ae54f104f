import type { CallEnv } from '@bpfhive/jit';
import { HelperId, ProgType, SK_BUFF } from '@bpfhive/uapi';
import { ETH_HLEN, type PacketBuffer } from '../contexts/packet.js';
import { type HelperDef, type KernelServices, negErrno, ptr, runOf, u32 } from './common.js';

/** BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH: the flags of skb_store_bytes. */
const STORE_FLAGS = 0x3n;
const INT_MAX = 0x7fffffff;
/**
 * BPF_SKB_MAX_LEN (net/core/filter.c, since Linux 5.12 no longer the device's MTU + link header):
 * SKB_MAX_ALLOC, an order-2 allocation less the shared info, (4096 << 2) - SKB_DATA_ALIGN(sizeof(struct
 * skb_shared_info)) = 16384 - 320 on x86-64: the longest packet skb_change_tail / skb_change_head make.
 */
export const SKB_MAX_LEN = (4096 << 2) - 320;

const skbPacket = (env: CallEnv): PacketBuffer | undefined => {
  const packet = runOf(env).packet;
  return packet?.layout === SK_BUFF ? packet : undefined;
};

/** __bpf_skb_min_len: a tc program's data starts at the MAC header, so the network header is ETH_HLEN in. */
const minLength = (env: CallEnv): number => {
  const type = runOf(env).program.type;
  return type === ProgType.SCHED_CLS || type === ProgType.SCHED_ACT ? ETH_HLEN : 0;
};

/**
 * The __sk_buff packet helpers (net/core/filter.c), offsets counted from skb->data (a u32
 * parameter: the register's upper 32 bits are dropped, as the C call does):
 * - skb_load_bytes(skb, offset, to, len): copy out; -EFAULT (destination zeroed) past the packet;
 * - skb_store_bytes(skb, offset, from, len, flags): copy in; -EINVAL for flags other than
 *   BPF_F_RECOMPUTE_CSUM / BPF_F_INVALIDATE_HASH, -EFAULT past the packet;
 * - skb_pull_data(skb, len): 0 when the first `len` bytes are linear (always here), -ENOMEM past the end;
 * - skb_change_tail(skb, new_len, flags): trim or extend with zeros; -EINVAL for flags or a length
 *   outside [network header offset, SKB_MAX_LEN];
 * - skb_change_head(skb, head_room, flags): push `head_room` zeroed bytes in front; -EINVAL for
 *   flags or a packet that would outgrow SKB_MAX_LEN.
 * The packet moves to a larger buffer when it needs room (pskb_expand_head).
 */
export function skbHelpers(kernel: KernelServices): HelperDef[] {
  const { memory } = kernel;
  return [
    {
      id: HelperId.skb_load_bytes,
      fn: ([, offset, to, length], env) => {
        const out = memory.bytes(ptr(to), u32(length));
        const packet = skbPacket(env);
        const { data, dataEnd } = packet?.bounds ?? { data: 0, dataEnd: 0 };
        const at = u32(offset);
        if (!packet || at > INT_MAX || data + at + out.length > dataEnd) {
          out.fill(0);
          return negErrno('EFAULT');
        }
        out.set(memory.bytes(data + at, out.length));
        return 0n;
      },
    },
    {
      id: HelperId.skb_store_bytes,
      fn: ([, offset, from, length, flags], env) => {
        if ((flags & ~STORE_FLAGS) !== 0n) return negErrno('EINVAL');
        const packet = skbPacket(env);
        const at = u32(offset);
        if (!packet || at > INT_MAX) return negErrno('EFAULT');
        const { data, dataEnd } = packet.bounds;
        const size = u32(length);
        if (data + at + size > dataEnd) return negErrno('EFAULT');
        memory.bytes(data + at, size).set(memory.bytes(ptr(from), size));
        return 0n;
      },
    },
    {
      id: HelperId.skb_pull_data,
      fn: ([, length], env) => {
        const packet = skbPacket(env);
        if (!packet) return negErrno('EINVAL');
        return u32(length) <= packet.data.length ? 0n : negErrno('ENOMEM');
      },
    },
    {
      id: HelperId.skb_change_tail,
      fn: ([, newLength, flags], env) => {
        const packet = skbPacket(env);
        const length = u32(newLength);
        if (!packet || flags !== 0n || newLength > 0xffffffffn || length > SKB_MAX_LEN || length < minLength(env)) return negErrno('EINVAL');
        let { data, dataEnd } = packet.bounds;
        if (data + length > packet.hardEnd) {
          packet.grow(data - packet.hardStart, length - (dataEnd - data));
          ({ data, dataEnd } = packet.bounds);
        }
        if (data + length > dataEnd) kernel.arena.bytes.fill(0, dataEnd, data + length);
        packet.setBounds({ dataMeta: data, data, dataEnd: data + length });
        return 0n;
      },
    },
    {
      id: HelperId.skb_change_head,
      fn: ([, headRoom, flags], env) => {
        const packet = skbPacket(env);
        const room = u32(headRoom);
        if (!packet || flags !== 0n || headRoom > 0xffffffffn || packet.data.length + room > SKB_MAX_LEN) return negErrno('EINVAL');
        let { data, dataEnd } = packet.bounds;
        if (data - room < packet.hardStart) {
          packet.grow(room, packet.hardEnd - dataEnd);
          ({ data, dataEnd } = packet.bounds);
        }
        kernel.arena.bytes.fill(0, data - room, data);
        packet.setBounds({ dataMeta: data - room, data: data - room, dataEnd });
        return 0n;
      },
    },
  ];
}
