/**
 * KernelObjects that hands out stable, distinct addresses in the kernel's direct map
 * (0xffff888100000000 up, 1 KiB apart) without laying anything out: enough for programs that
 * pass pointers around or use them as map keys. The kernel-sim replaces it with real layouts.
 */
import type { KernelObject, KernelObjects } from '../ports.js';

export const DIRECT_MAP = 0xffff888100000000n;

export class OpaqueKernelObjects implements KernelObjects {
  readonly #addresses = new Map<string, bigint>();

  address(obj: KernelObject): bigint {
    return this.#at(identity(obj));
  }

  idleTask(cpu: number): bigint {
    return this.#at(`idle_task:${cpu}`);
  }

  #at(key: string): bigint {
    let a = this.#addresses.get(key);
    if (a === undefined) {
      a = DIRECT_MAP + BigInt(this.#addresses.size) * 0x400n;
      this.#addresses.set(key, a);
    }
    return a;
  }
}

/** What makes two objects the same: type and owner, and fd/path where they have one. */
function identity(obj: KernelObject): string {
  switch (obj.type) {
    case 'file':
    case 'loff_t':
    case 'sock':
      return `${obj.type}:${obj.pid}:${obj.fd}`;
    case 'linux_binprm':
    case 'filename':
      return `${obj.type}:${obj.pid}:${obj.path}`;
    default:
      return `${obj.type}:${obj.pid}`;
  }
}
