/**
 * BTF-defined maps (libbpf's parse_btf_map_def): each VAR of the `.maps` DATASEC is a map,
 * its struct type the definition. Integer attributes are encoded as pointers to arrays whose
 * length is the value (`__uint(max_entries, 16)` is `int (*max_entries)[16]`); `key` and
 * `value` are pointers to the key and value types; `values` (last) is a zero-length array of
 * pointers to the inner map definition or to a function prototype (program arrays).
 */
import {
  type Btf,
  type BtfComposite,
  type BtfMember,
  BtfVarLinkage,
  MapType,
  btfSizeOf,
  btfTypeLabel,
  skipModsAndTypedefs,
} from '@bpfhive/uapi';
import { ObjectError } from './errors.js';
import { MapPinning, type MapSpec } from './types.js';

/** Options that shape map specs as libbpf's open options do. */
export interface MapOptions {
  /** Page size for rounding ring buffer sizes. Default 4096. */
  readonly pageSize: number;
  /** Directory of maps pinned by name. Default /sys/fs/bpf. */
  readonly pinRoot: string;
}

/** A map definition as read from BTF, before it becomes a MapSpec. */
interface MapDef {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  numaNode: number;
  mapExtra: number;
  pinning: number;
  keyTypeId: number;
  valueTypeId: number;
  inner: MapDef | undefined;
}

/** A BTF map and where its definition lies in `.maps`. */
export interface BtfMapLocation {
  readonly spec: MapSpec;
  readonly offset: number;
  readonly size: number;
  /** The definition struct (for `.rel.maps`: the `values` member). */
  readonly def: BtfComposite;
}

/**
 * The maps of the `.maps` section, in offset order. `btf` is the fixed-up BTF (DATASEC
 * offsets filled in); `sectionSize` the ELF section's size.
 */
export function readBtfMaps(btf: Btf, sectionSize: number, options: MapOptions): BtfMapLocation[] {
  const sec = btf.types.find((t) => t.kind === 'DATASEC' && t.name === '.maps');
  if (sec?.kind !== 'DATASEC') throw new ObjectError("BTF has no DATASEC '.maps' describing the map definitions", 'ENOENT');
  return sec.vars.map((vi, i) => {
    const v = btf.types[vi.type];
    if (v?.kind !== 'VAR') throw new ObjectError(`map #${i}: unexpected ${btfTypeLabel(btf, vi.type)} in DATASEC '.maps'`);
    const name = v.name;
    if (name === '') throw new ObjectError(`map #${i}: empty name`);
    if (vi.offset + vi.size > sectionSize) throw new ObjectError(`map '${name}': BTF data is corrupted: [${vi.offset}, ${vi.offset + vi.size}) lies beyond .maps`);
    if (v.linkage !== BtfVarLinkage.GLOBAL_ALLOCATED) {
      throw new ObjectError(`map '${name}': unsupported map linkage ${v.linkage === BtfVarLinkage.STATIC ? 'static' : 'extern'}`, 'ENOTSUP');
    }
    const def = skipModsAndTypedefs(btf, v.type).type;
    if (def.kind !== 'STRUCT') throw new ObjectError(`map '${name}': unexpected def kind ${def.kind}`);
    if (def.size > vi.size) throw new ObjectError(`map '${name}': invalid def size ${def.size} > ${vi.size}`);
    const parsed = parseMapDef(btf, name, def, false);
    return { spec: toMapSpec(name, parsed, options), offset: vi.offset, size: vi.size, def };
  });
}

function emptyDef(): MapDef {
  return { type: 0, keySize: 0, valueSize: 0, maxEntries: 0, flags: 0, numaNode: 0, mapExtra: 0, pinning: 0, keyTypeId: 0, valueTypeId: 0, inner: undefined };
}

/** `int (*name)[N]` → N. */
function intField(btf: Btf, map: string, m: BtfMember): number {
  const ptr = skipModsAndTypedefs(btf, m.type).type;
  if (ptr.kind !== 'PTR') throw new ObjectError(`map '${map}': attr '${m.name}': expected PTR, got ${ptr.kind}`);
  const arr = btf.types[ptr.type];
  if (arr?.kind !== 'ARRAY') throw new ObjectError(`map '${map}': attr '${m.name}': expected ARRAY, got ${arr?.kind ?? 'nothing'}`);
  return arr.nelems;
}

/** `T *name` → [sizeof(T), id of T]. */
function typeField(btf: Btf, map: string, m: BtfMember): [number, number] {
  const ptr = btf.types[m.type];
  if (ptr?.kind !== 'PTR') throw new ObjectError(`map '${map}': ${m.name} spec is not PTR: ${ptr?.kind ?? 'nothing'}`);
  return [btfSizeOf(btf, ptr.type), ptr.type];
}

function setSize(map: string, what: 'key' | 'value', current: number, next: number): number {
  if (current !== 0 && current !== next) throw new ObjectError(`map '${map}': conflicting ${what} size ${current} != ${next}`);
  return next;
}

const isMapInMap = (type: number): boolean => type === MapType.ARRAY_OF_MAPS || type === MapType.HASH_OF_MAPS;

