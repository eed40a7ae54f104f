/**
 * When a target type may stand for a local one (libbpf's relo_core.c): loosely for fields and
 * type relocations (`bpf_core_fields_are_compat`, `bpf_core_types_are_compat`), strictly for
 * TYPE_MATCHES (types-match.ts). Modifiers and typedefs are always looked through.
 */
import type { Btf, BtfType } from '@bpfhive/uapi';
import { CoreFailure } from './errors.js';
import { essentialName } from './names.js';
import { resolved, typeAt } from './spec.js';

/** How deep the comparisons recurse before giving up (libbpf's depth and level of 32). */
export const CORE_COMPAT_DEPTH = 32;

const isEnum = (t: BtfType): boolean => t.kind === 'ENUM' || t.kind === 'ENUM64';
const isComposite = (t: BtfType): boolean => t.kind === 'STRUCT' || t.kind === 'UNION';

/** libbpf's btf_kind_core_compat: the same kind, or both enums (ENUM and ENUM64 mix). */
export const kindCoreCompat = (a: BtfType, b: BtfType): boolean => a.kind === b.kind || (isEnum(a) && isEnum(b));

/** Integers with a bit offset are the deprecated bitfield encoding, compatible with nothing. */
const plainInt = (t: BtfType): boolean => t.kind === 'INT' && t.bitsOffset === 0;

/**
 * bpf_core_fields_are_compat: may a target member of type `targId` stand for a local member
 * of type `localId`? Any two structs or unions, any two pointers or floats, integers of any
 * size and signedness, enums and forward declarations of the same essential name (or one of
 * them anonymous), arrays of compatible elements; nothing else.
 */
export function fieldsAreCompat(local: Btf, localId: number, target: Btf, targId: number): boolean {
  for (let depth = 0; depth < CORE_COMPAT_DEPTH; depth++) {
    const l = resolved(local, localId).type;
    const t = resolved(target, targId).type;
    if (isComposite(l) && isComposite(t)) return true;
    if (!kindCoreCompat(l, t)) return false;
    switch (l.kind) {
      case 'PTR':
      case 'FLOAT':
        return true;
      case 'FWD':
      case 'ENUM':
      case 'ENUM64': {
        const ln = essentialName(l.name);
        const tn = essentialName(t.name);
        return ln === '' || tn === '' || ln === tn;
      }
      case 'INT':
        return plainInt(l) && plainInt(t);
      case 'ARRAY':
        localId = l.type;
        targId = (t as typeof l).type;
        break;
      default:
        return false;
    }
  }
  throw new CoreFailure('EINVAL', 'types nest too deeply to compare');
}

/**
 * bpf_core_types_are_compat (TYPE_EXISTS, TYPE_SIZE, TYPE_ID_TARGET): the caller matched the
 * names. Structs, unions, enums and forward declarations of a compatible kind are compatible
 * as they are; integers unless bitfield-like; pointers and arrays by what they point to or
 * hold; function prototypes by arity, parameter and return types.
 */
export function typesAreCompat(local: Btf, localId: number, target: Btf, targId: number, level = CORE_COMPAT_DEPTH): boolean {
  if (!kindCoreCompat(typeAt(local, localId), typeAt(target, targId))) return false;
  for (let depth = 0; depth < CORE_COMPAT_DEPTH; depth++) {
    const lr = resolved(local, localId);
    const tr = resolved(target, targId);
    const l = lr.type;
    const t = tr.type;
    if (!kindCoreCompat(l, t)) return false;
    switch (l.kind) {
      case 'VOID':
      case 'STRUCT':
      case 'UNION':
      case 'ENUM':
      case 'ENUM64':
      case 'FWD':
        return true;
      case 'INT':
        return plainInt(l) && plainInt(t);
      case 'PTR':
        localId = l.type;
        targId = (t as typeof l).type;
        break;
      case 'ARRAY':
        localId = l.type;
        targId = (t as typeof l).type;
        break;
      case 'FUNC_PROTO': {
        const tp = t as typeof l;
        if (l.params.length !== tp.params.length) return false;
        for (let i = 0; i < l.params.length; i++) {
          if (level <= 0) throw new CoreFailure('EINVAL', 'function prototypes nest too deeply to compare');
          const lp = resolved(local, l.params[i]!.type).id;
          const tpp = resolved(target, tp.params[i]!.type).id;
          if (!typesAreCompat(local, lp, target, tpp, level - 1)) return false;
        }
        localId = resolved(local, l.returnType).id;
        targId = resolved(target, tp.returnType).id;
        break;
      }
      default:
        return false;
    }
  }
  throw new CoreFailure('EINVAL', 'types nest too deeply to compare');
}
