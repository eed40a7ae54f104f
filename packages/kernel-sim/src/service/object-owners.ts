import { BpfError, type CallerIdentity } from '@bpfhive/uapi';

/**
 * Which account made each object of one kind (programs; the same rule fits links and BTF
 * objects), for the privilege model of packages/uapi/src/wire/identity.ts: an id is not a file
 * descriptor, so a command on an object by id is allowed to the account that made it (or got it
 * from a pin with obj_get, as an fd from BPF_OBJ_GET allows) and otherwise needs CAP_SYS_ADMIN (what bpf_*_get_fd_by_id needs in Linux). An object with no
 * recorded account (made by an unidentified caller, or closed by its maker) is CAP_SYS_ADMIN's
 * alone; so is an id that names nothing, so the answer does not tell others which ids exist.
 */
export class ObjectOwners {
  readonly #accounts = new Map<number, Set<string>>();

  /** `kind` names the objects in messages: "program". */
  constructor(private readonly kind: string) {}

  /** `who` made object `id`. */
  record(id: number, who: CallerIdentity): void {
    if (who.account !== '') this.#accounts.set(id, new Set([who.account]));
  }

  /** `who` got object `id` from a pin (obj_get): it may use it as its maker may. */
  grant(id: number, who: CallerIdentity): void {
    if (who.account !== '') this.#accounts.set(id, (this.#accounts.get(id) ?? new Set()).add(who.account));
  }

  /** Throws EPERM for `action` on object `id` unless `who` made it or has CAP_SYS_ADMIN. */
  check(id: number, who: CallerIdentity, action: string): void {
    if (who.capabilities.has('CAP_SYS_ADMIN')) return;
    if (who.account !== '' && this.#accounts.get(id)?.has(who.account)) return;
    const name = who.account === '' ? 'an unidentified caller' : `${who.account}${who.user ? `/${who.user}` : ''}`;
    throw new BpfError('EPERM', `${action}: ${this.kind} ${id} was not made by ${name}; CAP_SYS_ADMIN required`);
  }

  /** The maker's handle is gone (close): from now on the object is CAP_SYS_ADMIN's alone, until an obj_get grants it again. */
  forget(id: number): void {
    this.#accounts.delete(id);
  }
}
