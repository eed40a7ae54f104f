/**
 * A map's BTF as the kernel checks it (kernel/bpf/syscall.c map_check_btf, btf.c btf_parse_fields):
 * the key and value types must have the map's key_size and value_size, and the value's special
 * fields (struct bpf_spin_lock, struct bpf_timer, kptrs) are found by walking the value type
 * (the walk itself is uapi's mapBtfFieldsOf, which `bpfhive verify` shares).
 *
 * Contract: the maps-store stores only the ids (it cannot read BTF objects, which live in this
 * kernel's BtfTable), so the check happens here when a program using the map is loaded and the
 * map is leased: a mismatch refuses that load with the errno map_create would have given. The
 * BTF object must be alive the first time (open by its client, or held by a program); what it
 * says is kept per map id (ids are never reused, a map's BTF never changes), so the map can be
 * leased again by this kernel after the object is gone (Linux: the map holds its BTF).
 */
import type { MapSpec } from '@bpfhive/maps-store';
import { BpfError, type Btf, type MapBtfFields, mapBtfFieldsOf } from '@bpfhive/uapi';
import type { BtfTable } from './table.js';

export type { MapBtfFields, MapKptrField } from '@bpfhive/uapi';

/**
 * The special fields of map `spec`'s value from its BTF (`table` holds the object), undefined
 * for a map without BTF. BpfError: EBADF when the BTF object is gone, EINVAL for a type that is
 * missing or whose size differs from key_size / value_size, a misaligned or doubled field, a bad
 * kptr tag; EOPNOTSUPP for a field the map type cannot hold; ENOENT for a kptr to a struct the
 * kernel does not have.
 */
export function mapBtfFields(table: BtfTable, mapId: number, spec: MapSpec, vmlinux: Btf): MapBtfFields | undefined {
  if (!spec.btf_value_type_id) return undefined;
  let known = resolved.get(table);
  if (!known) resolved.set(table, (known = new Map()));
  const cached = known.get(mapId);
  if (cached && cached.btfId === spec.btf_id && cached.valueTypeId === spec.btf_value_type_id) return cached.fields;
  const fields = checkMapBtf(table, spec, vmlinux);
  known.set(mapId, { btfId: spec.btf_id ?? 0, valueTypeId: spec.btf_value_type_id, fields });
  return fields;
}

/** What each kernel (by its BtfTable) found for each map id. */
const resolved = new WeakMap<BtfTable, Map<number, { btfId: number; valueTypeId: number; fields: MapBtfFields }>>();

/** map_check_btf on the map's BTF object (uapi's mapBtfFieldsOf); EBADF when the object is gone. */
function checkMapBtf(table: BtfTable, spec: MapSpec, vmlinux: Btf): MapBtfFields {
  const name = `map '${spec.map_name ?? ''}'`;
  const object = table.find(spec.btf_id ?? 0);
  if (!object) throw new BpfError('EBADF', `${name}: btf_id ${spec.btf_id ?? 0} names no BTF object of this kernel`);
  return mapBtfFieldsOf(object.btf, { ...spec, btf_value_type_id: spec.btf_value_type_id ?? 0 }, vmlinux, name, `BTF ${object.id}`);
}
