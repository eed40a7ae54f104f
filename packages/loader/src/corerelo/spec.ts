/**
 * A CO-RE access spec (libbpf's struct bpf_core_spec): an access string resolved against a
 * BTF. The raw spec is the access string's indexes; the high-level spec keeps only the
 * turning points a reader would name — the first index (`&p[0]`), each named member and
 * each array element — skipping the anonymous structs and unions crossed on the way.
 *
 *   struct s { int x; struct { int y; int a[7]; }; };  &p->a[3]  is "0:1:1:3":
 *   raw [0, 1, 1, 3]; high-level [0] .a [3]; bit offset (4 + 4 + 3 * 4) * 8
 */
import {
  type Btf,
  type BtfComposite,
  type BtfType,
  btfSizeOf,
  btfTypeById,
  isEnumvalReloKind,
  isFieldReloKind,
  isTypeReloKind,
  skipModsAndTypedefs,
  coreReloKindName,
} from '@bpfhive/uapi';
import { CoreFailure } from './errors.js';
import { typeLabel } from './names.js';

/** One high-level step: a member of the composite `typeId`, or (no name) element `idx` of `typeId`s. */
export interface CoreAccessor {
  /** For a member: the struct or union (modifiers skipped); for an element: the element type. */
  readonly typeId: number;
  readonly idx: number;
  /** The member's (or, for enum value relocations, the enumerator's) name; undefined for an element. */
  readonly name?: string;
}

export interface CoreSpec {
  readonly btf: Btf;
  /** The type the relocation names (a candidate's id for a target spec). */
  readonly rootTypeId: number;
  /** CoreReloKind. */
  readonly kind: number;
  readonly spec: readonly CoreAccessor[];
  readonly raw: readonly number[];
  /** Offset of the accessed field or element from the start of the root, in bits. */
  readonly bitOffset: number;
}

/** libbpf's BPF_CORE_SPEC_MAX_LEN: the deepest access string it follows. */
export const CORE_SPEC_MAX_LEN = 64;

/** A spec being built, before it is handed out. */
export interface SpecBuilder {
  readonly btf: Btf;
  readonly rootTypeId: number;
  readonly kind: number;
  spec: CoreAccessor[];
  raw: number[];
  bitOffset: number;
}

/** The type `id` with modifiers and typedefs skipped; CoreFailure EINVAL for an id out of range. */
export function resolved(btf: Btf, id: number): { id: number; type: BtfType } {
  try {
    return skipModsAndTypedefs(btf, id);
  } catch (e) {
    throw new CoreFailure('EINVAL', (e as Error).message);
  }
}

/** libbpf's btf__resolve_size; CoreFailure EINVAL for a type without one. */
export function sizeOf(btf: Btf, id: number): number {
  try {
    return btfSizeOf(btf, id);
  } catch (e) {
    throw new CoreFailure('EINVAL', (e as Error).message);
  }
}

/** The type `id`; CoreFailure EINVAL when there is none. */
export function typeAt(btf: Btf, id: number): BtfType {
  try {
    return btfTypeById(btf, id);
  } catch (e) {
    throw new CoreFailure('EINVAL', (e as Error).message);
  }
}

/**
 * libbpf's is_flex_arr: an array of no elements that is the last member of its struct, which
 * any index may address. `prev` is the accessor of the member holding the array.
 */
export function isFlexArray(btf: Btf, prev: CoreAccessor | undefined, nelems: number): boolean {
  if (prev?.name === undefined || nelems > 0) return false;
  const t = typeAt(btf, prev.typeId) as BtfComposite;
  return prev.idx === t.members.length - 1;
}

/**
 * libbpf's bpf_core_parse_spec: the local spec of a relocation against the object's BTF.
 * Type relocations need the access string "0" and get an empty spec; enum value relocations
 * name one enumerator; field relocations walk members and elements. Throws CoreFailure
 * (EINVAL, E2BIG) for an access string that does not fit the types.
 */
