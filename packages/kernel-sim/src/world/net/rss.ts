/**
 * Receive-side scaling: the Toeplitz hash over a flow's addresses and ports, an indirection
 * table from hash to receive queue, and the CPU each queue's interrupts go to.
 *
 * The hash input is what Microsoft's RSS specification and NICs use: source address, destination
 * address, then source and destination port for TCP and UDP (4-tuple); other IP protocols hash
 * the two addresses only; non-IP frames hash to 0.
 */
import { ipBytes } from './addr.js';
import { IpProto, type FiveTuple } from './flow.js';
import { locateFlow } from './frame.js';

/** Microsoft's default 40-byte key, which most NIC drivers also ship. */
export const RSS_DEFAULT_KEY = Uint8Array.of(
  0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
  0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
  0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
);

/** Entries in a default indirection table (as ethtool shows for most NICs). */
export const RSS_INDIRECTION_SIZE = 128;

/**
 * The Toeplitz hash of `input` under `key`: for every set input bit, XOR in the 32 key bits
 * starting at that bit position. The key needs 4 bytes more than the input.
 */
export function toeplitzHash(key: Uint8Array, input: Uint8Array): number {
  if (key.length < input.length + 4) throw new RangeError(`rss: a ${key.length}-byte key hashes at most ${key.length - 4} input bytes`);
  let result = 0;
  let window = ((key[0]! << 24) | (key[1]! << 16) | (key[2]! << 8) | key[3]!) >>> 0;
  for (let i = 0; i < input.length; i++) {
    const next = key[i + 4]!;
    for (let bit = 7; bit >= 0; bit--) {
      if (input[i]! & (1 << bit)) result = (result ^ window) >>> 0;
      window = ((window << 1) | ((next >> bit) & 1)) >>> 0;
    }
  }
  return result >>> 0;
}

/** The bytes RSS hashes for a flow (see the file comment). */
export function rssInput(t: FiveTuple): Uint8Array {
  const src = ipBytes(t.src);
  const dst = ipBytes(t.dst);
  const ports = t.proto === IpProto.TCP || t.proto === IpProto.UDP;
  const out = new Uint8Array(src.length * 2 + (ports ? 4 : 0));
  out.set(src, 0);
  out.set(dst, src.length);
  if (ports) {
    const at = src.length * 2;
    out[at] = t.sport >> 8;
    out[at + 1] = t.sport & 0xff;
    out[at + 2] = t.dport >> 8;
    out[at + 3] = t.dport & 0xff;
  }
  return out;
}

const scratch = new Uint8Array(36);

/**
 * rssHash(rss, tupleOf(frame)) without building the tuple: the hash input is copied from the
 * frame's own bytes (what arrive() computes for every frame).
 */
export function rssHashOfFrame(rss: RssConfig, frame: Uint8Array): number {
  const f = locateFlow(frame);
  if (!f) return 0;
  const n = f.addrBytes;
  scratch.set(frame.subarray(f.srcAt, f.srcAt + n), 0);
  scratch.set(frame.subarray(f.dstAt, f.dstAt + n), n);
  let length = 2 * n;
  if (f.ports) {
    for (let i = 0; i < 4; i++) scratch[length + i] = frame[f.l4At + i]!;
    length += 4;
  }
  return toeplitzHash(rss.key, scratch.subarray(0, length));
}

/** A device's RSS configuration. */
export interface RssConfig {
  readonly key: Uint8Array;
  /** Entry i is the receive queue for hashes whose low bits are i. */
  readonly indirection: readonly number[];
}

/** The default table spreads queues round-robin (ethtool_rxfh_indir_default). */
export function defaultRss(queues: number, key: Uint8Array = RSS_DEFAULT_KEY): RssConfig {
  return { key, indirection: Array.from({ length: RSS_INDIRECTION_SIZE }, (_, i) => i % queues) };
}

/** The flow hash of a frame's tuple (0 for non-IP frames). */
export function rssHash(rss: RssConfig, t: FiveTuple | undefined): number {
  return t ? toeplitzHash(rss.key, rssInput(t)) : 0;
}

/** The receive queue for a hash. */
export function rxQueueOf(rss: RssConfig, hash: number): number {
  return rss.indirection[hash % rss.indirection.length]!;
}

/** The CPU that services a receive queue: queue i's interrupt is pinned to CPU i mod cpus. */
export function cpuOfQueue(queue: number, cpus: number): number {
  return queue % cpus;
}
