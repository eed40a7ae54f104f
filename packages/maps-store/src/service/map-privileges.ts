import { type CallerIdentity, mapCreateCapability, parseMapType, requireCapability } from '@bpfhive/uapi';

/** The bpffs side (EACCES for another's pin) lives with the directory, which stores it with its pins. */
export { PinOwners } from '../core/pin-owners.js';

/**
 * The maps-store's share of Linux's privilege checks (packages/uapi/src/wire/identity.ts), for a
 * caller the NATS server named: EPERM for a missing capability, EACCES for another's pin.
 */

/** map_create: mapCreateCapability of the type (none for array, hash, ringbuf…); an unknown type is left to create's EINVAL, as Linux checks the type first. */
export function checkMapCreate(who: CallerIdentity, mapType: number | string): void {
  const type = parseMapType(mapType);
  const needs = type === undefined ? null : mapCreateCapability(type);
  if (needs) requireCapability(who, needs, 'map_create');
}

