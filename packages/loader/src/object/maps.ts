/**
 * All of an object's maps, in libbpf's order (legacy definitions, BTF-defined maps, global
 * data, `.kconfig`), and how relocations find them by ELF section and offset.
 */
import type { Btf } from '@bpfhive/uapi';
import type { ElfFile } from '../elf/index.js';
import { ObjectError } from './errors.js';
import type { Externs } from './externs.js';
import type { ElfFunction } from './functions.js';
import type { ObjectLayout } from './layout.js';
import { collectMapSlots } from './map-slots.js';
import { type BtfMapLocation, type MapOptions, readBtfMaps } from './maps-btf.js';
import { dataSectionMap, kconfigMap } from './maps-data.js';
import { type LegacyMapLocation, readLegacyMaps } from './maps-legacy.js';
import type { MapLookup } from './prog-relocs.js';
import type { MapSpec } from './types.js';

export interface ObjectMaps {
  readonly list: readonly MapSpec[];
  readonly lookup: MapLookup;
  /** The `.kconfig` map's name, when there are Kconfig externs. */
  readonly kconfigMap: string | undefined;
}

/** Reads every map of the object. Throws ObjectError for definitions libbpf refuses. */
export function collectMaps(
  elf: ElfFile,
  layout: ObjectLayout,
  btf: Btf | undefined,
  externs: Externs,
  functions: readonly ElfFunction[],
  objectName: string,
  options: MapOptions,
): ObjectMaps {
  const legacy: LegacyMapLocation[] = layout.legacyMaps ? readLegacyMaps(elf, layout.legacyMaps) : [];
  const btfMaps = layout.btfMaps ? readBtfMapsWithSlots(elf, layout, btf, functions, options) : [];
  const dataMaps = layout.data.map((d) => ({ index: d.section.index, spec: dataSectionMap(objectName, d, btf) }));
  const kconfig = externs.kconfigSize > 0 ? kconfigMap(objectName, externs.kconfigSize, btf) : undefined;
  const list = [...legacy.map((m) => m.spec), ...btfMaps.map((m) => m.spec), ...dataMaps.map((m) => m.spec)];
  if (kconfig) list.push(kconfig);
  checkUniqueNames(list);
  const lookup: MapLookup = {
    mapAt: (shndx, offset) => {
      if (shndx === layout.btfMaps?.index) return btfMaps.find((m) => m.offset === offset)?.spec.name;
      if (shndx === layout.legacyMaps?.index) return legacy.find((m) => m.offset === offset)?.spec.name;
      return undefined;
    },
    isMapSection: (shndx) => shndx === layout.btfMaps?.index || shndx === layout.legacyMaps?.index,
    dataMapOf: (shndx) => dataMaps.find((m) => m.index === shndx)?.spec.name,
  };
  return { list, lookup, kconfigMap: kconfig?.name };
}

/** The `.maps` definitions with the initial slots `.rel.maps` gives them. */
function readBtfMapsWithSlots(
  elf: ElfFile,
  layout: ObjectLayout,
  btf: Btf | undefined,
  functions: readonly ElfFunction[],
  options: MapOptions,
): BtfMapLocation[] {
  const section = layout.btfMaps!;
  if (!btf) throw new ObjectError('BTF is required for the .maps section, but the object has none', 'ENOENT');
  const maps = readBtfMaps(btf, section.size, options);
  const rel = elf.relocations.get(section.index);
  if (!rel) return maps;
  const slots = collectMapSlots(elf, rel, maps, functions);
  return maps.map((m) => {
    const initialSlots = slots.get(m.spec.name);
    return initialSlots ? { ...m, spec: { ...m.spec, initialSlots } } : m;
  });
}

function checkUniqueNames(maps: readonly MapSpec[]): void {
  const seen = new Set<string>();
  for (const m of maps) {
    if (seen.has(m.name)) throw new ObjectError(`two maps are named '${m.name}'`);
    seen.add(m.name);
  }
}
