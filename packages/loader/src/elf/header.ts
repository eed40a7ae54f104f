import type { Endianness } from '@bpfhive/uapi';
import {
  ELF64_HEADER_SIZE,
  ELF64_SHDR_SIZE,
  ELF_MAGIC,
  ELFCLASS64,
  ELFDATA2LSB,
  ELFDATA2MSB,
  EM_BPF,
  EM_NONE,
  ET_REL,
  EV_CURRENT,
} from './constants.js';
import { ElfError, hex } from './errors.js';
import type { ElfHeader } from './types.js';
import { FieldView } from './view.js';

/**
 * Reads and checks the ELF64 header: magic, 64-bit class, byte order, version, a
 * relocatable object (ET_REL) for EM_BPF, header and section header entry sizes, and a
 * section header table inside the file. Section counts beyond 0xff00 (stored in section 0)
 * are resolved by the section reader.
 */
export function readElfHeader(bytes: Uint8Array): { header: ElfHeader; view: FieldView } {
  if (bytes.length < ELF64_HEADER_SIZE) {
    throw new ElfError(`file of ${bytes.length} bytes is too short for the ${ELF64_HEADER_SIZE}-byte ELF64 header`);
  }
  if (!ELF_MAGIC.every((b, i) => bytes[i] === b)) {
    const got = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new ElfError(`not an ELF file: magic ${got} (expected 7f 45 4c 46)`);
  }
  if (bytes[4] !== ELFCLASS64) throw new ElfError(`EI_CLASS ${bytes[4]} is not ELFCLASS64 (2): eBPF objects are 64-bit`);
  let endian: Endianness;
  if (bytes[5] === ELFDATA2LSB) endian = 'little';
  else if (bytes[5] === ELFDATA2MSB) endian = 'big';
  else throw new ElfError(`EI_DATA ${bytes[5]} is neither ELFDATA2LSB (1) nor ELFDATA2MSB (2)`);
  if (bytes[6] !== EV_CURRENT) throw new ElfError(`EI_VERSION ${bytes[6]} is not EV_CURRENT (1)`);

  const view = new FieldView(bytes, endian);
  const type = view.u16(16, 'e_type');
  const machine = view.u16(18, 'e_machine');
  const version = view.u32(20, 'e_version');
  const shoff = view.u64(40, 'e_shoff');
  const flags = view.u32(48, 'e_flags');
  const ehsize = view.u16(52, 'e_ehsize');
  const shentsize = view.u16(58, 'e_shentsize');
  const shnum = view.u16(60, 'e_shnum');
  const shstrndx = view.u16(62, 'e_shstrndx');

  if (type !== ET_REL) throw new ElfError(`e_type ${type} is not ET_REL (1): expected a relocatable object from clang -c`);
  if (machine !== EM_BPF) {
    const hint = machine === EM_NONE ? ' (EM_NONE: built by a very old LLVM?)' : '';
    throw new ElfError(`e_machine ${machine} is not EM_BPF (${EM_BPF})${hint}`);
  }
  if (version !== EV_CURRENT) throw new ElfError(`e_version ${version} is not EV_CURRENT (1)`);
  if (ehsize !== ELF64_HEADER_SIZE) throw new ElfError(`e_ehsize ${ehsize} is not ${ELF64_HEADER_SIZE}`);
  if (shoff === 0) throw new ElfError('e_shoff is 0: the file has no section header table');
  if (shentsize !== ELF64_SHDR_SIZE) throw new ElfError(`e_shentsize ${shentsize} is not ${ELF64_SHDR_SIZE}`);
  if (shoff < ELF64_HEADER_SIZE) throw new ElfError(`e_shoff ${hex(shoff)} lies inside the ELF header`);
  if (shoff + ELF64_SHDR_SIZE > bytes.length) {
    throw new ElfError(`section header table at ${hex(shoff)} lies beyond the end of the file (${hex(bytes.length)} bytes)`);
  }
  return { header: { endian, type, machine, flags, shoff, shnum, shstrndx }, view };
}
