/**
 * Questions about types that libbpf, the verifier and the kernel ask of BTF: what a type
 * is under its typedefs and qualifiers, its size and alignment, where a member lies, which
 * type has a name. All take the model and a type id; a bad id throws BtfError.
 */
import { BtfError } from './errors.js';
import type { Btf, BtfComposite, BtfMember, BtfType, BtfTypeKind, BtfTypeOf } from './types.js';
import { btfTypeLabel } from './validate.js';

/** Bytes in a pointer: BTF for BPF targets always has 8-byte pointers. */
export const BTF_POINTER_SIZE = 8;

/** The type with id `id`; throws BtfError when there is none. */
export function btfTypeById(btf: Btf, id: number): BtfType {
  const t = Number.isInteger(id) ? btf.types[id] : undefined;
  if (t === undefined) throw new BtfError(`BTF: type id ${id} is out of range (the last type is [${btf.types.length - 1}])`);
  return t;
}

/** The type with id `id`, which must be of kind `kind`; throws BtfError otherwise. */
export function btfTypeOfKind<K extends BtfTypeKind>(btf: Btf, id: number, kind: K): BtfTypeOf<K> {
  const t = btfTypeById(btf, id);
  if (t.kind !== kind) throw new BtfError(`BTF: ${btfTypeLabel(btf, id)} is not a ${kind}`);
  return t as BtfTypeOf<K>;
}

const isModifier = (t: BtfType): boolean =>
  t.kind === 'VOLATILE' || t.kind === 'CONST' || t.kind === 'RESTRICT' || t.kind === 'TYPE_TAG';

/** A type id and the type it names. */
export interface ResolvedType {
  readonly id: number;
  readonly type: BtfType;
}

function follow(btf: Btf, id: number, skip: (t: BtfType) => boolean): ResolvedType {
  let current = id;
  for (let hops = 0; hops <= btf.types.length; hops++) {
    const t = btfTypeById(btf, current);
    if (!skip(t)) return { id: current, type: t };
    current = (t as { type: number }).type;
  }
  throw new BtfError(`BTF: loop in type chain starting at ${btfTypeLabel(btf, id)}`);
}

/** Skips const, volatile, restrict and type tags: the type a qualified type qualifies. */
export function skipModifiers(btf: Btf, id: number): ResolvedType {
  return follow(btf, id, isModifier);
}

/** Skips qualifiers, type tags and typedefs (libbpf's skip_mods_and_typedefs). */
export function skipModsAndTypedefs(btf: Btf, id: number): ResolvedType {
  return follow(btf, id, (t) => isModifier(t) || t.kind === 'TYPEDEF');
}

/**
 * The size in bytes of a value of type `id` (libbpf's btf__resolve_size): through
 * typedefs, qualifiers and variables, arrays multiplied out, pointers 8 bytes. Throws
 * BtfError for types without a size (void, functions, forward declarations) and for sizes
 * beyond 32 bits.
 */
export function btfSizeOf(btf: Btf, id: number): number {
  let nelems = 1;
  let current = id;
  for (let hops = 0; hops <= btf.types.length; hops++) {
    const t = btfTypeById(btf, current);
    switch (t.kind) {
      case 'INT':
      case 'ENUM':
      case 'ENUM64':
      case 'STRUCT':
      case 'UNION':
      case 'DATASEC':
      case 'FLOAT':
        return checkedSize(btf, id, nelems * t.size);
      case 'PTR':
        return checkedSize(btf, id, nelems * BTF_POINTER_SIZE);
      case 'TYPEDEF':
      case 'VOLATILE':
      case 'CONST':
      case 'RESTRICT':
      case 'TYPE_TAG':
      case 'VAR':
        current = t.type;
        break;
      case 'ARRAY':
        nelems *= t.nelems;
        if (nelems > 0xffffffff) throw new BtfError(`BTF: ${btfTypeLabel(btf, id)}: the array size overflows 32 bits`);
        current = t.type;
        break;
      default:
        throw new BtfError(`BTF: ${btfTypeLabel(btf, id)} has no size (${btfTypeLabel(btf, current)})`);
    }
  }
  throw new BtfError(`BTF: loop in type chain starting at ${btfTypeLabel(btf, id)}`);
}

