/**
 * The numbers of the BTF format (linux/btf.h, Documentation/bpf/btf.rst): kinds, integer
 * encodings, function and variable linkage, and the header magic.
 */

/** `BTF_MAGIC`: the first two bytes of `.BTF` and `.BTF.ext`, read in the file's byte order. */
export const BTF_MAGIC = 0xeb9f;
/** The only BTF version there is. */
export const BTF_VERSION = 1;

/** `BTF_KIND_*`: bits 24-28 of a type's `info`. */
export const BtfKind = {
  UNKN: 0,
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;
export type BtfKind = (typeof BtfKind)[keyof typeof BtfKind];
/** A kind's name as bpftool prints it: `INT`, `FUNC_PROTO`. */
export type BtfKindName = Exclude<keyof typeof BtfKind, 'UNKN'>;

/** The highest kind this reader knows. */
export const BTF_KIND_MAX = BtfKind.ENUM64;

const KIND_NAMES = Object.fromEntries(Object.entries(BtfKind).map(([name, value]) => [value, name])) as Record<
  number,
  BtfKindName | 'UNKN'
>;

/** The name of a kind number (`INT`), or `UNKNOWN` for a number no kind has. */
export function btfKindName(kind: number): BtfKindName | 'UNKNOWN' {
  const name = KIND_NAMES[kind];
  return name === undefined || name === 'UNKN' ? 'UNKNOWN' : name;
}

/** `BTF_INT_*`: bits 24-27 of an INT's extra word. At most one of them is set. */
export const BtfIntEncoding = {
  NONE: 0,
  SIGNED: 1,
  CHAR: 2,
  BOOL: 4,
} as const;
export type BtfIntEncoding = (typeof BtfIntEncoding)[keyof typeof BtfIntEncoding];

/** `enum btf_func_linkage`: the vlen of a FUNC. */
export const BtfFuncLinkage = {
  STATIC: 0,
  GLOBAL: 1,
  EXTERN: 2,
} as const;
export type BtfFuncLinkage = (typeof BtfFuncLinkage)[keyof typeof BtfFuncLinkage];

/** `BTF_VAR_*`: the linkage word of a VAR. */
export const BtfVarLinkage = {
  STATIC: 0,
  GLOBAL_ALLOCATED: 1,
  GLOBAL_EXTERN: 2,
} as const;
export type BtfVarLinkage = (typeof BtfVarLinkage)[keyof typeof BtfVarLinkage];

/** Largest vlen the 16-bit field holds. */
export const BTF_MAX_VLEN = 0xffff;
/** Largest type id (`BTF_MAX_TYPE`). */
export const BTF_MAX_TYPE = 0x000fffff;
/** Largest member bit offset with kflag set: 24 bits. */
export const BTF_MAX_BITFIELD_OFFSET = 0x00ffffff;