export function parseCoreSpec(btf: Btf, rootTypeId: number, access: readonly number[], kind: number): CoreSpec {
  const b: SpecBuilder = { btf, rootTypeId, kind, spec: [], raw: [], bitOffset: 0 };
  if (isTypeReloKind(kind)) {
    if (access.length !== 1 || access[0] !== 0) throw new CoreFailure('EINVAL', `a type relocation needs access string "0"`);
    return b;
  }
  if (access.length === 0) throw new CoreFailure('EINVAL', 'empty access string');
  if (access.length > CORE_SPEC_MAX_LEN) throw new CoreFailure('E2BIG', `access string deeper than ${CORE_SPEC_MAX_LEN}`);
  b.raw = [...access];
  const first = access[0]!;
  let { id, type: t } = resolved(btf, rootTypeId);
  if (isEnumvalReloKind(kind)) {
    if ((t.kind !== 'ENUM' && t.kind !== 'ENUM64') || access.length > 1 || first >= t.values.length) {
      throw new CoreFailure('EINVAL', `enumerator #${first} of ${typeLabel(id, t)} does not exist`);
    }
    b.spec.push({ typeId: id, idx: first, name: t.values[first]!.name });
    return b;
  }
  if (!isFieldReloKind(kind)) throw new CoreFailure('EINVAL', `unknown relocation kind ${kind}`);
  b.spec.push({ typeId: id, idx: first });
  b.bitOffset = first * sizeOf(btf, id) * 8;
  for (let i = 1; i < access.length; i++) {
    ({ id, type: t } = resolved(btf, id));
    const idx = access[i]!;
    if (t.kind === 'STRUCT' || t.kind === 'UNION') {
      const m = t.members[idx];
      if (m === undefined) throw new CoreFailure('EINVAL', `${typeLabel(id, t)} has no member #${idx}`);
      b.bitOffset += m.bitOffset;
      if (m.name !== '') b.spec.push({ typeId: id, idx, name: m.name });
      id = m.type;
    } else if (t.kind === 'ARRAY') {
      const element = resolved(btf, t.type);
      const flex = isFlexArray(btf, b.spec[b.spec.length - 1], t.nelems);
      if (!flex && idx >= t.nelems) throw new CoreFailure('EINVAL', `index ${idx} is beyond ${typeLabel(id, t)} of ${t.nelems}`);
      id = element.id;
      b.spec.push({ typeId: id, idx });
      b.bitOffset += idx * sizeOf(btf, id) * 8;
    } else {
      throw new CoreFailure('EINVAL', `relo for [${rootTypeId}] ${access.join(':')} (at idx ${i}) captures type [${id}] of unexpected kind ${t.kind.toLowerCase()}`);
    }
  }
  return b;
}

/**
 * libbpf's bpf_core_format_spec, without the kind: `[12] struct task_struct.real_parent (0:4
 * @ offset 1280)`, `[7] enum task_state::TASK_RUNNING = 0`, `[12] struct task_struct`.
 */
export function formatCoreSpec(spec: CoreSpec): string {
  const root = typeAt(spec.btf, spec.rootTypeId);
  let out = typeLabel(spec.rootTypeId, root);
  if (isTypeReloKind(spec.kind)) return out;
  if (isEnumvalReloKind(spec.kind)) {
    const e = resolved(spec.btf, spec.rootTypeId).type;
    const v = e.kind === 'ENUM' || e.kind === 'ENUM64' ? e.values[spec.raw[0] ?? 0] : undefined;
    return v ? `${out}::${v.name} = ${v.value}` : out;
  }
  spec.spec.forEach((acc, i) => {
    if (acc.name !== undefined) out += `.${acc.name}`;
    else if (i > 0 || acc.idx > 0) out += `[${acc.idx}]`;
  });
  const bits = spec.bitOffset % 8;
  const at = bits === 0 ? `${Math.floor(spec.bitOffset / 8)}` : `${Math.floor(spec.bitOffset / 8)}.${bits}`;
  return `${out} (${spec.raw.join(':')} @ offset ${at})`;
}

/** `kind <byte_off> (0)`: a relocation kind as libbpf prints it. */
export const kindText = (kind: number): string => `kind <${coreReloKindName(kind)}> (${kind})`;
