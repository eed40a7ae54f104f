import { BpfError, type CallerIdentity, mapCreateCapability, parseMapType, requireCapability } from '@bpfhive/uapi';

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

/**
 * The bpffs side of pins: a pin records the account that made it, and obj_get is allowed to that
 * account or with CAP_SYS_ADMIN, else EACCES — a pinned file is mode 0600, its maker's, and
 * opening another's is a permission error, which root overrides. A pin made by an unidentified
 * caller, or restored after a restart (owners are not stored), is CAP_SYS_ADMIN's.
 */
export class PinOwners {
  readonly #accounts = new Map<string, string>();

  record(path: string, who: CallerIdentity): void {
    if (who.account !== '') this.#accounts.set(path, who.account);
    else this.#accounts.delete(path);
  }

  checkGet(path: string, who: CallerIdentity): void {
    this.#check('obj_get', path, who);
  }

  /** Removing a pin (obj_unpin, unlink(2)) is allowed to whom obj_get is: the maker or CAP_SYS_ADMIN, else EACCES. */
  checkUnlink(path: string, who: CallerIdentity): void {
    this.#check('obj_unpin', path, who);
  }

  /** Whether `who` may see the pin at `path` in a listing (obj_list): the pins obj_get would open. */
  visible(path: string, who: CallerIdentity): boolean {
    return who.capabilities.has('CAP_SYS_ADMIN') || (who.account !== '' && this.#accounts.get(path) === who.account);
  }

  /** The pin at `path` is gone. */
  forget(path: string): void {
    this.#accounts.delete(path);
  }

  #check(action: string, path: string, who: CallerIdentity): void {
    if (this.visible(path, who)) return;
    const name = who.account === '' ? 'an unidentified caller' : `${who.account}${who.user ? `/${who.user}` : ''}`;
    throw new BpfError('EACCES', `${action}: ${path} was not pinned by ${name}; CAP_SYS_ADMIN required`);
  }
}
