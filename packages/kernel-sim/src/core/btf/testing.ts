/**
 * Test support: what libbpf does to clang's `.BTF` before BPF_BTF_LOAD (btf_fixup_datasec and the
 * extern handling of bpf_object__collect_externs), so tests can load an object's BTF as a real
 * loader would. clang leaves DATASEC sizes and variable offsets 0 and marks externs; the kernel
 * refuses all three. libbpf takes offsets from the ELF symbols; without the ELF, this lays the
 * variables out one after another, each aligned to its size (up to 8).
 */
import { type Btf, type BtfDatasec, type BtfType, BtfVarLinkage, encodeBtf, findBtfType, parseBtf } from '@bpfhive/uapi';

export function fixupLikeLibbpf(bytes: Uint8Array): Uint8Array {
  const parsed = parseBtf(bytes);
  const types: BtfType[] = parsed.types.map((t) => (t.kind === 'VAR' && t.linkage === BtfVarLinkage.GLOBAL_EXTERN ? { ...t, linkage: BtfVarLinkage.GLOBAL_ALLOCATED } : t));
  let dummyKsym: number | undefined;
  const dummy = (): number => {
    if (dummyKsym !== undefined) return dummyKsym;
    let int = findBtfType(parsed, 'int', 'INT');
    if (int === undefined) int = types.push({ kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 }) - 1;
    dummyKsym = types.push({ kind: 'VAR', name: 'dummy_ksym', type: int, linkage: BtfVarLinkage.GLOBAL_ALLOCATED }) - 1;
    return dummyKsym;
  };
  types.forEach((t, id) => {
    if (t.kind !== 'DATASEC') return;
    let end = 0;
    const vars = t.vars.map((v) => {
      const isFunc = types[v.type]?.kind === 'FUNC';
      const size = isFunc ? 4 : Math.max(v.size, 1);
      const align = Math.min(8, 2 ** Math.floor(Math.log2(size)));
      const offset = Math.ceil(end / align) * align;
      end = offset + size;
      return { type: isFunc ? dummy() : v.type, offset, size };
    });
    types[id] = { ...t, size: Math.max(end, 1), vars } satisfies BtfDatasec;
  });
  const fixed: Btf = { types, strings: parsed.strings };
  return encodeBtf(fixed);
}
