/**
 * What clang leaves for the loader to fill in BTF (libbpf's btf_fixup_datasec): the size of
 * each DATASEC and the offset of each global variable in it, taken from the ELF section and
 * symbols. Variables with hidden visibility become static, as libbpf marks them. Variables
 * of every DATASEC end up sorted by offset.
 */
import { BtfFuncLinkage, type BtfType, BtfVarLinkage } from '@bpfhive/uapi';
import { type ElfFile, SymbolBind, SymbolType, SymbolVisibility, findSection } from '../elf/index.js';
import { ObjectError } from './errors.js';
import type { ElfFunction } from './functions.js';

/** Fixes every DATASEC of `types` (a working copy of the object's BTF types) in place. */
export function fixupDatasecs(elf: ElfFile, types: BtfType[]): void {
  for (let id = 1; id < types.length; id++) {
    const sec = types[id]!;
    if (sec.kind !== 'DATASEC') continue;
    if (sec.name === '.kconfig' || sec.name === '.ksyms') {
      types[id] = { ...sec, vars: [...sec.vars].sort((a, b) => a.offset - b.offset) };
      continue;
    }
    let size = sec.size;
    const fixOffsets = size === 0;
    if (fixOffsets) {
      size = findSection(elf, sec.name)?.size ?? 0;
      if (size === 0) throw new ObjectError(`BTF DATASEC '${sec.name}': no ELF section of that name gives its size`, 'ENOENT');
    }
    const vars = sec.vars.map((v) => {
      const t = types[v.type];
      if (t?.kind !== 'VAR') throw new ObjectError(`BTF DATASEC '${sec.name}': entry [${v.type}] is not a VAR`);
      if (t.linkage === BtfVarLinkage.STATIC || t.linkage === BtfVarLinkage.GLOBAL_EXTERN) return v;
      const sym = elf.symbols.find(
        (s) => s.type === SymbolType.OBJECT && (s.bind === SymbolBind.GLOBAL || s.bind === SymbolBind.WEAK) && s.name === t.name,
      );
      if (!sym) throw new ObjectError(`BTF DATASEC '${sec.name}': no ELF symbol for VAR '${t.name}'`, 'ENOENT');
      if (sym.visibility === SymbolVisibility.HIDDEN || sym.visibility === SymbolVisibility.INTERNAL) {
        types[v.type] = { ...t, linkage: BtfVarLinkage.STATIC };
      }
      return fixOffsets ? { ...v, offset: sym.value } : v;
    });
    types[id] = { ...sec, size, vars: vars.sort((a, b) => a.offset - b.offset) };
  }
}

/**
 * Global subprograms with hidden visibility get a static BTF FUNC (libbpf's
 * mark_btf_static), so the kernel verifies them in their caller's context.
 */
export function markHiddenSubprogramsStatic(types: BtfType[], functions: readonly ElfFunction[]): void {
  for (const fn of functions) {
    if (!fn.subprogram || !fn.hidden) continue;
    const id = types.findIndex((t) => t.kind === 'FUNC' && t.linkage === BtfFuncLinkage.GLOBAL && t.name === fn.name);
    const t = types[id];
    if (t?.kind === 'FUNC') types[id] = { ...t, linkage: BtfFuncLinkage.STATIC };
  }
}
