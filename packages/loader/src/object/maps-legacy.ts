/**
 * Legacy map definitions: `struct bpf_map_def` (type, key_size, value_size, max_entries,
 * map_flags; five u32s) in the `maps` section, one per symbol, as libbpf before 1.0 and
 * cilium/ebpf read them. A definition's size is its symbol's size, or the section divided
 * evenly among its symbols when symbols carry no size. Bytes beyond the five fields must be
 * zero; shorter definitions leave the missing fields 0.
 */
import type { ElfFile, ElfSection } from '../elf/index.js';
import { SymbolType } from '../elf/index.js';
import { ObjectError } from './errors.js';
import type { MapSpec } from './types.js';

const FIELDS = ['type', 'keySize', 'valueSize', 'maxEntries', 'flags'] as const;
const DEF_SIZE = FIELDS.length * 4;

/** A legacy map and where its definition lies in `maps`. */
export interface LegacyMapLocation {
  readonly spec: MapSpec;
  readonly offset: number;
}

/** The maps of the `maps` section, in offset order. */
export function readLegacyMaps(elf: ElfFile, section: ElfSection): LegacyMapLocation[] {
  const symbols = elf.symbols
    .filter((s) => s.shndx === section.index && s.type !== SymbolType.SECTION && s.name !== '')
    .sort((a, b) => a.value - b.value);
  if (symbols.length === 0) throw new ObjectError(`legacy maps section '${section.name}' has no symbols`);
  const evenSize = section.data.length / symbols.length;
  const view = new DataView(section.data.buffer, section.data.byteOffset, section.data.byteLength);
  const le = elf.header.endian === 'little';
  return symbols.map((sym) => {
    const size = sym.size > 0 ? sym.size : evenSize;
    if (!Number.isInteger(size) || size === 0) {
      throw new ObjectError(`map '${sym.name}': cannot tell the definition size: ${symbols.length} maps in ${section.data.length} bytes`);
    }
    if (sym.value + size > section.data.length) {
      throw new ObjectError(`map '${sym.name}': definition [${sym.value}, ${sym.value + size}) lies beyond the '${section.name}' section`);
    }
    const fields = FIELDS.map((_, i) => (i * 4 + 4 <= size ? view.getUint32(sym.value + i * 4, le) : 0));
    for (let at = DEF_SIZE; at < size; at++) {
      if (section.data[sym.value + at] !== 0) {
        throw new ObjectError(`map '${sym.name}': unrecognized non-zero field at byte ${at} of its ${size}-byte definition`, 'ENOTSUP');
      }
    }
    const [type, keySize, valueSize, maxEntries, flags] = fields as [number, number, number, number, number];
    const spec: MapSpec = {
      name: sym.name,
      sectionName: section.name,
      origin: 'legacy',
      type,
      keySize,
      valueSize,
      maxEntries,
      flags,
      numaNode: 0,
      mapExtra: 0,
      pinning: 0,
      pinPath: undefined,
      btfKeyTypeId: 0,
      btfValueTypeId: 0,
      innerMap: undefined,
      initialSlots: [],
      contents: undefined,
      freeze: false,
    };
    return { spec, offset: sym.value };
  });
}
