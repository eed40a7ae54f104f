import type { Arena } from '@bpfhive/maps-store';
import { XDP_MD } from '@bpfhive/uapi';
import type { ArenaBlock } from '../memory/regions.js';
import { PacketBuffer } from './packet.js';
import { buildContext } from './write.js';

/** XDP_PACKET_HEADROOM: room before the packet for xdp_adjust_head and metadata. */
export const XDP_PACKET_HEADROOM = 256;
/** One page per XDP frame, as the page pool hands them out. */
export const XDP_FRAME_BYTES = 4096;

export interface XdpFrameInput {
  /** The metadata (metaLength bytes) followed by the packet. */
  readonly bytes: Uint8Array;
  readonly metaLength: number;
  readonly ingressIfindex: number;
  readonly rxQueueIndex: number;
}

/**
 * An XDP frame and its xdp_md: a page with the packet at XDP_PACKET_HEADROOM, any metadata right
 * before it, and the skb_shared_info tailroom at the end; data, data_end and data_meta hold the
 * arena addresses of those bounds. The caller frees both blocks.
 */
export function buildXdpContext(arena: Arena, input: XdpFrameInput): { ctx: ArenaBlock; packet: PacketBuffer } {
  const frame = PacketBuffer.allocBlock(arena, XDP_FRAME_BYTES);
  const data = frame.address + XDP_PACKET_HEADROOM;
  const dataMeta = data - input.metaLength;
  arena.bytes.set(input.bytes, dataMeta);
  const ctx = buildContext(arena, XDP_MD, {
    data,
    data_end: dataMeta + input.bytes.length,
    data_meta: dataMeta,
    ingress_ifindex: input.ingressIfindex,
    rx_queue_index: input.rxQueueIndex,
  });
  return { ctx, packet: new PacketBuffer(arena, ctx.address, XDP_MD, frame) };
}
