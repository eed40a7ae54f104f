import { ELF64_HEADER_SIZE, ELF64_SHDR_SIZE, SHN_LORESERVE, SHN_XINDEX, SectionType, sectionTypeName } from './constants.js';
import { ElfError, hex } from './errors.js';
import { stringFromTable } from './strings.js';
import type { ElfHeader, ElfSection } from './types.js';
import type { FieldView } from './view.js';

/** `section 7 '.text'`: how messages name a section. */
export const sectionLabel = (s: Pick<ElfSection, 'index' | 'name'>): string =>
  s.name === '' ? `section ${s.index}` : `section ${s.index} '${s.name}'`;

interface RawSection {
  readonly index: number;
  readonly nameOff: number;
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
}

function readRaw(view: FieldView, shoff: number, index: number): RawSection {
  const at = shoff + index * ELF64_SHDR_SIZE;
  const what = `section ${index} header`;
  return {
    index,
    nameOff: view.u32(at, what),
    type: view.u32(at + 4, what),
    flags: view.u64(at + 8, what),
    offset: view.u64(at + 24, what),
    size: view.u64(at + 32, what),
    link: view.u32(at + 40, what),
    info: view.u32(at + 44, what),
    addralign: view.u64(at + 48, what),
    entsize: view.u64(at + 56, what),
  };
}

/**
 * Reads the section header table and every section's name and bytes. Checks that the table
 * and every section's data lie inside the file, that no two overlap (nor overlap the ELF
 * header or the table), and that e_shstrndx names a string table.
 */
export function readSections(bytes: Uint8Array, view: FieldView, header: ElfHeader): ElfSection[] {
  const first = readRaw(view, header.shoff, 0);
  const count = header.shnum === 0 ? first.size : header.shnum;
  const shstrndx = header.shstrndx === SHN_XINDEX ? first.link : header.shstrndx;
  if (count === 0) throw new ElfError('the section header table is empty');
  const tableEnd = header.shoff + count * ELF64_SHDR_SIZE;
  if (tableEnd > bytes.length) {
    throw new ElfError(
      `section header table [${hex(header.shoff)}, ${hex(tableEnd)}) of ${count} entries lies beyond the end of the file (${hex(bytes.length)} bytes)`,
    );
  }
  const raws = Array.from({ length: count }, (_, i) => (i === 0 ? first : readRaw(view, header.shoff, i)));

  if (shstrndx === 0 || shstrndx >= count || (shstrndx >= SHN_LORESERVE && header.shstrndx !== SHN_XINDEX)) {
    throw new ElfError(`e_shstrndx ${shstrndx} is out of range (${count} sections)`);
  }
  const shstrtabRaw = raws[shstrndx]!;
  if (shstrtabRaw.type !== SectionType.STRTAB) {
    throw new ElfError(`e_shstrndx ${shstrndx} names a ${sectionTypeName(shstrtabRaw.type)} section, not a STRTAB`);
  }
  const unnamed = toSection(bytes, shstrtabRaw, '');
  const shstrtab = { ...unnamed, name: stringFromTable(unnamed, shstrtabRaw.nameOff, `section ${shstrndx}`) };
  const sections = raws.map((r, i) => (i === 0 ? toSection(bytes, r, '') : toSection(bytes, r, stringFromTable(shstrtab, r.nameOff, `section ${i}`))));
  checkOverlaps(sections, header.shoff, tableEnd);
  return sections;
}

function toSection(bytes: Uint8Array, r: RawSection, name: string): ElfSection {
  const hasData = r.type !== SectionType.NOBITS && r.type !== SectionType.NULL;
  if (hasData && r.offset + r.size > bytes.length) {
    throw new ElfError(
      `${sectionLabel({ index: r.index, name })}: data [${hex(r.offset)}, ${hex(r.offset + r.size)}) lies beyond the end of the file (${hex(bytes.length)} bytes)`,
    );
  }
  const { nameOff: _nameOff, ...fields } = r;
  return { ...fields, name, data: hasData ? bytes.subarray(r.offset, r.offset + r.size) : new Uint8Array(0) };
}

function checkOverlaps(sections: readonly ElfSection[], shoff: number, tableEnd: number): void {
  const ranges = sections
    .filter((s) => s.data.length > 0)
    .map((s) => ({ start: s.offset, end: s.offset + s.size, what: sectionLabel(s) }));
  ranges.push({ start: 0, end: ELF64_HEADER_SIZE, what: 'the ELF header' });
  ranges.push({ start: shoff, end: tableEnd, what: 'the section header table' });
  ranges.sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1]!;
    const cur = ranges[i]!;
    if (cur.start < prev.end) {
      throw new ElfError(
        `${cur.what} [${hex(cur.start)}, ${hex(cur.end)}) overlaps ${prev.what} [${hex(prev.start)}, ${hex(prev.end)})`,
      );
    }
  }
}
