import type { Endianness } from '@bpfhive/uapi';

/** The fields of the ELF64 header an object reader needs. */
export interface ElfHeader {
  readonly endian: Endianness;
  /** e_type: ET_REL for an object. */
  readonly type: number;
  /** e_machine: EM_BPF. */
  readonly machine: number;
  readonly flags: number;
  readonly shoff: number;
  readonly shnum: number;
  readonly shstrndx: number;
}

/** One section: its header fields, its name, and a view of its bytes (empty for NOBITS). */
export interface ElfSection {
  readonly index: number;
  readonly name: string;
  /** sh_type (constants.ts SectionType). */
  readonly type: number;
  /** sh_flags (SectionFlag bits). */
  readonly flags: number;
  readonly offset: number;
  /** sh_size: for NOBITS the size in memory, with no bytes in the file. */
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** The section's bytes in the file (a view into it); empty for NOBITS. */
  readonly data: Uint8Array;
}

/** One symbol of the symbol table. */
export interface ElfSymbol {
  /** Index in the symbol table (what relocations name). */
  readonly index: number;
  readonly name: string;
  readonly nameOff: number;
  readonly value: number;
  readonly size: number;
  /** SymbolType. */
  readonly type: number;
  /** SymbolBind. */
  readonly bind: number;
  /** SymbolVisibility. */
  readonly visibility: number;
  /** st_shndx: a section index or SHN_UNDEF, SHN_ABS, SHN_COMMON. */
  readonly shndx: number;
}

/** One REL entry. */
export interface ElfRelocation {
  /** Byte offset in the target section. */
  readonly offset: number;
  /** Index into the symbol table. */
  readonly symbol: number;
  /** RelocationType. */
  readonly type: number;
}

/** A REL section and the section its entries patch. */
export interface ElfRelocationSection {
  readonly section: ElfSection;
  /** sh_info: the index of the section the entries apply to. */
  readonly target: number;
  readonly entries: readonly ElfRelocation[];
}

/** A parsed ELF64 relocatable object. Plain data. */
export interface ElfFile {
  readonly header: ElfHeader;
  /** By index; `sections[0]` is the null section. */
  readonly sections: readonly ElfSection[];
  /** The symbol table's index, or 0 when the file has none. */
  readonly symtabIndex: number;
  /** The symbols, by index; empty without a symbol table. */
  readonly symbols: readonly ElfSymbol[];
  /** Every REL section, by the index of the section it applies to. */
  readonly relocations: ReadonlyMap<number, ElfRelocationSection>;
}
