import type { CallEnv } from '@bpfhive/jit';
import { HelperId, XDP_MD } from '@bpfhive/uapi';
import { ETH_HLEN, type PacketBuffer } from '../contexts/packet.js';
import { type HelperDef, type KernelServices, negErrno, runOf, s32 } from './common.js';

/** sizeof(struct xdp_frame) on x86-64: the head of the buffer the packet may never move into. */
export const XDP_FRAME_SIZE = 40;
/** The largest XDP metadata area, in bytes (a multiple of 4). */
export const XDP_META_MAX = 32;

/** True when `length` is not a metadata length XDP allows (xdp_metalen_invalid). */
export const xdpMetaLengthInvalid = (length: number): boolean => (length & 3) !== 0 || length > XDP_META_MAX;

const xdpPacket = (env: CallEnv): PacketBuffer | undefined => {
  const packet = runOf(env).packet;
  return packet?.layout === XDP_MD ? packet : undefined;
};

/**
 * The XDP packet helpers (net/core/filter.c), moving the bounds in the xdp_md the program reads:
 * - xdp_adjust_head(ctx, delta): data += delta (metadata moves along); -EINVAL when data would
 *   enter the xdp_frame area or leave fewer than ETH_HLEN bytes;
 * - xdp_adjust_meta(ctx, delta): data_meta += delta; -EINVAL outside [frame end, data], -EACCES
 *   for a metadata length that is not a multiple of 4 up to 32;
 * - xdp_adjust_tail(ctx, delta): data_end += delta, new bytes zeroed; -EINVAL past the tailroom
 *   or below ETH_HLEN bytes;
 * - xdp_get_buff_len(ctx): data_end - data (no fragments in the simulation).
 */
export function xdpHelpers(kernel: KernelServices): HelperDef[] {
  return [
    {
      id: HelperId.xdp_adjust_head,
      fn: ([, delta], env) => {
        const packet = xdpPacket(env);
        if (!packet) return negErrno('EINVAL');
        const offset = s32(delta);
        const { dataMeta, data, dataEnd } = packet.bounds;
        const metaLength = data - dataMeta;
        const newData = data + offset;
        if (newData < packet.hardStart + XDP_FRAME_SIZE + metaLength || newData > dataEnd - ETH_HLEN) return negErrno('EINVAL');
        if (metaLength > 0) kernel.arena.bytes.copyWithin(dataMeta + offset, dataMeta, data);
        packet.setBounds({ dataMeta: dataMeta + offset, data: newData, dataEnd });
        return 0n;
      },
    },
    {
      id: HelperId.xdp_adjust_meta,
      fn: ([, delta], env) => {
        const packet = xdpPacket(env);
        if (!packet) return negErrno('EINVAL');
        const { dataMeta, data, dataEnd } = packet.bounds;
        const meta = dataMeta + s32(delta);
        if (meta < packet.hardStart + XDP_FRAME_SIZE || meta > data) return negErrno('EINVAL');
        if (xdpMetaLengthInvalid(data - meta)) return negErrno('EACCES');
        packet.setBounds({ dataMeta: meta, data, dataEnd });
        return 0n;
      },
    },
    {
      id: HelperId.xdp_adjust_tail,
      fn: ([, delta], env) => {
        const packet = xdpPacket(env);
        if (!packet) return negErrno('EINVAL');
        const offset = s32(delta);
        const { dataMeta, data, dataEnd } = packet.bounds;
        const newEnd = dataEnd + offset;
        if (newEnd > packet.hardEnd || newEnd < data + ETH_HLEN) return negErrno('EINVAL');
        if (offset > 0) kernel.arena.bytes.fill(0, dataEnd, newEnd);
        packet.setBounds({ dataMeta, data, dataEnd: newEnd });
        return 0n;
      },
    },
    {
      id: HelperId.xdp_get_buff_len,
      fn: (_args, env) => {
        const packet = xdpPacket(env);
        return packet ? BigInt(packet.data.length) : negErrno('EINVAL');
      },
    },
  ];
}
