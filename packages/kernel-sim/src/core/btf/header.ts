/**
 * btf_parse_hdr(), btf_check_sec_info() and btf_parse_str_sec(): the checks Linux makes before it
 * looks at a single type, in its order and with its words. The header is logged once it has been
 * read, as btf_verifier_log_hdr() does.
 */
import { BTF_MAGIC, BTF_VERSION } from '@bpfhive/uapi';
import { BtfCheckError } from './check-error.js';
import { headerLines } from './log-format.js';
import { BTF_HEADER_LEN, type RawHeader, readHeader } from './raw.js';

/** BTF_MAX_NAME_OFFSET: names are at most 16 MiB into the string section. */
const BTF_MAX_NAME_OFFSET = 0xffffff;

export interface CheckedHeader {
  readonly header: RawHeader;
  /** The bytes after the header. */
  readonly data: Uint8Array;
  readonly lines: readonly string[];
}

export function checkHeader(bytes: Uint8Array): CheckedHeader {
  const stop = (code: string, why: string, logged: readonly string[], line = why): never => {
    throw new BtfCheckError(code, `load BTF: ${why}`, logged, [line]);
  };
  if (bytes.length < 8) stop('EINVAL', `${bytes.length} bytes hold no hdr_len`, [], 'hdr_len not found');
  const header = readHeader(bytes);
  const hint = bytes[0] === BTF_MAGIC >> 8 && bytes[1] === (BTF_MAGIC & 0xff) ? ' (a big-endian blob: this kernel is little-endian)' : '';
  if (bytes.length < header.hdrLen) stop('EINVAL', `hdr_len ${header.hdrLen} is beyond the ${bytes.length} bytes${hint}`, [], 'btf_header not found');
  if (bytes.subarray(BTF_HEADER_LEN, header.hdrLen).some((b) => b !== 0)) {
    stop('E2BIG', `the ${header.hdrLen}-byte header has non-zero fields this kernel does not know`, [], 'Unsupported btf_header');
  }
  const lines = headerLines(header, bytes.length);
  if (header.magic !== BTF_MAGIC) {
    stop('EINVAL', `bad magic 0x${header.magic.toString(16)}${hint}`, lines, 'Invalid magic');
  }
  if (header.version !== BTF_VERSION) stop('ENOTSUPP', `unsupported version ${header.version}`, lines, 'Unsupported version');
  if (header.flags !== 0) stop('ENOTSUPP', `unsupported flags 0x${header.flags.toString(16)}`, lines, 'Unsupported flags');
  if (bytes.length === header.hdrLen) stop('EINVAL', 'no type or string data after the header', lines, 'No data');
  checkSections(header, bytes.length - header.hdrLen, lines);
  const data = bytes.subarray(header.hdrLen);
  checkStrings(header, data, lines);
  return { header, data, lines };
}

/** The type and string sections tile the data exactly: no gap, no overlap, nothing after. */
function checkSections(h: RawHeader, expectedTotal: number, lines: readonly string[]): void {
  const fail = (why: string, line: string): never => {
    throw new BtfCheckError('EINVAL', `load BTF: ${why}`, lines, [line]);
  };
  const secs = [
    { name: 'type', off: h.typeOff, len: h.typeLen },
    { name: 'string', off: h.strOff, len: h.strLen },
  ].sort((a, b) => a.off - b.off);
  let total = 0;
  for (const s of secs) {
    if (expectedTotal < s.off) fail(`the ${s.name} section starts at ${s.off}, beyond the ${expectedTotal} bytes of data`, 'Invalid section offset');
    if (total < s.off) fail(`a gap of ${s.off - total} bytes before the ${s.name} section`, 'Unsupported section found');
    if (total > s.off) fail(`the ${s.name} section at ${s.off} overlaps the section before it`, 'Section overlap found');
    if (expectedTotal - total < s.len) fail(`the ${s.name} section [${s.off}, ${s.off + s.len}) runs past the ${expectedTotal} bytes of data`, 'Total section length too long');
    total += s.len;
  }
  if (total !== expectedTotal) fail(`${expectedTotal - total} bytes after the last section`, 'Unsupported section found');
}

function checkStrings(h: RawHeader, data: Uint8Array, lines: readonly string[]): void {
  const fail = (why: string, line: string): never => {
    throw new BtfCheckError('EINVAL', `load BTF: ${why}`, lines, [line]);
  };
  if (h.strOff + h.strLen !== data.length) fail('the string section must be the last one', 'String section is not at the end');
  const strings = data.subarray(h.strOff);
  if (strings.length === 0 || strings.length - 1 > BTF_MAX_NAME_OFFSET || strings[strings.length - 1] !== 0 || strings[0] !== 0) {
    fail('the string section must start with an empty string and end with a NUL', 'Invalid string section');
  }
  if (h.typeOff % 4 !== 0) fail(`type_off ${h.typeOff} is not 4-byte aligned`, 'Unaligned type_off');
  if (h.typeLen === 0) fail('the type section is empty', 'No type found');
}
