/**
 * Maps libbpf makes for global data (bpf_object__init_internal_map): one ARRAY of one
 * element per `.data*`, `.rodata*` and `.bss*` section, holding the section's bytes, and
 * one for `.kconfig` when the object has Kconfig externs. Read-only sections are read-only
 * to programs (BPF_F_RDONLY_PROG) and frozen once filled; a map whose DATASEC has a
 * non-static variable is BPF_F_MMAPABLE (user space reaches it through the skeleton).
 */
import { type Btf, BtfVarLinkage, MapFlag, MapType, findBtfType } from '@bpfhive/uapi';
import { ObjectError } from './errors.js';
import type { DataSection } from './layout.js';
import { internalMapName } from './naming.js';
import type { MapOrigin, MapSpec } from './types.js';

/**
 * The largest map value the kernel allocates (KMALLOC_MAX_SIZE with 4 KiB pages): bigger
 * global data sections are refused with E2BIG before any memory is spent on them.
 */
export const MAX_DATA_SECTION_SIZE = 4 << 20;

/** The map of one global data section. */
export function dataSectionMap(object: string, data: DataSection, btf: Btf | undefined): MapSpec {
  const { section, kind } = data;
  checkSize(section.name, section.size);
  const contents = kind === 'bss' ? new Uint8Array(section.size) : section.data.slice();
  return internalMap(object, section.name, kind, contents, btf);
}

/** The `.kconfig` map, `size` bytes of zeros until the loader writes the values. */
export function kconfigMap(object: string, size: number, btf: Btf | undefined): MapSpec {
  checkSize('.kconfig', size);
  return internalMap(object, '.kconfig', 'kconfig', new Uint8Array(size), btf);
}

function checkSize(section: string, size: number): void {
  if (size > MAX_DATA_SECTION_SIZE) {
    throw new ObjectError(`section '${section}' of ${size} bytes is too big for a map value (at most ${MAX_DATA_SECTION_SIZE})`, 'E2BIG');
  }
}

function internalMap(object: string, section: string, origin: MapOrigin, contents: Uint8Array, btf: Btf | undefined): MapSpec {
  const readOnly = origin === 'rodata' || origin === 'kconfig';
  const valueTypeId = btf ? (findBtfType(btf, section) ?? 0) : 0;
  let flags = readOnly ? MapFlag.RDONLY_PROG : 0;
  if (btf && mmapable(btf, valueTypeId)) flags |= MapFlag.MMAPABLE;
  return {
    name: internalMapName(object, section),
    sectionName: section,
    origin,
    type: MapType.ARRAY,
    keySize: 4,
    valueSize: contents.length,
    maxEntries: 1,
    flags,
    numaNode: 0,
    mapExtra: 0,
    pinning: 0,
    pinPath: undefined,
    btfKeyTypeId: 0,
    btfValueTypeId: valueTypeId,
    innerMap: undefined,
    initialSlots: [],
    contents,
    freeze: readOnly,
  };
}

/** libbpf's map_is_mmapable: the value type is a DATASEC with a VAR that is not static. */
function mmapable(btf: Btf, id: number): boolean {
  const sec = btf.types[id];
  if (sec?.kind !== 'DATASEC') return false;
  return sec.vars.some((v) => {
    const t = btf.types[v.type];
    return t?.kind === 'VAR' && t.linkage !== BtfVarLinkage.STATIC;
  });
}