function checkedSize(btf: Btf, id: number, size: number): number {
  if (size > 0xffffffff) throw new BtfError(`BTF: ${btfTypeLabel(btf, id)}: size ${size} overflows 32 bits`);
  return size;
}

/**
 * The alignment in bytes of type `id` (libbpf's btf__align_of): scalars align to their size
 * up to 8, arrays to their element, structs and unions to their strictest member, or to 1
 * when a member sits at an offset its own alignment forbids (a packed struct).
 */
export function btfAlignOf(btf: Btf, id: number): number {
  const { type: t } = skipModsAndTypedefs(btf, id);
  switch (t.kind) {
    case 'INT':
    case 'ENUM':
    case 'ENUM64':
    case 'FLOAT':
      return Math.min(BTF_POINTER_SIZE, t.size);
    case 'PTR':
      return BTF_POINTER_SIZE;
    case 'ARRAY':
      return btfAlignOf(btf, t.type);
    case 'VAR':
      return btfAlignOf(btf, t.type);
    case 'STRUCT':
    case 'UNION': {
      let max = 1;
      for (const m of t.members) {
        const a = btfAlignOf(btf, m.type);
        if (m.bitfieldSize === 0 && m.bitOffset % (8 * a) !== 0) return 1;
        max = Math.max(max, a);
      }
      return t.size % max === 0 ? max : 1;
    }
    default:
      throw new BtfError(`BTF: ${btfTypeLabel(btf, id)} has no alignment`);
  }
}

/** A member found by name, with the offset from the start of the outermost struct. */
export interface MemberLocation {
  readonly member: BtfMember;
  /** Index among the members of the struct or union that holds it. */
  readonly index: number;
  /** Offset in bits from the start of the struct that was searched. */
  readonly bitOffset: number;
  /** Bitfield width in bits, 0 for a whole member. */
  readonly bitfieldSize: number;
}

/**
 * The member named `name` of the struct or union `id` (through typedefs and qualifiers),
 * searching anonymous struct and union members the way C does; undefined when there is none.
 */
export function findBtfMember(btf: Btf, id: number, name: string): MemberLocation | undefined {
  const { type } = skipModsAndTypedefs(btf, id);
  if (type.kind !== 'STRUCT' && type.kind !== 'UNION') {
    throw new BtfError(`BTF: ${btfTypeLabel(btf, id)} is not a struct or union`);
  }
  return searchMembers(btf, type, name, 0);
}

function searchMembers(btf: Btf, t: BtfComposite, name: string, base: number): MemberLocation | undefined {
  for (let index = 0; index < t.members.length; index++) {
    const m = t.members[index]!;
    if (m.name === name) return { member: m, index, bitOffset: base + m.bitOffset, bitfieldSize: m.bitfieldSize };
    if (m.name === '') {
      const inner = skipModsAndTypedefs(btf, m.type).type;
      if (inner.kind === 'STRUCT' || inner.kind === 'UNION') {
        const found = searchMembers(btf, inner, name, base + m.bitOffset);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/** The id of the first type named `name` (of kind `kind`, when given), or undefined. */
export function findBtfType(btf: Btf, name: string, kind?: BtfTypeKind): number | undefined {
  for (let id = 1; id < btf.types.length; id++) {
    const t = btf.types[id]!;
    if (t.name === name && (kind === undefined || t.kind === kind)) return id;
  }
  return undefined;
}

/** The ids of every type named `name` (of kind `kind`, when given), in id order. */
export function findBtfTypes(btf: Btf, name: string, kind?: BtfTypeKind): number[] {
  const out: number[] = [];
  for (let id = 1; id < btf.types.length; id++) {
    const t = btf.types[id]!;
    if (t.name === name && (kind === undefined || t.kind === kind)) out.push(id);
  }
  return out;
}
