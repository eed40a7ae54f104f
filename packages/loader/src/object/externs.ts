/**
 * Externs (libbpf's bpf_object__collect_externs): undefined global symbols that the BTF
 * declares as `extern` VARs or FUNCs in the `.kconfig` or `.ksyms` DATASEC. Kconfig values
 * get a place in the `.kconfig` map; kernel symbols are resolved against the kernel's BTF at
 * load time. As libbpf does, the BTF is rewritten so the kernel accepts it: `.kconfig` VARs
 * become allocated at their map offsets, `.ksyms` entries 4-byte allocated ints.
 */
import {
  type Btf,
  type BtfDatasec,
  BtfFuncLinkage,
  BtfIntEncoding,
  type BtfType,
  BtfVarLinkage,
  btfAlignOf,
  btfSizeOf,
  skipModsAndTypedefs,
} from '@bpfhive/uapi';
import { type ElfFile, type ElfSymbol, SHN_UNDEF, SymbolBind, SymbolType } from '../elf/index.js';
import { ObjectError } from './errors.js';
import type { ExternSpec, KconfigType } from './types.js';

/** libbpf's test for an extern symbol: undefined, global or weak, no type. */
export const isExternSymbol = (sym: ElfSymbol): boolean =>
  sym.shndx === SHN_UNDEF && (sym.bind === SymbolBind.GLOBAL || sym.bind === SymbolBind.WEAK) && sym.type === SymbolType.NOTYPE;

/** The externs, in libbpf's order, and by the symbol table index that names each. */
export interface Externs {
  readonly list: readonly ExternSpec[];
  readonly bySymbol: ReadonlyMap<number, ExternSpec>;
  /** Bytes the `.kconfig` map needs: the end of the last kconfig extern; 0 without any. */
  readonly kconfigSize: number;
}

/**
 * Collects the externs of `elf` and rewrites `types` (a copy of the object's BTF types) as
 * libbpf does. Throws ObjectError for an extern the BTF does not declare (ESRCH), one in
 * another section or a kconfig function (ENOTSUP), or a kconfig type libbpf cannot fill.
 */
export function collectExterns(elf: ElfFile, btf: Btf | undefined, types: BtfType[]): Externs {
  const found: { ext: ExternSpec; symbol: number; section: string }[] = [];
  for (const sym of elf.symbols) {
    if (!isExternSymbol(sym) || sym.name === '') continue;
    if (!btf) throw new ObjectError(`extern '${sym.name}': the object has no BTF to describe it`, 'ESRCH');
    const btfId = externBtfId(btf, sym.name);
    const t = btf.types[btfId] as Extract<BtfType, { kind: 'VAR' | 'FUNC' }>;
    const sec = datasecOf(btf, btfId, sym.name);
    const weak = sym.bind === SymbolBind.WEAK;
    if (sec.name === '.kconfig') {
      if (t.kind === 'FUNC') throw new ObjectError(`extern function '${sym.name}' is not supported in .kconfig`, 'ENOTSUP');
      found.push({ ext: { name: t.name, kind: 'kconfig', weak, btfId, kconfig: kconfigOf(btf, t.type, t.name) }, symbol: sym.index, section: sec.name });
    } else if (sec.name === '.ksyms') {
      const typeId = skipModsAndTypedefs(btf, t.type).id;
      found.push({ ext: { name: t.name, kind: 'ksym', weak, btfId, ksym: { typeId, func: t.kind === 'FUNC' } }, symbol: sym.index, section: sec.name });
    } else {
      throw new ObjectError(`extern '${sym.name}': unrecognized extern section '${sec.name}'`, 'ENOTSUP');
    }
  }
  found.sort((a, b) => compareExterns(a.ext, b.ext));

  let offset = 0;
  const list = found.map(({ ext }) => {
    if (!ext.kconfig) return ext;
    const at = Math.ceil(offset / ext.kconfig.align) * ext.kconfig.align;
    offset = at + ext.kconfig.size;
    return { ...ext, kconfig: { ...ext.kconfig, offset: at } };
  });
  const bySymbol = new Map(found.map((f, i) => [f.symbol, list[i]!]));
  if (btf) rewriteExternBtf(btf, types, list, offset);
  return { list, bySymbol, kconfigSize: offset };
}

/** The first VAR or FUNC named `name`, which must be extern. */
function externBtfId(btf: Btf, name: string): number {
  for (let id = 1; id < btf.types.length; id++) {
    const t = btf.types[id]!;
    if ((t.kind !== 'VAR' && t.kind !== 'FUNC') || t.name !== name) continue;
    if (t.kind === 'VAR' && t.linkage !== BtfVarLinkage.GLOBAL_EXTERN) throw new ObjectError(`extern '${name}': its BTF VAR [${id}] is not extern`);
    if (t.kind === 'FUNC' && t.linkage !== BtfFuncLinkage.EXTERN) throw new ObjectError(`extern '${name}': its BTF FUNC [${id}] is not extern`);
    return id;
  }
  throw new ObjectError(`failed to find BTF for extern '${name}'`, 'ESRCH');
}

function datasecOf(btf: Btf, id: number, name: string): BtfDatasec {
  for (const t of btf.types) if (t.kind === 'DATASEC' && t.vars.some((v) => v.type === id)) return t;
  throw new ObjectError(`failed to find the BTF section of extern '${name}' [${id}]`, 'ESRCH');
}

