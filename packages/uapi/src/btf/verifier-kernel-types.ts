/**
 * The kernel BTF types a verifier needs to walk kernel structs (btf_struct_access) for one
 * program: every type reachable from some roots (the attach function's arguments, the structs
 * the program can point to) through members, pointers, arrays, typedefs and modifiers, in the
 * verify request's `kernel_btf.types` shape. FUNC_PROTOs are kept without their parameters (a
 * function pointer is only ever read as a number), VARs, FUNCs and DATASECs are not followed.
 */
import type { VerifyRequest } from '../wire/schemas/verify.js';
import type { Btf, BtfType } from './types.js';

export type VerifierKernelType = NonNullable<NonNullable<VerifyRequest['kernel_btf']>['types']>[number];

function wireType(id: number, t: BtfType): VerifierKernelType {
  switch (t.kind) {
    case 'INT':
    case 'ENUM':
    case 'ENUM64':
    case 'FLOAT':
      return { id, kind: t.kind, name: t.name, size: t.size };
    case 'STRUCT':
    case 'UNION':
      return {
        id, kind: t.kind, name: t.name, size: t.size,
        members: t.members.map((m) => ({ name: m.name, type: m.type, bit_offset: m.bitOffset, ...(m.bitfieldSize && { bitfield_size: m.bitfieldSize }) })),
      };
    case 'PTR':
    case 'TYPEDEF':
    case 'VOLATILE':
    case 'CONST':
    case 'RESTRICT':
    case 'TYPE_TAG':
      return { id, kind: t.kind, name: t.name, type: t.type };
    case 'ARRAY':
      return { id, kind: t.kind, name: t.name, type: t.type, nelems: t.nelems };
    default:
      return { id, kind: t.kind, name: t.name };
  }
}

/** The types of `btf` reachable from `roots`, each once, in id order. */
export function kernelTypesFrom(btf: Btf, roots: Iterable<number>): VerifierKernelType[] {
  const seen = new Set<number>();
  const queue = [...roots];
  while (queue.length > 0) {
    const id = queue.pop()!;
    const t = btf.types[id];
    if (id <= 0 || !t || seen.has(id)) continue;
    seen.add(id);
    switch (t.kind) {
      case 'STRUCT':
      case 'UNION':
        for (const m of t.members) queue.push(m.type);
        break;
      case 'PTR':
      case 'TYPEDEF':
      case 'VOLATILE':
      case 'CONST':
      case 'RESTRICT':
      case 'TYPE_TAG':
      case 'ARRAY':
        queue.push(t.type);
        break;
      default:
        break;
    }
  }
  return [...seen].sort((a, b) => a - b).map((id) => wireType(id, btf.types[id]!));
}
