import { XDP_MD } from '@bpfhive/uapi';
import { type Packet, XdpAction } from '../../world/index.js';
import { SKB_SHARED_INFO_SIZE, PacketBuffer } from '../contexts/packet.js';
import { XDP_FRAME_BYTES, XDP_PACKET_HEADROOM } from '../contexts/xdp.js';
import type { ContextBatch, Kernel } from '../kernel.js';
import { ArenaBlock } from '../memory/regions.js';
import type { LoadedProgram } from '../programs/program.js';
import type { Cpu } from '../run/cpu.js';
import type { RedirectTarget } from '../run/run-state.js';
import { type BatchSummary, summaryWords } from '../workers/batch-summary.js';

/** Packets per runBatch call. */
export const XDP_BATCH = 256;
/** The largest frame XDP takes here: a page less the headroom and the skb_shared_info tailroom (no multi-buffer frames). */
export const XDP_MAX_FRAME = XDP_FRAME_BYTES - XDP_PACKET_HEADROOM - SKB_SHARED_INFO_SIZE;
/** xdp_md is 24 bytes; contexts sit 32 apart. */
const CTX_STRIDE = 32;
const WORDS = CTX_STRIDE / 4;
/** Byte offset of xdp_md.rx_queue_index (what writeXdpMd writes at word 4), which summaries bucket drops by. */
const RX_QUEUE_AT = 16;
/** Receive queues a batch summary counts drops of one by one; a device with more has its drops counted by main. */
export const XDP_QUEUE_BUCKETS = 256;

/**
 * An xdp_md at word `at` of `u32` for `packet` with its data at address `data`: data, data_end,
 * data_meta (no metadata), ingress_ifindex, rx_queue_index, egress_ifindex (XDP_MD's layout).
 */
function writeXdpMd(u32: Uint32Array, at: number, data: number, packet: Packet): void {
  u32[at] = data;
  u32[at + 1] = data + packet.frame.length;
  u32[at + 2] = data;
  u32[at + 3] = packet.ifindex;
  u32[at + 4] = packet.queue;
  u32[at + 5] = 0;
}

/** A CPU's memory for batches: XDP_BATCH contexts, XDP_BATCH page-sized frames, the r0s, a batch summary's counts and list. */
interface BatchArea {
  readonly contexts: number;
  readonly frames: number;
  readonly out: number;
  readonly summary: number;
  readonly list: number;
}

/** A batch laid out, not yet filled (layBatch). */
export interface LaidBatch {
  readonly batch: ContextBatch;
  /** Copies the frames in and writes their contexts. */
  readonly fill: () => void;
  /** XDP_DROPs counted by receive queue, the other verdicts listed (workers/batch-summary.ts). */
  readonly summary: BatchSummary;
}

/** What one XDP run decided about a frame. */
export interface XdpResult {
  /** The action (r0's low 32 bits, as Linux reads the u32 act). */
  readonly action: number;
  /** The frame from data to data_end after the run (adjust_head/tail and writes show); empty for XDP_DROP. */
  readonly frame: Uint8Array;
  /** What bpf_redirect / bpf_redirect_map recorded. */
  readonly redirect?: RedirectTarget;
}

/** The result of every run that dropped its frame (runOne). */
const DROPPED: XdpResult = Object.freeze({ action: XdpAction.DROP, frame: new Uint8Array(0) });

/**
 * Runs XDP programs on frames, as a driver's NAPI poll does: the frames of a batch each in a
 * page (data at XDP_PACKET_HEADROOM), their xdp_md contexts one after another, all run by one
 * Kernel.runBatch call for programs that may run in batches; one run per frame, with the packet
 * and redirect state helpers need, for the others. Frames must be at most XDP_MAX_FRAME bytes.
 */
export class XdpRunner {
  readonly #areas = new Map<Cpu, BatchArea>();
  /** Per CPU, the page and context of single runs. */
  readonly #single = new Map<Cpu, { page: ArenaBlock; ctx: number }>();

  constructor(private readonly kernel: Kernel) {}

