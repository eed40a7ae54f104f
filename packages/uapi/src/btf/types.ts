/**
 * The BTF type model: one plain value per type, names resolved to strings, ids kept as
 * numbers. `Btf.types[id]` is the type with that id; `types[0]` is `void`.
 *
 * The model keeps what the encoding holds, nothing derived: sizes, offsets in bits, counts.
 * Helpers that derive (sizes of arrays, alignment, member lookup) are in query.ts.
 */
import type { BtfFuncLinkage, BtfKindName, BtfVarLinkage } from './kinds.js';
import type { BtfStrings } from './strings.js';

/** Type id 0: `void`, never encoded. */
export interface BtfVoid {
  readonly kind: 'VOID';
  readonly name: '';
}

/** An integer: `size` bytes, `bits` value bits starting `bitsOffset` bits in. */
export interface BtfInt {
  readonly kind: 'INT';
  readonly name: string;
  readonly size: number;
  /** BtfIntEncoding bits: SIGNED, CHAR or BOOL (or none). */
  readonly encoding: number;
  readonly bitsOffset: number;
  readonly bits: number;
}

/** PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG: a name (TYPEDEF, TYPE_TAG) and a target. */
export interface BtfRef {
  readonly kind: 'PTR' | 'TYPEDEF' | 'VOLATILE' | 'CONST' | 'RESTRICT' | 'TYPE_TAG';
  readonly name: string;
  readonly type: number;
}

export interface BtfArray {
  readonly kind: 'ARRAY';
  readonly name: string;
  readonly type: number;
  readonly indexType: number;
  readonly nelems: number;
}

export interface BtfMember {
  readonly name: string;
  readonly type: number;
  /** Offset of the member from the start of the struct, in bits. */
  readonly bitOffset: number;
  /** Width of a bitfield in bits; 0 for a plain member. Non-zero only with `kflag`. */
  readonly bitfieldSize: number;
}

/** STRUCT or UNION; `kflag` set means members carry bitfield sizes. */
export interface BtfComposite {
  readonly kind: 'STRUCT' | 'UNION';
  readonly name: string;
  readonly size: number;
  readonly kflag: boolean;
  readonly members: readonly BtfMember[];
}

export interface BtfEnum {
  readonly kind: 'ENUM';
  readonly name: string;
  /** 1, 2, 4 or 8 bytes. */
  readonly size: number;
  /** kflag: the values are signed. */
  readonly signed: boolean;
  readonly values: readonly { readonly name: string; readonly value: number }[];
}

export interface BtfEnum64 {
  readonly kind: 'ENUM64';
  readonly name: string;
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly { readonly name: string; readonly value: bigint }[];
}

/** A forward declaration of a struct (or, with `union`, a union). */
export interface BtfFwd {
  readonly kind: 'FWD';
  readonly name: string;
  readonly union: boolean;
}

export interface BtfFunc {
  readonly kind: 'FUNC';
  readonly name: string;
  /** The FUNC_PROTO. */
  readonly type: number;
  readonly linkage: BtfFuncLinkage;
}

export interface BtfParam {
  /** Empty for an unnamed parameter. */
  readonly name: string;
  /** 0 only for a last parameter meaning `...`. */
  readonly type: number;
}

export interface BtfFuncProto {
  readonly kind: 'FUNC_PROTO';
  readonly name: string;
  /** The return type; 0 for void. */
  readonly returnType: number;
  readonly params: readonly BtfParam[];
}

export interface BtfVar {
  readonly kind: 'VAR';
  readonly name: string;
  readonly type: number;
  readonly linkage: BtfVarLinkage;
}

export interface BtfVarSecinfo {
  /** A VAR (or, in `.ksyms`, a FUNC). */
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}

/** An ELF data section and the variables in it. */
export interface BtfDatasec {
  readonly kind: 'DATASEC';
  readonly name: string;
  readonly size: number;
  readonly vars: readonly BtfVarSecinfo[];
}

export interface BtfFloat {
  readonly kind: 'FLOAT';
  readonly name: string;
  readonly size: number;
}

/** An attribute on a type, a member or parameter (componentIdx ≥ 0), or the whole (-1). */
export interface BtfDeclTag {
  readonly kind: 'DECL_TAG';
  readonly name: string;
  readonly type: number;
  readonly componentIdx: number;
}

export type BtfType =
  | BtfVoid
  | BtfInt
  | BtfRef
  | BtfArray
  | BtfComposite
  | BtfEnum
  | BtfEnum64
  | BtfFwd
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag;

/** A type other than void: what the encoding holds. */
export type BtfEncodedType = Exclude<BtfType, BtfVoid>;

/** The kind of a type, `VOID` for id 0. */
export type BtfTypeKind = BtfType['kind'];

/** The model of kind `K`: `BtfTypeOf<'STRUCT'>` is BtfComposite, `BtfTypeOf<'PTR'>` BtfRef. */
export type BtfTypeOf<K extends BtfTypeKind> = BtfType extends infer T
  ? T extends { readonly kind: infer U }
    ? K extends U
      ? T
      : never
    : never
  : never;

/** Every kind name bpftool prints has a model above: `true` at compile time, or an error. */
export type BtfAllKindsModelled = Exclude<BtfKindName, BtfTypeKind> extends never ? true : never;

/**
 * A BTF blob, parsed: its types by id and its string table. Plain data: build one with
 * parseBtf or by hand, turn it into bytes with encodeBtf.
 */
export interface Btf {
  /** `types[id]`; `types[0]` is void. */
  readonly types: readonly BtfType[];
  /**
   * The string table the types were read from, kept so that offsets other sections hold
   * (.BTF.ext names files, lines and access strings by offset) still resolve, and so that
   * encoding again reproduces the same bytes. Absent for BTF built in memory.
   */
  readonly strings?: BtfStrings;
}

/** The void type, id 0. */
export const BTF_VOID: BtfVoid = { kind: 'VOID', name: '' };
