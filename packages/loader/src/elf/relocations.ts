import { ELF64_REL_SIZE, SectionType } from './constants.js';
import { ElfError, hex } from './errors.js';
import { sectionLabel } from './sections.js';
import { checkEntries } from './symbols.js';
import type { ElfRelocation, ElfRelocationSection, ElfSection } from './types.js';
import { FieldView } from './view.js';

/**
 * Reads a REL section: entries of 16 bytes, a target section (sh_info) that exists and has
 * data, symbol indexes inside the symbol table, offsets inside the target.
 */
export function readRelocationSection(
  sections: readonly ElfSection[],
  rel: ElfSection,
  symtabIndex: number,
  symbolCount: number,
  view: FieldView,
): ElfRelocationSection {
  const count = checkEntries(rel, ELF64_REL_SIZE);
  if (rel.link !== symtabIndex) {
    throw new ElfError(`${sectionLabel(rel)}: sh_link ${rel.link} is not the symbol table (section ${symtabIndex})`);
  }
  const target = sections[rel.info];
  if (rel.info === 0 || target === undefined) {
    throw new ElfError(`${sectionLabel(rel)}: sh_info ${rel.info} does not name a section (${sections.length} sections)`);
  }
  const table = new FieldView(rel.data, view.endian);
  const entries: ElfRelocation[] = [];
  for (let i = 0; i < count; i++) {
    const what = `${sectionLabel(rel)} entry ${i}`;
    const offset = table.u64(i * ELF64_REL_SIZE, what);
    const [symbol, type] = table.u64Halves(i * ELF64_REL_SIZE + 8, what);
    if (symbol >= symbolCount) throw new ElfError(`${what}: symbol index ${symbol} is out of range (${symbolCount} symbols)`);
    const limit = target.type === SectionType.NOBITS ? 0 : target.size;
    if (offset >= limit) {
      throw new ElfError(`${what}: offset ${hex(offset)} lies beyond ${sectionLabel(target)} (${hex(limit)} bytes)`);
    }
    entries.push({ offset, symbol, type });
  }
  return { section: rel, target: rel.info, entries };
}
