/**
 * Writes libpcap capture files: microsecond or nanosecond timestamps, either byte order,
 * a snap length that truncates longer frames (keeping their original length), link type
 * Ethernet unless told otherwise.
 */
import { PCAP_FILE_HEADER_LEN, PCAP_MAGIC_NS, PCAP_MAGIC_US, PCAP_MAX_SNAPLEN, PCAP_RECORD_HEADER_LEN, LINKTYPE_ETHERNET, type ByteOrder, type PcapPrecision, type PcapTime } from './format.js';

export interface PcapWriterOptions {
  /** Default `us`. */
  readonly precision?: PcapPrecision;
  /** Default `le`. */
  readonly byteOrder?: ByteOrder;
  /** Default 262144. */
  readonly snaplen?: number;
  /** Default LINKTYPE_ETHERNET. */
  readonly linkType?: number;
}

export class PcapWriter {
  readonly #chunks: Uint8Array[] = [];
  readonly #le: boolean;
  readonly #precision: PcapPrecision;
  readonly #snaplen: number;

  constructor(options: PcapWriterOptions = {}) {
    this.#le = (options.byteOrder ?? 'le') === 'le';
    this.#precision = options.precision ?? 'us';
    this.#snaplen = options.snaplen ?? PCAP_MAX_SNAPLEN;
    if (!Number.isInteger(this.#snaplen) || this.#snaplen < 1 || this.#snaplen > PCAP_MAX_SNAPLEN) {
      throw new RangeError(`pcap writer: snaplen ${this.#snaplen} outside 1..${PCAP_MAX_SNAPLEN}`);
    }
    const h = new Uint8Array(PCAP_FILE_HEADER_LEN);
    const v = new DataView(h.buffer);
    v.setUint32(0, this.#precision === 'us' ? PCAP_MAGIC_US : PCAP_MAGIC_NS, this.#le);
    v.setUint16(4, 2, this.#le);
    v.setUint16(6, 4, this.#le);
    v.setUint32(16, this.#snaplen, this.#le);
    v.setUint32(20, options.linkType ?? LINKTYPE_ETHERNET, this.#le);
    this.#chunks.push(h);
  }

  /** Appends a frame captured at `time`; sub-microsecond digits are dropped in `us` files. */
  add(time: PcapTime, frame: Uint8Array, originalLength = frame.length): void {
    const incl = Math.min(frame.length, this.#snaplen);
    const rec = new Uint8Array(PCAP_RECORD_HEADER_LEN + incl);
    const v = new DataView(rec.buffer);
    v.setUint32(0, time.seconds, this.#le);
    v.setUint32(4, this.#precision === 'us' ? Math.floor(time.nanos / 1000) : time.nanos, this.#le);
    v.setUint32(8, incl, this.#le);
    v.setUint32(12, Math.max(originalLength, frame.length), this.#le);
    rec.set(frame.subarray(0, incl), PCAP_RECORD_HEADER_LEN);
    this.#chunks.push(rec);
  }

  /** The file so far. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.#chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
