/**
 * ELF64 numbers (elf.h) that an eBPF relocatable object uses.
 */

/** `\x7fELF`. */
export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;
export const EV_CURRENT = 1;
/** A relocatable object: what `clang -c` writes. */
export const ET_REL = 1;
/** `EM_BPF`: the only machine an eBPF object may name. */
export const EM_BPF = 247;
/** `EM_NONE`: what LLVM before 3.9 wrote into e_machine of BPF objects. */
export const EM_NONE = 0;

export const ELF64_HEADER_SIZE = 64;
export const ELF64_SHDR_SIZE = 64;
export const ELF64_SYM_SIZE = 24;
export const ELF64_REL_SIZE = 16;
export const ELF64_RELA_SIZE = 24;

/** Section header types. */
export const SectionType = {
  NULL: 0,
  PROGBITS: 1,
  SYMTAB: 2,
  STRTAB: 3,
  RELA: 4,
  HASH: 5,
  DYNAMIC: 6,
  NOTE: 7,
  NOBITS: 8,
  REL: 9,
  DYNSYM: 11,
  SYMTAB_SHNDX: 18,
  LLVM_ADDRSIG: 0x6fff4c03,
} as const;

const SECTION_TYPE_NAMES = new Map<number, string>(Object.entries(SectionType).map(([k, v]) => [v, k]));

/** `PROGBITS`, `NOBITS`, or the number in hex. */
export function sectionTypeName(type: number): string {
  return SECTION_TYPE_NAMES.get(type) ?? `0x${type.toString(16)}`;
}

/** Section header flags. */
export const SectionFlag = {
  WRITE: 0x1,
  ALLOC: 0x2,
  EXECINSTR: 0x4,
  MERGE: 0x10,
  STRINGS: 0x20,
} as const;

/** Special section indexes. */
export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

/** Symbol types (low nibble of st_info). */
export const SymbolType = {
  NOTYPE: 0,
  OBJECT: 1,
  FUNC: 2,
  SECTION: 3,
  FILE: 4,
} as const;

/** Symbol bindings (high nibble of st_info). */
export const SymbolBind = {
  LOCAL: 0,
  GLOBAL: 1,
  WEAK: 2,
} as const;

/** Symbol visibility (low two bits of st_other). */
export const SymbolVisibility = {
  DEFAULT: 0,
  INTERNAL: 1,
  HIDDEN: 2,
  PROTECTED: 3,
} as const;

/** BPF relocation types (llvm/BinaryFormat/ELFRelocs/BPF.def). */
export const RelocationType = {
  R_BPF_NONE: 0,
  /** A 64-bit immediate load (`lddw`): map, global data, extern, function address. */
  R_BPF_64_64: 1,
  R_BPF_64_ABS64: 2,
  R_BPF_64_ABS32: 3,
  R_BPF_64_NODYLD32: 4,
  /** A call to a function. */
  R_BPF_64_32: 10,
} as const;
