import { BpfError, type CallerIdentity } from '@bpfhive/uapi';

/**
 * The bpffs side of pins: a pin records the account that made it, and obj_get is allowed to that
 * account or with CAP_SYS_ADMIN, else EACCES — a pinned file is mode 0600, its maker's, and
 * opening another's is a permission error, which root overrides. A pin made by an unidentified
 * caller, or restored from a snapshot older than pin owners, is CAP_SYS_ADMIN's. The directory
 * holds one (MapDirectory.pinOwners): snapshots of maps and records of program and link pins keep
 * the owners of their paths, so a restart keeps them.
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

  /** The account that made the pin at `path`; undefined for an unidentified maker or an unknown pin. */
  accountOf(path: string): string | undefined {
    return this.#accounts.get(path);
  }

  /** The makers of those of `paths` that have one, for a snapshot; undefined when none has. */
  ownersOf(paths: readonly string[]): Record<string, string> | undefined {
    const owners = paths.flatMap((p) => (this.#accounts.has(p) ? [[p, this.#accounts.get(p)!] as const] : []));
    return owners.length > 0 ? Object.fromEntries(owners) : undefined;
  }

  /** Brings back the makers a snapshot kept (path → account). */
  restore(owners: Readonly<Record<string, string>> | undefined): void {
    for (const [path, account] of Object.entries(owners ?? {})) if (account !== '') this.#accounts.set(path, account);
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