/** libbpf's find_kcfg_type: what kind of Kconfig value a type can hold. */
function kcfgType(btf: Btf, id: number): { type: KconfigType | undefined; signed: boolean } {
  const t = skipModsAndTypedefs(btf, id).type;
  switch (t.kind) {
    case 'INT': {
      if (t.encoding & BtfIntEncoding.BOOL) return { type: t.size === 1 ? 'bool' : undefined, signed: false };
      const signed = (t.encoding & BtfIntEncoding.SIGNED) !== 0;
      if (t.size === 1) return { type: 'char', signed };
      if (t.size < 1 || t.size > 8 || (t.size & (t.size - 1)) !== 0) return { type: undefined, signed };
      return { type: 'int', signed };
    }
    case 'ENUM':
      return { type: t.size === 4 && t.name === 'libbpf_tristate' ? 'tristate' : undefined, signed: false };
    case 'ENUM64':
      return { type: t.name === 'libbpf_tristate' ? 'tristate' : undefined, signed: false };
    case 'ARRAY':
      return { type: t.nelems > 0 && kcfgType(btf, t.type).type === 'char' ? 'char_array' : undefined, signed: false };
    default:
      return { type: undefined, signed: false };
  }
}

function kconfigOf(btf: Btf, typeId: number, name: string): NonNullable<ExternSpec['kconfig']> {
  const size = btfSizeOf(btf, typeId);
  const align = btfAlignOf(btf, typeId);
  const { type, signed } = kcfgType(btf, typeId);
  if (size <= 0) throw new ObjectError(`extern (kcfg) '${name}': size ${size} is not positive`);
  if (type === undefined) throw new ObjectError(`extern (kcfg) '${name}': type is unsupported`, 'ENOTSUP');
  return { type, size, align, offset: 0, signed };
}

/** libbpf's cmp_externs: kconfig before ksym; kconfig by alignment down, size up; then name. */
function compareExterns(a: ExternSpec, b: ExternSpec): number {
  if (a.kind !== b.kind) return a.kind === 'kconfig' ? -1 : 1;
  if (a.kconfig && b.kconfig) {
    if (a.kconfig.align !== b.kconfig.align) return b.kconfig.align - a.kconfig.align;
    if (a.kconfig.size !== b.kconfig.size) return a.kconfig.size - b.kconfig.size;
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * `.kconfig`: each VAR allocated at its offset, the section as big as the map. `.ksyms`:
 * each entry a 4-byte allocated int at 4 × its index; a kfunc entry points at an added VAR
 * `dummy_ksym`, its FUNC becomes global and unnamed parameters borrow that name.
 */
function rewriteExternBtf(btf: Btf, types: BtfType[], externs: readonly ExternSpec[], kconfigSize: number): void {
  const byName = new Map(externs.map((e) => [e.name, e]));
  for (let id = 1; id < btf.types.length; id++) {
    const sec = btf.types[id]!;
    if (sec.kind !== 'DATASEC') continue;
    if (sec.name === '.kconfig') {
      const vars = sec.vars.map((v) => {
        const t = types[v.type]!;
        const ext = byName.get(t.name);
        if (!ext?.kconfig || t.kind !== 'VAR') throw new ObjectError(`failed to find extern definition for BTF var '${t.name}'`, 'ESRCH');
        types[v.type] = { ...t, linkage: BtfVarLinkage.GLOBAL_ALLOCATED };
        return { ...v, offset: ext.kconfig.offset };
      });
      types[id] = { ...sec, size: kconfigSize, vars };
    } else if (sec.name === '.ksyms') {
      types[id] = { ...sec, size: sec.vars.length * 4, vars: rewriteKsyms(types, sec, byName) };
    }
  }
}

function rewriteKsyms(types: BtfType[], sec: BtfDatasec, byName: ReadonlyMap<string, ExternSpec>): BtfDatasec['vars'] {
  const intId = types.findIndex((t) => t.kind === 'INT' && t.bits === 32);
  let dummyId = 0;
  return sec.vars.map((v, i) => {
    const t = types[v.type]!;
    if (!byName.has(t.name)) throw new ObjectError(`failed to find extern definition for BTF ${t.kind} '${t.name}'`, 'ESRCH');
    let type = v.type;
    if (t.kind === 'FUNC') {
      if (dummyId === 0) {
        dummyId = types.length;
        types.push({ kind: 'VAR', name: 'dummy_ksym', type: Math.max(intId, 0), linkage: BtfVarLinkage.GLOBAL_ALLOCATED });
      }
      const proto = types[t.type];
      if (proto?.kind === 'FUNC_PROTO') {
        types[t.type] = { ...proto, params: proto.params.map((p) => (p.type !== 0 && p.name === '' ? { ...p, name: 'dummy_ksym' } : p)) };
      }
      types[v.type] = { ...t, linkage: BtfFuncLinkage.GLOBAL };
      type = dummyId;
    } else if (t.kind === 'VAR') {
      types[v.type] = { ...t, linkage: BtfVarLinkage.GLOBAL_ALLOCATED, type: Math.max(intId, 0) };
    }
    return { type, offset: i * 4, size: 4 };
  });
}
