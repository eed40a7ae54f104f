/**
 * A map's BTF as the verifier needs it: the value's special fields (struct bpf_spin_lock, struct
 * bpf_timer, kptrs), which map_create found (Linux's map_check_btf, kernel/bpf/syscall.c) and
 * keeps in the map's spec (MapSpec.value_fields, maps-store core/map-btf.ts). So a map needs no
 * BTF object to be leased: another kernel, or this one restarted, gets the fields with the lease.
 *
 * Fallback, for maps whose spec has type ids but no fields: pinned maps from snapshots taken
 * before map_create kept them (and the leases of such maps). Their fields are found here as
 * before, from this kernel's BtfTable (the object must still be alive the first time; what it
 * says is kept per map id, as ids are never reused). It goes once such snapshots are gone.
 *
 * kernelMapBtfPort: this kernel's BTF objects as a maps-store MapDirectory in this process (the
 * embedded mode, kernel-sim testing/harness.ts) checks them at map_create.
 */
import type { MapBtfPort, MapSpec } from '@bpfhive/maps-store';
import { BpfError, type Btf, type MapBtfFields, mapBtfFieldsOf } from '@bpfhive/uapi';
import type { BtfTable } from './table.js';

export type { MapBtfFields, MapKptrField } from '@bpfhive/uapi';

/**
 * The special fields of map `spec`'s value: the spec's own (found at map_create), else (an old
 * snapshot's spec) from its BTF object in `table`; undefined for a map without BTF. The
 * fallback's BpfErrors: EBADF when the BTF object is gone, and map_create's (uapi mapBtfFieldsOf).
 */
export function mapBtfFields(table: BtfTable, mapId: number, spec: MapSpec, vmlinux: Btf): MapBtfFields | undefined {
  if (spec.value_fields) return spec.value_fields;
  if (!spec.btf_value_type_id) return undefined;
  let known = resolved.get(table);
  if (!known) resolved.set(table, (known = new Map()));
  const cached = known.get(mapId);
  if (cached && cached.btfId === spec.btf_id && cached.valueTypeId === spec.btf_value_type_id) return cached.fields;
  const fields = checkMapBtf(table, spec, vmlinux);
  known.set(mapId, { btfId: spec.btf_id ?? 0, valueTypeId: spec.btf_value_type_id, fields });
  return fields;
}

/** What each kernel (by its BtfTable) found for each map id of an old snapshot. */
const resolved = new WeakMap<BtfTable, Map<number, { btfId: number; valueTypeId: number; fields: MapBtfFields }>>();

/** map_check_btf on the map's BTF object (uapi's mapBtfFieldsOf); EBADF when the object is gone. */
function checkMapBtf(table: BtfTable, spec: MapSpec, vmlinux: Btf): MapBtfFields {
  const name = `map '${spec.map_name ?? ''}'`;
  const object = table.find(spec.btf_id ?? 0);
  if (!object) throw new BpfError('EBADF', `${name}: btf_id ${spec.btf_id ?? 0} names no BTF object of this kernel`);
  return mapBtfFieldsOf(object.btf, { ...spec, btf_value_type_id: spec.btf_value_type_id ?? 0 }, vmlinux, name, `BTF ${object.id}`);
}

/**
 * The BTF objects of `table` as map_create in this process reads them: the embedded mode has no
 * identities (any object may be named), and the kernel's own BTF gives kptr targets.
 */
export function kernelMapBtfPort(table: () => BtfTable): MapBtfPort {
  return {
    object: (id) => table().find(id)?.btf,
    vmlinux: () => table().vmlinux.btf,
  };
}
