import { BpfError, type CallerIdentity } from '@bpfhive/uapi';
import { VMLINUX_BTF_ID } from '../core/btf/table.js';

/**
 * Which account loaded each BTF object, for the privilege model of uapi's wire/identity.ts: a
 * command on an object by id (btf.<id>.info, .close) is allowed to the account that loaded it and
 * otherwise needs CAP_SYS_ADMIN (what btf_get_fd_by_id needs in Linux). The kernel's BTF (id 1) is
 * everyone's to read, as /sys/kernel/btf/vmlinux is. An object with no recorded account, or an
 * id naming none, is CAP_SYS_ADMIN's alone, so the answer does not tell others which ids exist.
 */
export class BtfOwners {
  readonly #accounts = new Map<number, string>();

  /** `who` loaded BTF object `id`. */
  record(id: number, who: CallerIdentity): void {
    if (who.account !== '') this.#accounts.set(id, who.account);
  }

  /** Throws EPERM for `action` on BTF object `id` unless `who` may: see the class comment. */
  check(id: number, who: CallerIdentity, action: string, readsKernelBtf = false): void {
    if (who.capabilities.has('CAP_SYS_ADMIN') || (readsKernelBtf && id === VMLINUX_BTF_ID)) return;
    if (who.account !== '' && this.#accounts.get(id) === who.account) return;
    const name = who.account === '' ? 'an unidentified caller' : `${who.account}${who.user ? `/${who.user}` : ''}`;
    throw new BpfError('EPERM', `${action}: BTF object ${id} was not loaded by ${name}; CAP_SYS_ADMIN required`);
  }

  /** The loader's handle is gone (close): from now on the object is CAP_SYS_ADMIN's alone. */
  forget(id: number): void {
    this.#accounts.delete(id);
  }
}