  #area(cpu: Cpu): BatchArea {
    let area = this.#areas.get(cpu);
    if (!area) {
      const arena = this.kernel.arena;
      area = {
        contexts: arena.alloc(XDP_BATCH * CTX_STRIDE, 64),
        frames: arena.alloc(XDP_BATCH * XDP_FRAME_BYTES, XDP_FRAME_BYTES),
        out: arena.alloc(XDP_BATCH * 8),
        summary: arena.alloc(summaryWords(XDP_QUEUE_BUCKETS) * 4),
        list: arena.alloc(XDP_BATCH * 4),
      };
      this.#areas.set(cpu, area);
    }
    return area;
  }

  /**
   * Runs `program` on `cpu` over packets[from, from + count) (count ≤ XDP_BATCH) in one call and
   * writes each action to `actions[i]`. The frames after the runs stay readable with
   * `batchFrame(cpu, i)` until the next batch on that CPU. A fault propagates (EFAULT).
   */
  runBatch(program: LoadedProgram, cpu: Cpu, packets: readonly Packet[], from: number, count: number, actions: Uint32Array): void {
    this.kernel.runBatch(program, cpu, this.prepareBatch(cpu, packets, from, count));
    this.readActions(cpu, count, actions);
  }

  /**
   * The first half of runBatch, for runs elsewhere (Kernel.runBatches on CPU threads): copies
   * packets[from, from + count) (count ≤ XDP_BATCH) into `cpu`'s pages, lays out their contexts,
   * and returns the batch to run.
   */
  prepareBatch(cpu: Cpu, packets: readonly Packet[], from: number, count: number): ContextBatch {
    this.#fill(cpu, packets, from, count);
    const area = this.#area(cpu);
    return { base: area.contexts, stride: CTX_STRIDE, count, out: area.out };
  }

  /**
   * prepareBatch with the copy left for later (CpuThreads.run fills a CPU's batch just before it
   * is handed over) and a summary of its verdicts asked for: XDP_DROPs counted per receive queue
   * below `queues` (at most XDP_QUEUE_BUCKETS; the rest in one more bucket), the other actions
   * listed. Read them with `summaryOf(cpu)` after the batch ran.
   */
  layBatch(cpu: Cpu, packets: readonly Packet[], from: number, count: number, queues: number): LaidBatch {
    const area = this.#area(cpu);
    return {
      batch: { base: area.contexts, stride: CTX_STRIDE, count, out: area.out },
      fill: () => this.#fill(cpu, packets, from, count),
      summary: { common: XdpAction.DROP, at: area.summary, list: area.list, field: RX_QUEUE_AT, buckets: Math.min(queues, XDP_QUEUE_BUCKETS) },
    };
  }

  /** Where the summary of the last laid batch on `cpu` is (u32 word indexes into the arena), and that batch's r0s. */
  summaryOf(cpu: Cpu): { readonly at: number; readonly list: number; readonly out: number } {
    const area = this.#area(cpu);
    return { at: area.summary >> 2, list: area.list >> 2, out: area.out >> 2 };
  }

  /** Copies packets[from, from + count) into `cpu`'s pages and lays out their contexts. */
  #fill(cpu: Cpu, packets: readonly Packet[], from: number, count: number): void {
    const area = this.#area(cpu);
    const arena = this.kernel.arena;
    const bytes = arena.bytes;
    const u32 = arena.u32;
    let ctx = area.contexts >> 2;
    let data = area.frames + XDP_PACKET_HEADROOM;
    for (let i = 0; i < count; i++, ctx += WORDS, data += XDP_FRAME_BYTES) {
      const packet = packets[from + i]!;
      bytes.set(packet.frame, data);
      writeXdpMd(u32, ctx, data, packet);
    }
  }

  /** The second half of runBatch: the actions of the last `count`-frame batch on `cpu` into `actions`. */
  readActions(cpu: Cpu, count: number, actions: Uint32Array): void {
    const out = this.kernel.arena.u32;
    for (let i = 0, r = this.#area(cpu).out >> 2; i < count; i++, r += 2) actions[i] = out[r]!;
  }

  /** Frame `i` of the last batch on `cpu`, from data to data_end (a copy). */
  batchFrame(cpu: Cpu, i: number): Uint8Array {
    const ctx = (this.#area(cpu).contexts >> 2) + i * WORDS;
    const u32 = this.kernel.arena.u32;
    return this.kernel.arena.bytes.slice(u32[ctx]!, u32[ctx + 1]!);
  }

  /**
   * One run of `program` on `packet`, with the packet (for xdp_adjust_*) and the redirect state,
   * in the CPU's own page and context (reused run after run, as a page pool does; a program that
   * grew the packet into a larger block leaves that block to be freed and a new page is taken).
   */
  runOne(program: LoadedProgram, cpu: Cpu, packet: Packet): XdpResult {
    const arena = this.kernel.arena;
    let single = this.#single.get(cpu);
    if (!single) this.#single.set(cpu, (single = { page: ArenaBlock.alloc(arena, XDP_FRAME_BYTES), ctx: arena.alloc(XDP_MD.size) }));
    const data = single.page.address + XDP_PACKET_HEADROOM;
    arena.bytes.set(packet.frame, data);
    writeXdpMd(arena.u32, single.ctx >> 2, data, packet);
    const buffer = new PacketBuffer(arena, single.ctx, XDP_MD, single.page);
    try {
      const { r0, state } = this.kernel.run(program, cpu, single.ctx, { packet: buffer });
      const action = Number(r0 & 0xffffffffn);
      // Nothing reads a dropped frame: no copy of it.
      if (action === XdpAction.DROP) return DROPPED;
      return { action, frame: buffer.data.slice(), ...(state.redirect && { redirect: state.redirect }) };
    } finally {
      if (buffer.hardStart !== single.page.address) {
        buffer.free();
        single.page = ArenaBlock.alloc(arena, XDP_FRAME_BYTES);
      }
    }
  }
}
