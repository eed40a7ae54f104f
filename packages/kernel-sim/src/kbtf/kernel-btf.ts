/**
 * The simulated kernel's own BTF — bpfhive's /sys/kernel/btf/vmlinux: the types of
 * btf/vmlinux.c as clang encoded them (btf/build.sh). CO-RE relocations are resolved against
 * it, fentry/fexit and tp_btf programs take their argument types from it, and the kernel objects
 * (kernel-objects.ts) are laid out by it.
 *
 * The file is found relative to this module (`../../btf/vmlinux.btf` from src/kbtf and from
 * dist/kbtf alike), never relative to the working directory.
 */
import { readFileSync } from 'node:fs';
import { type BtfTypeKind, BtfError, type ParsedBtf, findBtfType, parseBtf } from '@bpfhive/uapi';

/** Where the kernel's BTF blob is. */
export const VMLINUX_BTF_URL = new URL('../../btf/vmlinux.btf', import.meta.url);

let bytes: Uint8Array | undefined;
let parsed: ParsedBtf | undefined;

/** The raw `.BTF` blob, as `cat /sys/kernel/btf/vmlinux` gives it (read once). */
export function kernelBtfBytes(): Uint8Array {
  bytes ??= new Uint8Array(readFileSync(VMLINUX_BTF_URL));
  return bytes;
}

/** The kernel's BTF, parsed and validated once. */
export function kernelBtf(): ParsedBtf {
  parsed ??= parseBtf(kernelBtfBytes());
  return parsed;
}

/**
 * The id of the kernel type named `name` (of kind `kind` when given, else the first of any
 * kind), as `btf__find_by_name_kind` answers; throws BtfError when the kernel has none.
 */
export function kernelTypeId(name: string, kind?: BtfTypeKind): number {
  const id = findBtfType(kernelBtf(), name, kind);
  if (id === undefined) throw new BtfError(`kernel BTF: no ${kind ? `${kind} ` : 'type '}named '${name}'`);
  return id;
}
