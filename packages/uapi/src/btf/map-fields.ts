/**
 * A map's BTF as the kernel checks it at BPF_MAP_CREATE (kernel/bpf/syscall.c map_check_btf,
 * btf.c btf_parse_fields): the key and value types must have the map's key_size and value_size,
 * and the value's special fields (struct bpf_spin_lock, struct bpf_timer, kptrs) are found by
 * walking the value type. Pure over parsed BTF: the kernel-sim runs it on a map's BTF object
 * (kernel-sim core/btf/map-btf.ts), `bpfhive verify` on the object's own BTF.
 */
import { BpfError } from '../errors.js';
import { MapType } from '../generated/enums.js';
import { btfSizeOf, btfTypeById, findBtfType, skipModifiers, skipModsAndTypedefs } from './query.js';
import type { Btf, BtfType } from './types.js';

/** A kptr field of a map value, as the verify request's `maps[].kptrs` carries it. */
export interface MapKptrField {
  off: number;
  kind: 'ref' | 'untrusted';
  /** The pointed-to STRUCT in the kernel BTF. */
  btf_id: number;
}

/** What the verifier learns from a map's BTF (verify request `maps[]` fields). */
export interface MapBtfFields {
  readonly btf: true;
  readonly spin_lock_off?: number;
  readonly timer_off?: number;
  readonly kptrs?: MapKptrField[];
}

/** The BPF_MAP_CREATE attributes map_check_btf looks at. */
export interface MapBtfAttr {
  readonly map_type: number;
  readonly key_size: number;
  readonly value_size: number;
  /** 0 or absent: no key type (maps whose key is not typed). */
  readonly btf_key_type_id?: number;
  readonly btf_value_type_id: number;
}

const SPIN_LOCK_TYPES = new Set<number>([
  MapType.HASH, MapType.ARRAY, MapType.CGROUP_STORAGE, MapType.SK_STORAGE, MapType.INODE_STORAGE, MapType.TASK_STORAGE, MapType.CGRP_STORAGE,
]);
const TIMER_TYPES = new Set<number>([MapType.HASH, MapType.LRU_HASH, MapType.ARRAY]);
const KPTR_TYPES = new Set<number>([
  MapType.HASH, MapType.PERCPU_HASH, MapType.LRU_HASH, MapType.LRU_PERCPU_HASH, MapType.ARRAY, MapType.PERCPU_ARRAY,
  MapType.SK_STORAGE, MapType.INODE_STORAGE, MapType.TASK_STORAGE, MapType.CGRP_STORAGE,
]);
/** Type tags that make a pointer member a kptr (btf_find_kptr). */
const KPTR_TAGS: Readonly<Record<string, MapKptrField['kind']>> = { kptr: 'ref', kptr_untrusted: 'untrusted' };

type Found = { spinLock: number[]; timer: number[]; kptrs: { off: number; kind: MapKptrField['kind']; struct: string }[] };

/**
 * The special fields of the value of a map created with `attr` over `btf`; `vmlinux` (the
 * kernel's BTF, undefined when there is none) gives kptr targets their ids. `name` (`map 'x'`)
 * and `btfName` (`BTF 3`) word the errors. BpfError: EINVAL for a type that is missing or whose
 * size differs from key_size / value_size, a misaligned or doubled field, a bad kptr tag;
 * EOPNOTSUPP for a field the map type cannot hold; ENOENT for a kptr to a struct the kernel does
 * not have.
 */
