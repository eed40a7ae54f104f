/**
 * Reads a libpcap capture file in either byte order and either timestamp precision. Errors are
 * NetFormatError naming the byte offset and what is wrong; pcapng files are recognised and
 * refused with a hint.
 */
import { NetFormatError } from '../errors.js';
import {
  PCAPNG_MAGIC, PCAP_FILE_HEADER_LEN, PCAP_MAGIC_NS, PCAP_MAGIC_US, PCAP_MAX_SNAPLEN, PCAP_RECORD_HEADER_LEN,
  type ByteOrder, type PcapFile, type PcapFileHeader, type PcapPrecision, type PcapRecord,
} from './format.js';

function readMagic(view: DataView): { byteOrder: ByteOrder; precision: PcapPrecision } {
  const le = view.getUint32(0, true);
  const be = view.getUint32(0, false);
  if (le === PCAP_MAGIC_US) return { byteOrder: 'le', precision: 'us' };
  if (le === PCAP_MAGIC_NS) return { byteOrder: 'le', precision: 'ns' };
  if (be === PCAP_MAGIC_US) return { byteOrder: 'be', precision: 'us' };
  if (be === PCAP_MAGIC_NS) return { byteOrder: 'be', precision: 'ns' };
  if (be === PCAPNG_MAGIC) throw new NetFormatError('pcap: this is a pcapng file; convert it with `editcap -F pcap in.pcapng out.pcap`');
  throw new NetFormatError(`pcap: bad magic number 0x${be.toString(16).padStart(8, '0')} (want a1b2c3d4 or a1b23c4d in either byte order)`);
}

/** Parses the 24-byte file header. */
export function readPcapHeader(bytes: Uint8Array): PcapFileHeader {
  if (bytes.length < PCAP_FILE_HEADER_LEN) throw new NetFormatError(`pcap: ${bytes.length} bytes is shorter than the ${PCAP_FILE_HEADER_LEN}-byte file header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { byteOrder, precision } = readMagic(view);
  const le = byteOrder === 'le';
  const header = {
    byteOrder,
    precision,
    versionMajor: view.getUint16(4, le),
    versionMinor: view.getUint16(6, le),
    thiszone: view.getInt32(8, le),
    sigfigs: view.getUint32(12, le),
    snaplen: view.getUint32(16, le),
    linkType: view.getUint32(20, le) & 0x0fffffff, // the top bits carry FCS information
  };
  if (header.versionMajor !== 2) throw new NetFormatError(`pcap: version ${header.versionMajor}.${header.versionMinor} (only 2.x is known)`);
  return header;
}

/** Parses a whole capture; every record must be complete. */
export function readPcap(bytes: Uint8Array): PcapFile {
  const header = readPcapHeader(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = header.byteOrder === 'le';
  const scale = header.precision === 'us' ? 1000 : 1;
  const records: PcapRecord[] = [];
  let at = PCAP_FILE_HEADER_LEN;
  while (at < bytes.length) {
    const n = records.length;
    if (bytes.length - at < PCAP_RECORD_HEADER_LEN) throw new NetFormatError(`pcap: record ${n} at byte ${at}: truncated record header (${bytes.length - at} bytes)`);
    const seconds = view.getUint32(at, le);
    const frac = view.getUint32(at + 4, le);
    const incl = view.getUint32(at + 8, le);
    const orig = view.getUint32(at + 12, le);
    if (incl > PCAP_MAX_SNAPLEN) throw new NetFormatError(`pcap: record ${n} at byte ${at}: captured length ${incl} exceeds ${PCAP_MAX_SNAPLEN}`);
    if (frac * scale >= 1e9) throw new NetFormatError(`pcap: record ${n} at byte ${at}: sub-second field ${frac} is not below one second`);
    const start = at + PCAP_RECORD_HEADER_LEN;
    if (bytes.length - start < incl) throw new NetFormatError(`pcap: record ${n} at byte ${at}: header says ${incl} bytes but ${bytes.length - start} remain`);
    records.push({ time: { seconds, nanos: frac * scale }, data: bytes.slice(start, start + incl), originalLength: Math.max(orig, incl) });
    at = start + incl;
  }
  return { header, records };
}
