/**
 * Initial values of map-in-map and program array slots (libbpf's
 * bpf_object__collect_map_relos): each `.rel.maps` entry points a slot of a map's `values`
 * array at another BTF map or at an entry program.
 */
import { MapType } from '@bpfhive/uapi';
import { type ElfFile, type ElfRelocationSection, sectionLabel } from '../elf/index.js';
import { ObjectError } from './errors.js';
import type { ElfFunction } from './functions.js';
import type { BtfMapLocation } from './maps-btf.js';
import type { MapSlotInit } from './types.js';

const BPF_PTR_SIZE = 8;

/** The slot initialisers of every BTF map, by map name, in relocation order. */
export function collectMapSlots(
  elf: ElfFile,
  rel: ElfRelocationSection,
  maps: readonly BtfMapLocation[],
  functions: readonly ElfFunction[],
): Map<string, MapSlotInit[]> {
  const slots = new Map<string, MapSlotInit[]>();
  rel.entries.forEach((entry, i) => {
    const sym = elf.symbols[entry.symbol]!;
    const what = `.maps relo #${i}`;
    const loc = maps.find((m) => m.offset <= entry.offset && entry.offset + BPF_PTR_SIZE <= m.offset + m.size);
    if (!loc) throw new ObjectError(`${what}: cannot find map '${sym.name}' at offset ${entry.offset}`);
    const map = loc.spec;
    let init: MapSlotInit;
    if (map.type === MapType.ARRAY_OF_MAPS || map.type === MapType.HASH_OF_MAPS) {
      if (sym.shndx !== rel.target) throw new ObjectError(`${what}: '${sym.name}' isn't a BTF-defined map`);
      if (map.type === MapType.HASH_OF_MAPS && map.keySize !== 4) {
        throw new ObjectError(`${what}: hash-of-maps '${map.name}' should have key size 4`);
      }
      if (!maps.some((m) => m.spec.name === sym.name)) throw new ObjectError(`${what}: '${sym.name}' isn't a valid map reference`, 'ESRCH');
      init = { slot: 0, kind: 'map', name: sym.name };
    } else if (map.type === MapType.PROG_ARRAY) {
      const prog = functions.find((f) => !f.subprogram && f.name === sym.name);
      if (!prog) throw new ObjectError(`${what}: '${sym.name}' isn't a valid program reference`, 'ESRCH');
      if (prog.section.index !== sym.shndx || prog.offset !== sym.value) {
        throw new ObjectError(`${what}: '${sym.name}' isn't an entry-point program`);
      }
      init = { slot: 0, kind: 'program', name: sym.name };
    } else {
      throw new ObjectError(`${what}: map '${map.name}' is neither a map-in-map nor a program array`);
    }
    const values = loc.def.members[loc.def.members.length - 1];
    if (values?.name !== 'values') {
      throw new ObjectError(`${what}: the last member of map '${map.name}' is not 'values'`);
    }
    const into = entry.offset - loc.offset - values.bitOffset / 8;
    if (into < 0 || into % BPF_PTR_SIZE !== 0) {
      throw new ObjectError(`${what}: offset ${entry.offset} is not a slot of map '${map.name}' in ${sectionLabel(rel.section)}`);
    }
    const list = slots.get(map.name) ?? [];
    list.push({ ...init, slot: into / BPF_PTR_SIZE });
    slots.set(map.name, list);
  });
  return slots;
}
