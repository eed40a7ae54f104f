/**
 * Matching a local spec against one candidate target type (libbpf's bpf_core_spec_match):
 * the target spec when the candidate has everything the local spec names, undefined when it
 * does not (a field missing or incompatible, an index out of bounds, an enumerator absent).
 */
import { type Btf, CoreReloKind, isEnumvalReloKind, isTypeReloKind } from '@bpfhive/uapi';
import { fieldsAreCompat, typesAreCompat } from './compat.js';
import { CoreFailure } from './errors.js';
import { essentialName } from './names.js';
import { CORE_SPEC_MAX_LEN, type CoreAccessor, type CoreSpec, type SpecBuilder, isFlexArray, resolved, sizeOf, typeAt } from './spec.js';
import { typesMatch } from './types-match.js';

/**
 * The target spec of `local` in candidate `targId` of `target`, or undefined when the
 * candidate does not match. Type relocations match by compatibility (TYPE_MATCHES by the
 * stricter matching) and get an empty spec. Throws CoreFailure for malformed types.
 */
export function matchCoreSpec(local: CoreSpec, target: Btf, targId: number): CoreSpec | undefined {
  const b: SpecBuilder = { btf: target, rootTypeId: targId, kind: local.kind, spec: [], raw: [], bitOffset: 0 };
  if (isTypeReloKind(local.kind)) {
    const ok =
      local.kind === CoreReloKind.TYPE_MATCHES
        ? typesMatch(local.btf, local.rootTypeId, target, targId)
        : typesAreCompat(local.btf, local.rootTypeId, target, targId);
    return ok ? b : undefined;
  }
  if (isEnumvalReloKind(local.kind)) return matchEnumerator(local, b);
  let id = targId;
  for (let i = 0; i < local.spec.length; i++) {
    const acc = local.spec[i]!;
    const r = resolved(target, id);
    id = r.id;
    if (acc.name !== undefined) {
      const next = matchMember(local.btf, acc, b, id);
      if (next === undefined) return undefined;
      id = next;
      continue;
    }
    if (i > 0) {
      if (r.type.kind !== 'ARRAY') return undefined;
      const flex = isFlexArray(target, b.spec[b.spec.length - 1], r.type.nelems);
      if (!flex && acc.idx >= r.type.nelems) return undefined;
      id = resolved(target, r.type.type).id;
    }
    if (b.raw.length === CORE_SPEC_MAX_LEN) throw new CoreFailure('E2BIG', `access deeper than ${CORE_SPEC_MAX_LEN} in the target`);
    b.spec.push({ typeId: id, idx: acc.idx });
    b.raw.push(acc.idx);
    b.bitOffset += acc.idx * sizeOf(target, id) * 8;
  }
  return b;
}

/** ENUMVAL_*: the target enum (through typedefs) must have an enumerator of the same essential name. */
function matchEnumerator(local: CoreSpec, b: SpecBuilder): CoreSpec | undefined {
  const { id, type } = resolved(b.btf, b.rootTypeId);
  if (type.kind !== 'ENUM' && type.kind !== 'ENUM64') return undefined;
  const want = essentialName(local.spec[0]!.name ?? '');
  const idx = type.values.findIndex((v) => essentialName(v.name) === want);
  if (idx < 0) return undefined;
  b.spec.push({ typeId: id, idx, name: type.values[idx]!.name });
  b.raw.push(idx);
  return b;
}

/**
 * libbpf's bpf_core_match_member: finds the member `acc` names in the composite `targId`,
 * searching anonymous members depth-first, extending `b` with the raw indexes and offsets
 * crossed. Returns the member's type id, or undefined (with `b` as it was) when there is no
 * member of that name or its type is not compatible.
 */
function matchMember(localBtf: Btf, acc: CoreAccessor, b: SpecBuilder, targId: number): number | undefined {
  const { id, type } = resolved(b.btf, targId);
  if (type.kind !== 'STRUCT' && type.kind !== 'UNION') return undefined;
  const localStruct = typeAt(localBtf, acc.typeId);
  if (localStruct.kind !== 'STRUCT' && localStruct.kind !== 'UNION') throw new CoreFailure('EINVAL', `accessor type [${acc.typeId}] is not a struct or union`);
  const localMember = localStruct.members[acc.idx]!;
  for (let i = 0; i < type.members.length; i++) {
    const m = type.members[i]!;
    if (b.raw.length === CORE_SPEC_MAX_LEN) throw new CoreFailure('E2BIG', `access deeper than ${CORE_SPEC_MAX_LEN} in the target`);
    b.bitOffset += m.bitOffset;
    b.raw.push(i);
    if (m.name === '') {
      const found = matchMember(localBtf, acc, b, m.type);
      if (found !== undefined) return found;
    } else if (m.name === localMember.name) {
      if (!fieldsAreCompat(localBtf, localMember.type, b.btf, m.type)) {
        b.bitOffset -= m.bitOffset;
        b.raw.pop();
        return undefined;
      }
      b.spec.push({ typeId: id, idx: i, name: m.name });
      return m.type;
    }
    b.bitOffset -= m.bitOffset;
    b.raw.pop();
  }
  return undefined;
}
