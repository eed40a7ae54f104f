import { BpfError, type ObjPinRequest } from '@bpfhive/uapi';
import type { PinRef } from '../core/pin-commands.js';

const FIELDS = [
  ['map_id', 'map'],
  ['prog_id', 'prog'],
  ['link_id', 'link'],
] as const;

/** The one object an obj_pin request names; EINVAL for none or several (bpf_attr has one bpf_fd). */
export function pinRefOf(r: ObjPinRequest): PinRef {
  const given = FIELDS.filter(([field]) => r[field] !== undefined);
  if (given.length !== 1) throw new BpfError('EINVAL', `obj_pin: give exactly one of map_id, prog_id, link_id (got ${given.length === 0 ? 'none' : given.map(([f]) => f).join(', ')})`);
  const [field, kind] = given[0]!;
  return { kind, id: r[field]! };
}
