/**
 * TYPE_MATCHES (libbpf's bpf_core_types_match): stricter than compatibility. Modifiers and
 * typedefs are skipped and the names must match (modulo flavour) at every step; then
 *
 * - integers match with the same size and signedness;
 * - pointers and arrays (of the same length) by what they point to or hold;
 * - structs and unions when every local member has a target member of the same name and a
 *   matching type — behind a pointer only the kinds are compared, and a struct or union
 *   there also matches a forward declaration of the same kind;
 * - enums (ENUM and ENUM64 alike) of the same size when every local enumerator name exists
 *   in the target, whatever its value;
 * - function prototypes with the same parameters and return type.
 */
import type { Btf, BtfComposite, BtfEnum, BtfEnum64, BtfType } from '@bpfhive/uapi';
import { CORE_COMPAT_DEPTH } from './compat.js';
import { CoreFailure } from './errors.js';
import { essentialNamesMatch } from './names.js';
import { resolved } from './spec.js';

/** Whether target type `targId` matches local type `localId`; CoreFailure EINVAL when nesting is too deep. */
export function typesMatch(local: Btf, localId: number, target: Btf, targId: number, behindPtr = false, level = CORE_COMPAT_DEPTH): boolean {
  if (level <= 0) throw new CoreFailure('EINVAL', 'types nest too deeply to match');
  for (let depth = 0; depth < CORE_COMPAT_DEPTH; depth++) {
    const lr = resolved(local, localId);
    const tr = resolved(target, targId);
    const l = lr.type;
    const t = tr.type;
    if (!essentialNamesMatch(l.name, t.name)) return false;
    switch (l.kind) {
      case 'VOID':
        return t.kind === 'VOID';
      case 'FWD':
        if (behindPtr && t.kind !== 'FWD') return (t.kind === 'STRUCT' && !l.union) || (t.kind === 'UNION' && l.union);
        return t.kind === 'FWD' && t.union === l.union;
      case 'ENUM':
      case 'ENUM64':
        return (t.kind === 'ENUM' || t.kind === 'ENUM64') && enumsMatch(l, t);
      case 'STRUCT':
      case 'UNION':
        if (behindPtr) {
          if (t.kind === l.kind) return true;
          return t.kind === 'FWD' && t.union === (l.kind === 'UNION');
        }
        return t.kind === l.kind && compositesMatch(local, l, target, t as BtfComposite, level);
      case 'INT':
        return t.kind === 'INT' && l.size === t.size && (l.encoding & 1) === (t.encoding & 1);
      case 'PTR':
        if (t.kind !== 'PTR') return false;
        behindPtr = true;
        localId = l.type;
        targId = t.type;
        break;
      case 'ARRAY':
        if (t.kind !== 'ARRAY' || l.nelems !== t.nelems) return false;
        localId = l.type;
        targId = t.type;
        break;
      case 'FUNC_PROTO': {
        if (t.kind !== 'FUNC_PROTO' || l.params.length !== t.params.length) return false;
        for (let i = 0; i < l.params.length; i++) {
          if (!typesMatch(local, l.params[i]!.type, target, t.params[i]!.type, behindPtr, level - 1)) return false;
        }
        localId = l.returnType;
        targId = t.returnType;
        break;
      }
      default:
        return false;
    }
  }
  throw new CoreFailure('EINVAL', 'types nest too deeply to match');
}

function enumsMatch(l: BtfEnum | BtfEnum64, t: BtfType): boolean {
  const te = t as BtfEnum | BtfEnum64;
  if (l.size !== te.size || l.values.length > te.values.length) return false;
  return l.values.every((lv) => te.values.some((tv) => essentialNamesMatch(lv.name, tv.name)));
}

function compositesMatch(local: Btf, l: BtfComposite, target: Btf, t: BtfComposite, level: number): boolean {
  if (l.members.length > t.members.length) return false;
  return l.members.every((lm) =>
    t.members.some((tm) => essentialNamesMatch(lm.name, tm.name) && typesMatch(local, lm.type, target, tm.type, false, level - 1)),
  );
}
