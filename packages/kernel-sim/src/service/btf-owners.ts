import type { CallerIdentity } from '@bpfhive/uapi';
import { VMLINUX_BTF_ID } from '../core/btf/table.js';
import { ObjectOwners } from './object-owners.js';

/**
 * Which account loaded each BTF object: ObjectOwners' rule (the loading account, else
 * CAP_SYS_ADMIN, as btf_get_fd_by_id needs in Linux), except that the kernel's BTF (id 1) is
 * everyone's to read, as /sys/kernel/btf/vmlinux is.
 */
export class BtfOwners extends ObjectOwners {
  constructor() {
    super('BTF object');
  }

  /** Throws EPERM for `action` on BTF object `id` unless `who` may; `readsKernelBtf`: a read, which id 1 allows anyone. */
  override check(id: number, who: CallerIdentity, action: string, readsKernelBtf = false): void {
    if (readsKernelBtf && id === VMLINUX_BTF_ID) return;
    super.check(id, who, action);
  }
}
