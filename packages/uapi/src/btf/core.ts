/**
 * CO-RE relocation records (`struct bpf_core_relo`, linux/bpf.h): which instruction to
 * patch, the root type in the program's own BTF, an access string and what to compute.
 * Applying them against a kernel's BTF is relo_core.c's job; here they are data.
 */
import { BtfError } from './errors.js';

/** `enum bpf_core_relo_kind`. */
export const CoreReloKind = {
  FIELD_BYTE_OFFSET: 0,
  FIELD_BYTE_SIZE: 1,
  FIELD_EXISTS: 2,
  FIELD_SIGNED: 3,
  FIELD_LSHIFT_U64: 4,
  FIELD_RSHIFT_U64: 5,
  TYPE_ID_LOCAL: 6,
  TYPE_ID_TARGET: 7,
  TYPE_EXISTS: 8,
  TYPE_SIZE: 9,
  ENUMVAL_EXISTS: 10,
  ENUMVAL_VALUE: 11,
  TYPE_MATCHES: 12,
} as const;
export type CoreReloKind = (typeof CoreReloKind)[keyof typeof CoreReloKind];

const KIND_NAMES = [
  'byte_off',
  'byte_sz',
  'field_exists',
  'signed',
  'lshift_u64',
  'rshift_u64',
  'local_type_id',
  'target_type_id',
  'type_exists',
  'type_size',
  'enumval_exists',
  'enumval_value',
  'type_matches',
] as const;

/** libbpf's name for a relocation kind (`byte_off`), or `unknown`. */
export function coreReloKindName(kind: number): string {
  return KIND_NAMES[kind] ?? 'unknown';
}

/** Field relocations: the access string walks members and array elements. */
export const isFieldReloKind = (kind: number): boolean => kind <= CoreReloKind.FIELD_RSHIFT_U64;
/** Type relocations: the access string is "0". */
export const isTypeReloKind = (kind: number): boolean =>
  kind === CoreReloKind.TYPE_ID_LOCAL ||
  kind === CoreReloKind.TYPE_ID_TARGET ||
  kind === CoreReloKind.TYPE_EXISTS ||
  kind === CoreReloKind.TYPE_SIZE ||
  kind === CoreReloKind.TYPE_MATCHES;
/** Enum value relocations: the access string is the index of the enumerator. */
export const isEnumvalReloKind = (kind: number): boolean =>
  kind === CoreReloKind.ENUMVAL_EXISTS || kind === CoreReloKind.ENUMVAL_VALUE;

/**
 * The indexes of an access string: "0:1:2" is [0, 1, 2] (the first indexes into an array of
 * the root type, each next one a member or element). Throws BtfError on anything else.
 */
export function parseAccessString(access: string): number[] {
  if (!/^\d+(:\d+)*$/.test(access)) throw new BtfError(`BTF.ext: malformed CO-RE access string '${access}'`);
  return access.split(':').map(Number);
}
