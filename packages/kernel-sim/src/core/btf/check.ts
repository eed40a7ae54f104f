import type { ParsedBtf } from '@bpfhive/uapi';
import { checkHeader } from './header.js';
import { checkMeta } from './meta.js';
import { RawStrings } from './raw.js';
import { checkTypes } from './resolve.js';

/** A blob the BTF verifier accepted: the model, and the log lines it wrote on the way. */
export interface CheckedBtf {
  readonly btf: ParsedBtf;
  readonly log: readonly string[];
}

/**
 * btf_parse(): the header and sections (header.ts), every record alone (meta.ts), then the types
 * together (resolve.ts). Throws BtfCheckError with the errno Linux gives and its log lines.
 */
export function checkBtf(bytes: Uint8Array): CheckedBtf {
  const header = checkHeader(bytes);
  const names = new RawStrings(header.data.subarray(header.header.strOff, header.header.strOff + header.header.strLen));
  const meta = checkMeta(header, names);
  const btf = checkTypes(bytes, header, meta, names);
  return { btf, log: [...header.lines, ...meta.lines.flat()] };
}