function parseMapDef(btf: Btf, map: string, def: BtfComposite, inner: boolean): MapDef {
  const d = emptyDef();
  def.members.forEach((m, i) => {
    switch (m.name) {
      case 'type':
        d.type = intField(btf, map, m);
        break;
      case 'max_entries':
        d.maxEntries = intField(btf, map, m);
        break;
      case 'map_flags':
        d.flags = intField(btf, map, m);
        break;
      case 'numa_node':
        d.numaNode = intField(btf, map, m);
        break;
      case 'map_extra':
        d.mapExtra = intField(btf, map, m);
        break;
      case 'key_size':
        d.keySize = setSize(map, 'key', d.keySize, intField(btf, map, m));
        break;
      case 'value_size':
        d.valueSize = setSize(map, 'value', d.valueSize, intField(btf, map, m));
        break;
      case 'key': {
        const [size, id] = typeField(btf, map, m);
        d.keySize = setSize(map, 'key', d.keySize, size);
        d.keyTypeId = id;
        break;
      }
      case 'value': {
        const [size, id] = typeField(btf, map, m);
        d.valueSize = setSize(map, 'value', d.valueSize, size);
        d.valueTypeId = id;
        break;
      }
      case 'values':
        if (inner) throw new ObjectError(`map '${map}': multi-level inner maps not supported`, 'ENOTSUP');
        if (i !== def.members.length - 1) throw new ObjectError(`map '${map}': 'values' member should be last`);
        d.valueSize = setSize(map, 'value', d.valueSize, 4);
        d.inner = parseValues(btf, map, d.type, m);
        break;
      case 'pinning': {
        if (inner) throw new ObjectError(`map '${map}': inner def can't be pinned`);
        const pinning = intField(btf, map, m);
        if (pinning !== MapPinning.NONE && pinning !== MapPinning.BY_NAME) throw new ObjectError(`map '${map}': invalid pinning value ${pinning}`);
        d.pinning = pinning;
        break;
      }
      default:
        throw new ObjectError(`map '${map}': unknown field '${m.name}'`, 'ENOTSUP');
    }
  });
  if (d.type === MapType.UNSPEC) throw new ObjectError(`map '${map}': map type isn't specified`);
  return d;
}

/** The `values` member: the inner map definition of a map-in-map, nothing for a program array. */
function parseValues(btf: Btf, map: string, type: number, m: BtfMember): MapDef | undefined {
  const progArray = type === MapType.PROG_ARRAY;
  if (!isMapInMap(type) && !progArray) throw new ObjectError(`map '${map}': should be map-in-map or prog-array`, 'ENOTSUP');
  const desc = progArray ? 'prog-array value' : 'map-in-map inner';
  const arr = btf.types[m.type];
  if (arr?.kind !== 'ARRAY' || arr.nelems !== 0) throw new ObjectError(`map '${map}': ${desc} spec is not a zero-sized array`);
  const ptr = skipModsAndTypedefs(btf, arr.type).type;
  if (ptr.kind !== 'PTR') throw new ObjectError(`map '${map}': ${desc} def is of unexpected kind ${ptr.kind}`);
  const target = skipModsAndTypedefs(btf, ptr.type).type;
  if (progArray) {
    if (target.kind !== 'FUNC_PROTO') throw new ObjectError(`map '${map}': prog-array value def is of unexpected kind ${target.kind}`);
    return undefined;
  }
  if (target.kind !== 'STRUCT') throw new ObjectError(`map '${map}': map-in-map inner def is of unexpected kind ${target.kind}`);
  return parseMapDef(btf, `${map}.inner`, target, true);
}

/** libbpf's adjust_ringbuf_sz: ring buffer sizes become a power-of-two number of pages. */
export function ringbufSize(size: number, pageSize: number): number {
  if (size === 0) return 0;
  if (size % pageSize === 0 && isPowerOfTwo(size / pageSize)) return size;
  for (let mul = 1; mul * pageSize <= 0xffffffff; mul *= 2) if (mul * pageSize > size) return mul * pageSize;
  return size;
}

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

function toMapSpec(name: string, d: MapDef, options: MapOptions): MapSpec {
  const ring = d.type === MapType.RINGBUF || d.type === MapType.USER_RINGBUF;
  return {
    name,
    sectionName: '.maps',
    origin: 'btf',
    type: d.type,
    keySize: d.keySize,
    valueSize: d.valueSize,
    maxEntries: ring ? ringbufSize(d.maxEntries, options.pageSize) : d.maxEntries,
    flags: d.flags,
    numaNode: d.numaNode,
    mapExtra: d.mapExtra,
    pinning: d.pinning,
    pinPath: d.pinning === MapPinning.BY_NAME ? `${options.pinRoot}/${name}` : undefined,
    btfKeyTypeId: d.keyTypeId,
    btfValueTypeId: d.valueTypeId,
    innerMap: d.inner ? toMapSpec(`${name}.inner`, d.inner, options) : undefined,
    initialSlots: [],
    contents: undefined,
    freeze: false,
  };
}
