/**
 * A classic libpcap capture (not pcapng) as `net replay` handles it on the client: checked
 * record by record before anything is sent, with the rules the kernel-sim's reader and replay
 * apply (packages/kernel-sim/src/world/net/pcap/), and cut into smaller captures that each fit
 * in one NATS message.
 *
 *   file header: magic u32, version_major u16 (2), version_minor u16, thiszone i32, sigfigs u32,
 *                snaplen u32, network (link type) u32                          — 24 bytes
 *   record:      ts_sec u32, ts_usec|ts_nsec u32, incl_len u32, orig_len u32, data[incl_len]
 *
 * The byte order is the one the magic number reads in; 0xa1b2c3d4 means microsecond
 * timestamps, 0xa1b23c4d nanosecond ones.
 */

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const PCAPNG_MAGIC = 0x0a0d0d0a;
const FILE_HEADER_LEN = 24;
const RECORD_HEADER_LEN = 16;
/** LINKTYPE_ETHERNET: the only link type the kernel-sim replays. */
const LINKTYPE_ETHERNET = 1;
/** libpcap's MAXIMUM_SNAPLEN: the largest record it accepts. */
const MAX_RECORD_LEN = 262144;

/** A capture that cannot be replayed; the message names the byte offset and what is wrong. */
export class PcapFormatError extends Error {}

/** One record: where it lies in the file, header included, and its captured length. */
interface RecordSpan {
  readonly start: number;
  readonly end: number;
  readonly captured: number;
}

/** A capture that passed every check. */
export interface PcapCapture {
  /** The file's 24-byte header, repeated at the head of every piece. */
  readonly header: Uint8Array;
  readonly records: readonly RecordSpan[];
  /** Captured bytes of all records (what the devices receive). */
  readonly frameBytes: number;
  readonly file: Uint8Array;
}

/** A piece of a capture, itself a whole pcap file: the header, then consecutive records. */
export interface PcapPiece {
  readonly bytes: Uint8Array;
  /** Captured lengths of its records, in order. */
  readonly frameLengths: readonly number[];
}

/**
 * Checks `file` as a replayable capture: a known magic number (pcapng is named as such),
 * version 2.x, Ethernet, at least one record, every record complete, no longer than 262144
 * bytes, with a sub-second field below one second. PcapFormatError otherwise.
 */
export function readCapture(file: Uint8Array): PcapCapture {
  if (file.length < FILE_HEADER_LEN) throw new PcapFormatError(`${file.length} bytes is shorter than the ${FILE_HEADER_LEN}-byte pcap file header`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const { le, scale } = magic(view);
  const major = view.getUint16(4, le);
  if (major !== 2) throw new PcapFormatError(`pcap version ${major}.${view.getUint16(6, le)} (only 2.x is known)`);
  const linkType = view.getUint32(20, le) & 0x0fffffff; // the top bits carry FCS information
  if (linkType !== LINKTYPE_ETHERNET) throw new PcapFormatError(`link type ${linkType} is not Ethernet (1); only Ethernet captures are replayed`);
  const records: RecordSpan[] = [];
  let frameBytes = 0;
  for (let at = FILE_HEADER_LEN; at < file.length; ) {
    const where = `record ${records.length} at byte ${at}`;
    if (file.length - at < RECORD_HEADER_LEN) throw new PcapFormatError(`${where}: truncated record header (${file.length - at} bytes)`);
    const fraction = view.getUint32(at + 4, le);
    const captured = view.getUint32(at + 8, le);
    if (captured > MAX_RECORD_LEN) throw new PcapFormatError(`${where}: captured length ${captured} exceeds ${MAX_RECORD_LEN}`);
    if (fraction * scale >= 1e9) throw new PcapFormatError(`${where}: sub-second field ${fraction} is not below one second`);
    const end = at + RECORD_HEADER_LEN + captured;
    if (end > file.length) throw new PcapFormatError(`${where}: header says ${captured} bytes but ${file.length - at - RECORD_HEADER_LEN} remain`);
    records.push({ start: at, end, captured });
    frameBytes += captured;
    at = end;
  }
  if (records.length === 0) throw new PcapFormatError('the capture holds no packets');
  return { header: file.subarray(0, FILE_HEADER_LEN), records, frameBytes, file };
}

function magic(view: DataView): { le: boolean; scale: number } {
  const le = view.getUint32(0, true);
  const be = view.getUint32(0, false);
  if (le === MAGIC_US || le === MAGIC_NS) return { le: true, scale: le === MAGIC_US ? 1000 : 1 };
  if (be === MAGIC_US || be === MAGIC_NS) return { le: false, scale: be === MAGIC_US ? 1000 : 1 };
  if (be === PCAPNG_MAGIC) throw new PcapFormatError('this is a pcapng file; convert it with `editcap -F pcap in.pcapng out.pcap`');
  throw new PcapFormatError(`bad magic number 0x${be.toString(16).padStart(8, '0')}: not a pcap file (want a1b2c3d4 or a1b23c4d in either byte order)`);
}

/**
 * Cuts `capture` into pieces of at most `maxBytes` bytes each (header included), records kept
 * whole and in order; the whole file when it fits. PcapFormatError when one record alone
 * does not fit.
 */
export function splitCapture(capture: PcapCapture, maxBytes: number): PcapPiece[] {
  if (capture.file.length <= maxBytes) return [{ bytes: capture.file, frameLengths: capture.records.map((r) => r.captured) }];
  const pieces: PcapPiece[] = [];
  let first = 0;
  while (first < capture.records.length) {
    let last = first;
    const start = capture.records[first]!.start;
    while (last < capture.records.length && FILE_HEADER_LEN + capture.records[last]!.end - start <= maxBytes) last++;
    if (last === first) {
      const r = capture.records[first]!;
      throw new PcapFormatError(`record ${first} at byte ${r.start} (${r.end - r.start} bytes) does not fit in one message of ${maxBytes} bytes`);
    }
    const records = capture.records.slice(first, last);
    const bytes = new Uint8Array(FILE_HEADER_LEN + records[records.length - 1]!.end - start);
    bytes.set(capture.header, 0);
    bytes.set(capture.file.subarray(start, records[records.length - 1]!.end), FILE_HEADER_LEN);
    pieces.push({ bytes, frameLengths: records.map((r) => r.captured) });
    first = last;
  }
  return pieces;
}
