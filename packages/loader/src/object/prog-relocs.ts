/**
 * What each relocation of a code section means (libbpf's bpf_program__record_reloc): a call
 * to a subprogram, the address of a subprogram (a callback), a map, a global variable, or
 * an extern. Relocations are recorded per function, by instruction index.
 */
import { CALL, type Instruction, LD_IMM64, PseudoCall } from '@bpfhive/uapi';
import { type ElfFile, type ElfSymbol, SHN_LORESERVE, SymbolBind, SymbolType, sectionLabel } from '../elf/index.js';
import { ObjectError } from './errors.js';
import type { Externs } from './externs.js';
import { isExternSymbol } from './externs.js';
import { type ElfFunction, functionAt, indexAtSlot } from './functions.js';
import type { ObjectLayout } from './layout.js';
import type { ExternSpec } from './types.js';

/** A relocation of one instruction, before linking. */
export type RelocDesc =
  /** A bpf-to-bpf call into `.text`; the target is the slot symOff / 8 + imm + 1. */
  | { readonly type: 'call'; readonly symOff: number }
  /** `lddw` of a subprogram's address; the target is the slot (symOff + imm) / 8. */
  | { readonly type: 'subprog_addr'; readonly symOff: number }
  | { readonly type: 'map'; readonly map: string }
  /** A global variable at symOff (+ the instruction's imm) in a data map. */
  | { readonly type: 'data'; readonly map: string; readonly symOff: number }
  | { readonly type: 'extern_ld'; readonly ext: ExternSpec }
  | { readonly type: 'extern_call'; readonly ext: ExternSpec };

/** Maps by ELF section and offset, as relocations find them. */
export interface MapLookup {
  /** The BTF or legacy map defined at `offset` of map section `shndx`. */
  mapAt(shndx: number, offset: number): string | undefined;
  /** Whether `shndx` is a map definition section. */
  isMapSection(shndx: number): boolean;
  /** The global data map of section `shndx`. */
  dataMapOf(shndx: number): string | undefined;
}

const isCall = (insn: Instruction): boolean => insn.opcode === CALL;
const isLdImm64 = (insn: Instruction): boolean => insn.opcode === LD_IMM64;

/** The relocations of every function, by instruction index. */
export function collectProgramRelocations(
  elf: ElfFile,
  layout: ObjectLayout,
  functions: readonly ElfFunction[],
  externs: Externs,
  maps: MapLookup,
): Map<ElfFunction, Map<number, RelocDesc>> {
  const out = new Map<ElfFunction, Map<number, RelocDesc>>();
  for (const section of layout.code) {
    const rel = elf.relocations.get(section.index);
    if (!rel) continue;
    rel.entries.forEach((entry, i) => {
      const sym = elf.symbols[entry.symbol]!;
      if (entry.offset % 8 !== 0) {
        throw new ObjectError(`${sectionLabel(rel.section)}: invalid offset 0x${entry.offset.toString(16)} for relo #${i}`);
      }
      const slot = entry.offset / 8;
      const fn = functionAt(functions, section.index, slot);
      if (!fn) return; // not inside any function: libbpf skips it (an overridden weak function)
      const index = indexAtSlot(fn, slot - fn.sectionSlot);
      const symName = sym.type === SymbolType.SECTION && sym.name === '' ? (elf.sections[sym.shndx]?.name ?? '<?>') : sym.name;
      const where = `prog '${fn.name}': relo #${i} against '${symName}'`;
      if (index === undefined) throw new ObjectError(`${where} points into the middle of a lddw`);
      const desc = recordReloc(elf, layout, fn.insns[index]!, index, sym, externs, maps, where);
      const forFn = out.get(fn) ?? new Map<number, RelocDesc>();
      forFn.set(index, desc);
      out.set(fn, forFn);
    });
  }
  return out;
}

function recordReloc(
  elf: ElfFile,
  layout: ObjectLayout,
  insn: Instruction,
  index: number,
  sym: ElfSymbol,
  externs: Externs,
  maps: MapLookup,
  where: string,
): RelocDesc {
  if (!isCall(insn) && !isLdImm64(insn)) {
    throw new ObjectError(`${where}: insns[${index}] has code 0x${insn.opcode.toString(16)}, not a call or lddw`);
  }
  if (isExternSymbol(sym)) {
    const ext = externs.bySymbol.get(sym.index);
    if (!ext) throw new ObjectError(`${where}: no extern for symbol ${sym.index}`);
    return isCall(insn) ? { type: 'extern_call', ext } : { type: 'extern_ld', ext };
  }
  if (isCall(insn)) {
    if (insn.src !== PseudoCall.LOCAL) throw new ObjectError(`${where}: a relocated call must be a bpf-to-bpf call (src 1), has src ${insn.src}`);
    if (sym.shndx === 0 || sym.shndx !== layout.text?.index) {
      throw new ObjectError(`${where}: bad call relo into section '${elf.sections[sym.shndx]?.name ?? sym.shndx}'; subprograms live in .text`);
    }
    if (sym.value % 8 !== 0) throw new ObjectError(`${where}: bad call relo at offset ${sym.value}`);
    return { type: 'call', symOff: sym.value };
  }
  if (sym.shndx === 0 || sym.shndx >= SHN_LORESERVE) {
    throw new ObjectError(`${where}: invalid relo in special section 0x${sym.shndx.toString(16)}; forgot to initialize a global var?`);
  }
  if (sym.shndx === layout.text?.index && isSubprogSymbol(sym)) {
    if (sym.value % 8 !== 0 || insn.imm % 8 !== 0) throw new ObjectError(`${where}: bad subprog addr relo at offset ${sym.value}+${insn.imm}`);
    return { type: 'subprog_addr', symOff: sym.value };
  }
  const data = maps.dataMapOf(sym.shndx);
  if (data !== undefined) return { type: 'data', map: data, symOff: sym.value };
  if (!maps.isMapSection(sym.shndx)) {
    throw new ObjectError(`${where}: bad map relo into section '${elf.sections[sym.shndx]?.name ?? sym.shndx}'`);
  }
  const map = maps.mapAt(sym.shndx, sym.value);
  if (map === undefined) {
    throw new ObjectError(`${where}: map relo failed to find a map in section '${elf.sections[sym.shndx]!.name}' at offset ${sym.value}`);
  }
  return { type: 'map', map };
}

/** libbpf's sym_is_subprog: a static function (its section symbol) or a global function. */
const isSubprogSymbol = (sym: ElfSymbol): boolean =>
  (sym.bind === SymbolBind.LOCAL && sym.type === SymbolType.SECTION) || (sym.bind === SymbolBind.GLOBAL && sym.type === SymbolType.FUNC);
