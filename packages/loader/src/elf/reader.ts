import { SectionType } from './constants.js';
import { ElfError } from './errors.js';
import { readElfHeader } from './header.js';
import { readRelocationSection } from './relocations.js';
import { readSections, sectionLabel } from './sections.js';
import { readSymbols } from './symbols.js';
import type { ElfFile, ElfRelocationSection, ElfSection } from './types.js';

/**
 * Reads an ELF64 relocatable object for EM_BPF, little- or big-endian: the header, every
 * section with its name and bytes, the symbol table and every REL section. Any malformed
 * input throws ElfError (EINVAL) whose message says what is wrong and where; nothing else
 * is thrown for bad bytes.
 *
 * RELA sections are not expected in BPF objects and are rejected. A file may have at most
 * one symbol table; without one, `symbols` is empty.
 */
export function readElf(bytes: Uint8Array): ElfFile {
  const { header, view } = readElfHeader(bytes);
  const sections = readSections(bytes, view, header);

  const symtabs = sections.filter((s) => s.type === SectionType.SYMTAB);
  if (symtabs.length > 1) throw new ElfError(`more than one symbol table: sections ${symtabs.map((s) => s.index).join(', ')}`);
  const symtab = symtabs[0];
  const symbols = symtab ? readSymbols(sections, symtab, view) : [];

  const relocations = new Map<number, ElfRelocationSection>();
  for (const s of sections) {
    if (s.type === SectionType.RELA) throw new ElfError(`${sectionLabel(s)}: RELA relocations are not used by eBPF objects`);
    if (s.type !== SectionType.REL) continue;
    if (!symtab) throw new ElfError(`${sectionLabel(s)}: relocations without a symbol table`);
    const rel = readRelocationSection(sections, s, symtab.index, symbols.length, view);
    const other = relocations.get(rel.target);
    if (other) {
      throw new ElfError(`${sectionLabel(other.section)} and ${sectionLabel(s)} both relocate section ${rel.target}`);
    }
    relocations.set(rel.target, rel);
  }
  return { header, sections, symtabIndex: symtab?.index ?? 0, symbols, relocations };
}

/** The first section named `name`, or undefined. */
export function findSection(elf: ElfFile, name: string): ElfSection | undefined {
  return elf.sections.find((s) => s.index !== 0 && s.name === name);
}
