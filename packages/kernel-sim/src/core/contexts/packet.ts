import type { Arena } from '@bpfhive/maps-store';
import { ArenaBlock } from '../memory/regions.js';
import type { CtxLayout } from '@bpfhive/uapi';
import { hasMember, member } from './layout.js';

/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64: tailroom every packet buffer keeps. */
export const SKB_SHARED_INFO_SIZE = 320;
/** ETH_HLEN. */
export const ETH_HLEN = 14;

/** The packet's bounds: arena addresses, data_meta <= data <= data_end. */
export interface PacketBounds {
  readonly dataMeta: number;
  readonly data: number;
  readonly dataEnd: number;
}

/** Offsets of the bounds (and an __sk_buff's len) in a context layout. */
interface BoundsPlace {
  readonly dataMeta: number;
  readonly data: number;
  readonly dataEnd: number;
  readonly len?: number;
}

const places = new WeakMap<CtxLayout, BoundsPlace>();

/** Where `layout` keeps the bounds: looked up once per layout (the helpers read them on every call). */
function boundsPlace(layout: CtxLayout): BoundsPlace {
  let place = places.get(layout);
  if (!place) {
    const offset = (name: string): number => member(layout, name).offset;
    place = { dataMeta: offset('data_meta'), data: offset('data'), dataEnd: offset('data_end'), ...(hasMember(layout, 'len') && { len: offset('len') }) };
    places.set(layout, place);
  }
  return place;
}

/**
 * A packet in the arena and the context that points at it (xdp_md or __sk_buff). The bounds live
 * in the context's own fields (data, data_end, data_meta: arena addresses), which is what the
 * program reads, so the helpers that move them (xdp_adjust_head/tail/meta, skb_change_head/tail)
 * write them there; an __sk_buff's `len` follows data_end - data.
 *
 * The buffer is one block: the hard start, headroom, the data, room to grow, and the
 * skb_shared_info tailroom the data may never reach. `grow` moves the packet to a larger block
 * (pskb_expand_head); the old block is freed after the run's grace period.
 */
export class PacketBuffer {
  #block: ArenaBlock;

  constructor(
    private readonly arena: Arena,
    /** The context's address and layout. */
    readonly ctx: number,
    readonly layout: CtxLayout,
    block: ArenaBlock,
  ) {
    this.#block = block;
  }

  /** A block of `size` bytes for a packet, page-aligned as a page-pool page. */
  static allocBlock(arena: Arena, size: number): ArenaBlock {
    return ArenaBlock.alloc(arena, size, 64);
  }

  /** xdp->data_hard_start / skb->head. */
  get hardStart(): number {
    return this.#block.address;
  }

  /** The end data may reach: the block's end less the shared-info tailroom (xdp_data_hard_end, skb_end_pointer). */
  get hardEnd(): number {
    return this.#block.address + this.#block.size - SKB_SHARED_INFO_SIZE;
  }

  get bounds(): PacketBounds {
    const place = boundsPlace(this.layout);
    const arena = this.arena;
    return { dataMeta: arena.loadU32(this.ctx + place.dataMeta), data: arena.loadU32(this.ctx + place.data), dataEnd: arena.loadU32(this.ctx + place.dataEnd) };
  }

  /** Moves the bounds; an __sk_buff's len follows. */
  setBounds(bounds: PacketBounds): void {
    const place = boundsPlace(this.layout);
    const view = this.arena.view;
    view.setUint32(this.ctx + place.dataMeta, bounds.dataMeta >>> 0, true);
    view.setUint32(this.ctx + place.data, bounds.data >>> 0, true);
    view.setUint32(this.ctx + place.dataEnd, bounds.dataEnd >>> 0, true);
    if (place.len !== undefined) view.setUint32(this.ctx + place.len, (bounds.dataEnd - bounds.data) >>> 0, true);
  }

  /** The bytes from data to data_end (a view; re-read after anything that allocates). */
  get data(): Uint8Array {
    const { data, dataEnd } = this.bounds;
    return this.arena.bytes.subarray(data, dataEnd);
  }

  /** The bytes from data_meta to data_end. */
  get withMeta(): Uint8Array {
    const { dataMeta, dataEnd } = this.bounds;
    return this.arena.bytes.subarray(dataMeta, dataEnd);
  }

  /**
   * Moves the packet into a block with at least `headroom` bytes before data_meta and `tailroom`
   * bytes after data_end (before the shared info), keeping its bytes and the distances between
   * its bounds. ENOMEM from the arena propagates.
   */
  grow(headroom: number, tailroom: number): void {
    const { dataMeta, data, dataEnd } = this.bounds;
    const length = dataEnd - dataMeta;
    const block = PacketBuffer.allocBlock(this.arena, headroom + length + tailroom + SKB_SHARED_INFO_SIZE);
    const newMeta = block.address + headroom;
    this.arena.bytes.copyWithin(newMeta, dataMeta, dataEnd);
    this.#block.free();
    this.#block = block;
    this.setBounds({ dataMeta: newMeta, data: newMeta + (data - dataMeta), dataEnd: newMeta + length });
  }

  free(): void {
    this.#block.free();
  }
}
