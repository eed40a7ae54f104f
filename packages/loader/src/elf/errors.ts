import { BpfError } from '@bpfhive/uapi';

/**
 * A malformed ELF file: truncated, a header field out of range, a section or table that
 * reaches beyond the file or overlaps another, a wrong entry size, a name or symbol index
 * that points nowhere. EINVAL, as the kernel and libbpf treat a bad object. Messages start
 * with "ELF:" and name the section by index and name where there is one, offsets in hex:
 * `ELF: section 7 '.text': data [0x1c8, 0x2c8) lies beyond the end of the file (0x200 bytes)`.
 */
export class ElfError extends BpfError {
  constructor(message: string) {
    super('EINVAL', `ELF: ${message}`);
  }
}

/** `0x1c8`: how ELF messages print offsets and sizes. */
export const hex = (n: number): string => `0x${n.toString(16)}`;
