/**
 * Byte order. bpfhive's kernel is little-endian, and libbpf loads only objects of its host's
 * byte order: older releases refuse to open another ("elf: endianness mismatch"), newer ones open
 * it (to inspect it, or to generate a skeleton) but refuse to load it (bpf_object_load:
 * "loading non-native endianness is unsupported", LIBBPF_ERRNO__ENDIAN). readObject reads either
 * order; loading, and verifying as loading would, refuse a big-endian object here.
 */
import { BpfError } from '@bpfhive/uapi';
import type { ObjectSpec } from '../object/index.js';

/** Throws BpfError (EINVAL) naming the object when it is not little-endian. */
export function checkNativeEndian(spec: ObjectSpec): void {
  if (spec.endian === 'little') return;
  throw new BpfError(
    'EINVAL',
    `object '${spec.name}': loading non-native endianness is unsupported (the object is big-endian, clang -target bpfeb; bpfhive's kernel is little-endian: build with -target bpf)`,
  );
}
