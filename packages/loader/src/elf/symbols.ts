import { ELF64_SYM_SIZE, SHN_ABS, SHN_COMMON, SHN_LORESERVE, SHN_UNDEF, SectionType, sectionTypeName } from './constants.js';
import { ElfError, hex } from './errors.js';
import { sectionLabel } from './sections.js';
import { stringFromTable } from './strings.js';
import type { ElfSection, ElfSymbol } from './types.js';
import { FieldView } from './view.js';

/** Checks a table section's entry size and that its size is a whole number of entries. */
export function checkEntries(section: ElfSection, entsize: number): number {
  if (section.entsize !== entsize) {
    throw new ElfError(`${sectionLabel(section)}: sh_entsize ${section.entsize} is not ${entsize}`);
  }
  if (section.size % entsize !== 0) {
    throw new ElfError(`${sectionLabel(section)}: size ${hex(section.size)} is not a multiple of the entry size ${entsize}`);
  }
  return section.size / entsize;
}

/**
 * Reads the symbol table: each symbol's name from the string table sh_link names, and a
 * section index that is either a real section or SHN_UNDEF, SHN_ABS, SHN_COMMON.
 */
export function readSymbols(sections: readonly ElfSection[], symtab: ElfSection, view: FieldView): ElfSymbol[] {
  const count = checkEntries(symtab, ELF64_SYM_SIZE);
  const strtab = sections[symtab.link];
  if (symtab.link === 0 || strtab === undefined) {
    throw new ElfError(`${sectionLabel(symtab)}: sh_link ${symtab.link} does not name a section`);
  }
  if (strtab.type !== SectionType.STRTAB) {
    throw new ElfError(`${sectionLabel(symtab)}: sh_link names ${sectionLabel(strtab)}, a ${sectionTypeName(strtab.type)}, not a STRTAB`);
  }
  const table = new FieldView(symtab.data, view.endian);
  const symbols: ElfSymbol[] = [];
  for (let index = 0; index < count; index++) {
    const at = index * ELF64_SYM_SIZE;
    const what = `symbol ${index}`;
    const nameOff = table.u32(at, what);
    const info = table.u8(at + 4, what);
    const other = table.u8(at + 5, what);
    const shndx = table.u16(at + 6, what);
    const sym: ElfSymbol = {
      index,
      nameOff,
      name: nameOff === 0 ? '' : stringFromTable(strtab, nameOff, what),
      type: info & 0xf,
      bind: info >> 4,
      visibility: other & 0x3,
      shndx,
      value: table.u64(at + 8, what),
      size: table.u64(at + 16, what),
    };
    const special = shndx === SHN_UNDEF || shndx === SHN_ABS || shndx === SHN_COMMON;
    if (!special && (shndx >= sections.length || shndx >= SHN_LORESERVE)) {
      throw new ElfError(`symbol ${index} '${sym.name}': section index ${shndx} is out of range (${sections.length} sections)`);
    }
    symbols.push(sym);
  }
  return symbols;
}