export function mapBtfFieldsOf(btf: Btf, attr: MapBtfAttr, vmlinux: Btf | undefined, name: string, btfName: string): MapBtfFields {
  const sizeOf = (id: number, what: string): number => {
    if (id <= 0 || id >= btf.types.length) throw new BpfError('EINVAL', `${name}: ${what} type id ${id} is not in ${btfName}`);
    try {
      return btfSizeOf(btf, id);
    } catch {
      throw new BpfError('EINVAL', `${name}: ${what} type id ${id} has no size`);
    }
  };
  const keyTypeId = attr.btf_key_type_id ?? 0;
  if (keyTypeId !== 0 && sizeOf(keyTypeId, 'key') !== attr.key_size) {
    throw new BpfError('EINVAL', `${name}: key type is ${sizeOf(keyTypeId, 'key')} bytes, key_size is ${attr.key_size}`);
  }
  const valueSize = sizeOf(attr.btf_value_type_id, 'value');
  if (valueSize !== attr.value_size) throw new BpfError('EINVAL', `${name}: value type is ${valueSize} bytes, value_size is ${attr.value_size}`);

  const found: Found = { spinLock: [], timer: [], kptrs: [] };
  findFields(btf, attr.btf_value_type_id, 0, found, name);
  if (found.spinLock.length > 1 || found.timer.length > 1) throw new BpfError('EINVAL', `${name}: the value may hold one bpf_spin_lock and one bpf_timer`);
  const [spinLock] = found.spinLock;
  const [timer] = found.timer;
  if (spinLock !== undefined) {
    if (spinLock % 4 !== 0) throw new BpfError('EINVAL', `${name}: bpf_spin_lock at offset ${spinLock} is not 4-byte aligned`);
    if (!SPIN_LOCK_TYPES.has(attr.map_type)) throw new BpfError('EOPNOTSUPP', `${name}: this map type cannot hold a bpf_spin_lock`);
  }
  if (timer !== undefined) {
    if (timer % 8 !== 0) throw new BpfError('EINVAL', `${name}: bpf_timer at offset ${timer} is not 8-byte aligned`);
    if (!TIMER_TYPES.has(attr.map_type)) throw new BpfError('EOPNOTSUPP', `${name}: only hash, lru_hash and array maps can hold a bpf_timer`);
  }
  const kptrs = found.kptrs.map(({ off, kind, struct }): MapKptrField => {
    if (off % 8 !== 0) throw new BpfError('EINVAL', `${name}: kptr at offset ${off} is not 8-byte aligned`);
    if (!KPTR_TYPES.has(attr.map_type)) throw new BpfError('EOPNOTSUPP', `${name}: this map type cannot hold kptrs`);
    const btfId = vmlinux ? findBtfType(vmlinux, struct, 'STRUCT') : undefined;
    if (btfId === undefined) throw new BpfError('ENOENT', `${name}: kptr at offset ${off} points to struct ${struct}, which the kernel does not have`);
    return { off, kind, btf_id: btfId };
  });
  return {
    btf: true,
    ...(spinLock !== undefined && { spin_lock_off: spinLock }),
    ...(timer !== undefined && { timer_off: timer }),
    ...(kptrs.length > 0 && { kptrs }),
  };
}

/**
 * Whether the value type `valueTypeId` of `btf` holds a kptr (so that mapBtfFieldsOf needs the
 * kernel's BTF for its target); false for a type id that is not in `btf` (mapBtfFieldsOf says why).
 * Throws mapBtfFieldsOf's EINVAL for a badly tagged pointer.
 */
export function mapValueHasKptrs(btf: Btf, valueTypeId: number): boolean {
  if (valueTypeId <= 0 || valueTypeId >= btf.types.length) return false;
  const found: Found = { spinLock: [], timer: [], kptrs: [] };
  findFields(btf, valueTypeId, 0, found, 'map');
  return found.kptrs.length > 0;
}

/** btf_find_field: the special fields in type `id` at byte offset `base`, nested structs and unions included. */
function findFields(btf: Btf, id: number, base: number, found: Found, name: string): void {
  const { type } = skipModsAndTypedefs(btf, id);
  if (type.kind !== 'STRUCT' && type.kind !== 'UNION') return;
  if (type.name === 'bpf_spin_lock') return void found.spinLock.push(base);
  if (type.name === 'bpf_timer') return void found.timer.push(base);
  for (const m of type.members) {
    const off = base + m.bitOffset / 8;
    const kptr = kptrOf(btf, m.type, name, off);
    if (kptr) found.kptrs.push({ off, ...kptr });
    else findFields(btf, m.type, off, found, name);
  }
}

/** btf_find_kptr: a member `struct T __kptr *` (PTR -> TYPE_TAG "kptr" -> STRUCT T), or undefined for any other member. */
function kptrOf(btf: Btf, id: number, name: string, off: number): { kind: MapKptrField['kind']; struct: string } | undefined {
  const ptr = skipModifiersKeepTags(btf, id);
  if (ptr.kind !== 'PTR') return undefined;
  const tag = btfTypeById(btf, ptr.type);
  if (tag.kind !== 'TYPE_TAG') return undefined;
  if (btfTypeById(btf, tag.type).kind === 'TYPE_TAG') throw new BpfError('EINVAL', `${name}: the pointer at offset ${off} has more than one type tag`);
  const kind = KPTR_TAGS[tag.name];
  if (!kind) throw new BpfError('EINVAL', `${name}: the pointer at offset ${off} has type tag '${tag.name}'; a kptr is tagged 'kptr' or 'kptr_untrusted'`);
  const target = skipModifiers(btf, tag.type).type;
  if (target.kind !== 'STRUCT') throw new BpfError('EINVAL', `${name}: the kptr at offset ${off} does not point to a struct`);
  return { kind, struct: target.name };
}

/** Skips const, volatile, restrict and typedefs but stops at a type tag (the member's own type). */
function skipModifiersKeepTags(btf: Btf, id: number): BtfType {
  let t = btfTypeById(btf, id);
  for (let hops = 0; hops < 64 && (t.kind === 'CONST' || t.kind === 'VOLATILE' || t.kind === 'RESTRICT' || t.kind === 'TYPEDEF'); hops++) t = btfTypeById(btf, t.type);
  return t;
}
