/**
 * map_create's BTF (attr->btf_fd, btf_key_type_id, btf_value_type_id) as Linux checks it in
 * map_create and map_check_btf: the BTF object must exist (EBADF), and with a value type the key
 * and value types must have the map's sizes and the value's special fields (struct
 * bpf_spin_lock, struct bpf_timer, kptrs) must be ones the map type can hold (uapi's
 * mapBtfFieldsOf: EINVAL, EOPNOTSUPP, ENOENT). What is found goes into the spec's
 * `value_fields`: the map holds its BTF's verdict, as a Linux map holds its BTF, so no kernel
 * needs the object again to lease the map.
 *
 * The BTF objects live in a kernel (the kernel-sim's BtfTable); the maps-store reaches them
 * through a MapBtfPort: the service's fetches them over NATS for each map_create
 * (service/map-btf-fetch.ts), an in-process kernel gives its own table (kernel-sim
 * core/btf/map-btf.ts kernelMapBtfPort).
 */
import { BpfError, type Btf, type MapBtfFields, mapBtfFieldsOf } from '@bpfhive/uapi';
import type { MapSpec } from './spec.js';

/** Where map_create finds the BTF objects its btf_id names: the kernel holding them. */
export interface MapBtfPort {
  /**
   * BTF object `id` as the map_create caller may use it (Linux: the caller holds its fd), parsed;
   * undefined when the kernel has no such object. May throw the kernel's refusal (EPERM: the
   * caller may not name the object).
   */
  object(id: number): Btf | undefined;
  /** The kernel's own BTF (vmlinux, id 1), where kptr targets are found; undefined when there is none. */
  vmlinux(): Btf | undefined;
}

/**
 * The value fields of a map of `spec` from its BTF through `port`: undefined for a map without
 * type ids or with a key type only (then only the object's existence is checked, as Linux does).
 * BpfError: EBADF when btf_id names no object (or there is no port: nothing holds BTF objects),
 * and mapBtfFieldsOf's errors. `spec` has passed checkMapBtfIds.
 */
export function checkMapBtf(spec: MapSpec, port: MapBtfPort | undefined): MapBtfFields | undefined {
  const { btf_id = 0, btf_key_type_id = 0, btf_value_type_id = 0 } = spec;
  if (btf_key_type_id === 0 && btf_value_type_id === 0) return undefined;
  const name = `map create '${spec.map_name ?? ''}'`;
  if (!port) throw new BpfError('EBADF', `${name}: btf_id ${btf_id}: no kernel holding BTF objects is reachable from here`);
  const btf = port.object(btf_id);
  if (!btf) throw new BpfError('EBADF', `${name}: btf_id ${btf_id} names no BTF object; load one with btf_load and keep it open until the map is created`);
  if (btf_value_type_id === 0) return undefined;
  return mapBtfFieldsOf(btf, { ...spec, btf_value_type_id }, port.vmlinux(), name, `BTF ${btf_id}`);
}
