/**
 * The functions of an object's code sections (libbpf's bpf_object__add_programs): every
 * STT_FUNC symbol is one, its instructions the symbol's byte range. Functions in `.text`
 * are subprograms (unless `.text` holds the object's only function); the others are entry
 * programs, which must be global.
 */
import { type BpfError, type Instruction, decode, slotIndex } from '@bpfhive/uapi';
import { type ElfFile, type ElfSection, SymbolBind, SymbolType, SymbolVisibility } from '../elf/index.js';
import { ObjectError } from './errors.js';
import type { ObjectLayout } from './layout.js';

/** One function as compiled, before linking. */
export interface ElfFunction {
  readonly name: string;
  readonly section: ElfSection;
  /** The section name without a leading '?'. */
  readonly sectionName: string;
  readonly autoload: boolean;
  /** Byte offset in the section. */
  readonly offset: number;
  /** Slot of the first instruction in the section (offset / 8). */
  readonly sectionSlot: number;
  readonly insns: readonly Instruction[];
  /** Slot of each instruction within the function; the last entry is the slot count. */
  readonly slots: readonly number[];
  readonly global: boolean;
  /** Global but hidden: libbpf marks its BTF FUNC static. */
  readonly hidden: boolean;
  readonly subprogram: boolean;
}

/** The slot count of a function. */
export const slotCountOf = (f: ElfFunction): number => f.slots[f.insns.length]!;

/** The index of the instruction starting at `slot` of `f`, or undefined inside a `lddw`. */
export function indexAtSlot(f: ElfFunction, slot: number): number | undefined {
  let lo = 0;
  let hi = f.insns.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = f.slots[mid]!;
    if (s === slot) return mid;
    if (s < slot) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/**
 * Every function of the code sections, sorted by section index then offset. Throws
 * ObjectError for a function that is empty, not a whole number of instructions, outside its
 * section, static outside `.text`, or whose instructions do not decode.
 */
export function collectFunctions(elf: ElfFile, layout: ObjectLayout): ElfFunction[] {
  const endian = elf.header.endian;
  const codeIndexes = new Set(layout.code.map((s) => s.index));
  const found: Omit<ElfFunction, 'subprogram'>[] = [];
  for (const sym of elf.symbols) {
    if (sym.type !== SymbolType.FUNC || !codeIndexes.has(sym.shndx)) continue;
    const section = elf.sections[sym.shndx]!;
    const rawName = section.name;
    const sectionName = rawName.startsWith('?') ? rawName.slice(1) : rawName;
    const where = `sec '${rawName}': program '${sym.name}'`;
    if (sym.size === 0 || sym.size % 8 !== 0 || sym.value % 8 !== 0) {
      throw new ObjectError(`${where}: corrupted: offset ${sym.value}, size ${sym.size} are not whole instructions`);
    }
    if (sym.value + sym.size > section.data.length) {
      throw new ObjectError(`${where} at offset ${sym.value} crosses the section boundary (${section.data.length} bytes)`);
    }
    if (section !== layout.text && sym.bind === SymbolBind.LOCAL) {
      throw new ObjectError(`${where} is static; programs outside .text must be global`, 'ENOTSUP');
    }
    let insns: Instruction[];
    try {
      insns = decode(section.data.subarray(sym.value, sym.value + sym.size), { endian });
    } catch (err) {
      throw new ObjectError(`${where}: ${(err as BpfError).message}`);
    }
    const global = sym.bind !== SymbolBind.LOCAL;
    found.push({
      name: sym.name,
      section,
      sectionName,
      autoload: !rawName.startsWith('?'),
      offset: sym.value,
      sectionSlot: sym.value / 8,
      insns,
      slots: slotIndex(insns),
      global,
      hidden: global && (sym.visibility === SymbolVisibility.HIDDEN || sym.visibility === SymbolVisibility.INTERNAL),
    });
  }
  found.sort((a, b) => a.section.index - b.section.index || a.offset - b.offset);
  for (let i = 1; i < found.length; i++) {
    const prev = found[i - 1]!;
    const cur = found[i]!;
    if (prev.section === cur.section && prev.offset + prev.slots[prev.insns.length]! * 8 > cur.offset) {
      throw new ObjectError(`sec '${cur.section.name}': programs '${prev.name}' and '${cur.name}' overlap`);
    }
  }
  const many = found.length > 1;
  return found.map((f) => ({ ...f, subprogram: many && f.section === layout.text }));
}

/** The function of section `sectionIndex` containing section slot `slot` (libbpf's find_prog_by_sec_insn). */
export function functionAt(functions: readonly ElfFunction[], sectionIndex: number, slot: number): ElfFunction | undefined {
  return functions.find(
    (f) => f.section.index === sectionIndex && slot >= f.sectionSlot && slot < f.sectionSlot + slotCountOf(f),
  );
}
