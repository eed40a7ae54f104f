/**
 * Sorts an object's ELF sections into what they mean to libbpf (bpf_object__elf_collect):
 * program code, the license and version, BTF-defined and legacy map definitions, global
 * data, BTF, and the relocation sections that matter.
 */
import { type ElfFile, type ElfSection, SectionFlag, SectionType, sectionLabel } from '../elf/index.js';
import { ObjectError } from './errors.js';

/** A global data section: `.data`, `.data.*`, `.rodata`, `.rodata.*`, `.bss`, `.bss.*`. */
export interface DataSection {
  readonly section: ElfSection;
  readonly kind: 'data' | 'rodata' | 'bss';
}

export interface ObjectLayout {
  /** Sections with instructions (SHF_EXECINSTR, not empty), `.text` included. */
  readonly code: readonly ElfSection[];
  /** `.text`, whose functions are subprograms. */
  readonly text: ElfSection | undefined;
  /** `.maps`: BTF-defined maps. */
  readonly btfMaps: ElfSection | undefined;
  /** `maps`: legacy `struct bpf_map_def`s. */
  readonly legacyMaps: ElfSection | undefined;
  /** Global data, in section order. */
  readonly data: readonly DataSection[];
  readonly license: ElfSection | undefined;
  readonly version: ElfSection | undefined;
  readonly btf: ElfSection | undefined;
  readonly btfExt: ElfSection | undefined;
}

/** Classifies the sections of `elf`. Throws ObjectError when `.BTF` or `.BTF.ext` is not PROGBITS. */
export function objectLayout(elf: ElfFile): ObjectLayout {
  const code: ElfSection[] = [];
  const data: DataSection[] = [];
  let text: ElfSection | undefined;
  let btfMaps: ElfSection | undefined;
  let legacyMaps: ElfSection | undefined;
  let license: ElfSection | undefined;
  let version: ElfSection | undefined;
  let btf: ElfSection | undefined;
  let btfExt: ElfSection | undefined;

  for (const s of elf.sections) {
    if (s.index === 0) continue;
    const name = s.name;
    if (name === 'license') license ??= s;
    else if (name === 'version') version ??= s;
    else if (name === 'maps') legacyMaps ??= s;
    else if (name === '.maps') btfMaps ??= s;
    else if (name === '.BTF' || name === '.BTF.ext') {
      if (s.type !== SectionType.PROGBITS) throw new ObjectError(`${sectionLabel(s)} is not PROGBITS`);
      if (name === '.BTF') btf ??= s;
      else btfExt ??= s;
    } else if (s.type === SectionType.PROGBITS && s.size > 0) {
      if (s.flags & SectionFlag.EXECINSTR) {
        code.push(s);
        if (name === '.text') text = s;
      } else if (isNamed(name, '.data')) data.push({ section: s, kind: 'data' });
      else if (isNamed(name, '.rodata')) data.push({ section: s, kind: 'rodata' });
    } else if (s.type === SectionType.NOBITS && s.size > 0 && isNamed(name, '.bss')) {
      data.push({ section: s, kind: 'bss' });
    }
  }
  return { code, text, btfMaps, legacyMaps, data, license, version, btf, btfExt };
}

/** `.data` itself or `.data.<anything>`. */
const isNamed = (name: string, base: string): boolean => name === base || name.startsWith(`${base}.`);

/** The license string: the section's bytes up to the first NUL, at most 63 characters. */
export function readLicense(section: ElfSection | undefined): string {
  if (!section) return '';
  const end = section.data.indexOf(0);
  const bytes = section.data.subarray(0, Math.min(end < 0 ? section.data.length : end, 63));
  return new TextDecoder().decode(bytes);
}

/** The `version` section: one u32 in the object's byte order. */
export function readKernelVersion(section: ElfSection | undefined, little: boolean): number | undefined {
  if (!section) return undefined;
  if (section.data.length !== 4) throw new ObjectError(`invalid version section: ${section.data.length} bytes, expected 4`);
  return new DataView(section.data.buffer, section.data.byteOffset, 4).getUint32(0, little);
}
