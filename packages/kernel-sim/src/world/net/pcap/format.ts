/**
 * The classic libpcap file format (not pcapng): a 24-byte file header, then records of a
 * 16-byte header and the captured bytes. The writer's byte order is told by the magic number as
 * read: 0xa1b2c3d4 for microsecond timestamps, 0xa1b23c4d for nanosecond ones.
 *
 *   file header: magic u32, version_major u16 (2), version_minor u16 (4), thiszone i32,
 *                sigfigs u32, snaplen u32, network (link type) u32
 *   record:      ts_sec u32, ts_usec|ts_nsec u32, incl_len u32, orig_len u32, data[incl_len]
 */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** The first word of a pcapng file, recognised only to say it is not supported. */
export const PCAPNG_MAGIC = 0x0a0d0d0a;
export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;
/** LINKTYPE_ETHERNET. */
export const LINKTYPE_ETHERNET = 1;
/** The largest record libpcap accepts for Ethernet (MAXIMUM_SNAPLEN). */
export const PCAP_MAX_SNAPLEN = 262144;

export type PcapPrecision = 'us' | 'ns';
export type ByteOrder = 'le' | 'be';

/** A capture timestamp: whole seconds since the epoch and nanoseconds within the second. */
export interface PcapTime {
  readonly seconds: number;
  readonly nanos: number;
}

export interface PcapFileHeader {
  readonly byteOrder: ByteOrder;
  readonly precision: PcapPrecision;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly thiszone: number;
  readonly sigfigs: number;
  readonly snaplen: number;
  readonly linkType: number;
}

export interface PcapRecord {
  readonly time: PcapTime;
  /** The captured bytes (`incl_len` of them). */
  readonly data: Uint8Array;
  /** The frame's length on the wire (`orig_len`), at least `data.length`. */
  readonly originalLength: number;
}

export interface PcapFile {
  readonly header: PcapFileHeader;
  readonly records: readonly PcapRecord[];
}

/** Nanoseconds from `a` to `b` (b − a), as a plain number. */
export function pcapTimeDiff(a: PcapTime, b: PcapTime): number {
  return (b.seconds - a.seconds) * 1e9 + (b.nanos - a.nanos);
}

/** Virtual nanoseconds → a timestamp `epochSeconds` after the epoch. */
export function pcapTimeOf(ns: number, epochSeconds = 0): PcapTime {
  const seconds = Math.floor(ns / 1e9);
  return { seconds: epochSeconds + seconds, nanos: ns - seconds * 1e9 };
}
