import { BtfTable } from './table.js';

const tables = new WeakMap<object, BtfTable>();

/**
 * The BTF table of `kernel` (a Kernel), made on first use: the one the kernel-sim service's BTF
 * endpoints and the kernel's BPF_PROG_LOAD (prog_btf_id) share, so that an id means the same
 * object to both. Keyed by the kernel object, so each kernel in a process has its own.
 */
export function btfTableOf(kernel: object): BtfTable {
  let table = tables.get(kernel);
  if (table === undefined) {
    table = new BtfTable();
    tables.set(kernel, table);
  }
  return table;
}
