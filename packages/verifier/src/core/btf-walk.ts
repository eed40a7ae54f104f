/**
 * What a load through PTR_TO_BTF_ID reads (the kernel's btf_struct_walk and btf_struct_access,
 * kernel/bpf/btf.c): the access at `off`, `size` bytes, is located in the struct by its members,
 * through nested structs and unions, arrays (multi-dimensional ones as one run of elements) and
 * a trailing flexible array. A pointer member read whole gives a pointer to the struct it points
 * to; a pointer to anything else, and every other member, a scalar. Walking a union of more than
 * one member makes the pointers found untrusted. Refusals carry the kernel's log line.
 */
import { type Btf, type BtfComposite, type BtfType, skipModsAndTypedefs } from '@bpfhive/uapi';

export type BtfWalk =
  | { readonly kind: 'scalar' }
  /** A pointer member to struct `btfId`, named `field` in its struct; `untrusted` when walked through a union. */
  | { readonly kind: 'ptr'; readonly btfId: number; readonly field: string; readonly untrusted: boolean };

/** A refusal: the errno and the log line. */
export class BtfWalkError extends Error {
  constructor(readonly errno: 'EACCES' | 'EINVAL' | 'EFAULT', message: string) {
    super(message);
  }
}

const isComposite = (t: BtfType): t is BtfComposite => t.kind === 'STRUCT' || t.kind === 'UNION';

/** __btf_resolve_size: the member's size, and for an array its element (through every dimension). */
interface Resolved {
  /** The array itself, or the type under modifiers and typedefs. */
  readonly type: BtfType;
  /** That type's id (the member's own when nothing was skipped). */
  readonly id: number;
  readonly size: number;
  readonly nelems: number;
  readonly elem: BtfType;
  readonly elemId: number;
}

function resolveSize(btf: Btf, memberType: number, mname: string): Resolved {
  let id = memberType;
  let resolvedId = memberType;
  let nelems = 1;
  let array: BtfType | undefined;
  let arrayId = 0;
  let elemId = 0;
  for (let hops = 0; hops < 32; hops++) {
    const t = btf.types[id];
    if (!t) break;
    switch (t.kind) {
      case 'INT':
      case 'STRUCT':
      case 'UNION':
      case 'ENUM':
      case 'ENUM64':
      case 'FLOAT':
      case 'PTR': {
        const size = 'size' in t ? t.size : 8;
        return array ? { type: array, id: arrayId, size: nelems * size, nelems, elem: t, elemId } : { type: t, id: resolvedId, size, nelems: 1, elem: t, elemId: 0 };
      }
      case 'TYPEDEF':
      case 'VOLATILE':
      case 'CONST':
      case 'RESTRICT':
      case 'TYPE_TAG':
        id = t.type;
        resolvedId = id;
        break;
      case 'ARRAY':
        if (!array) {
          array = t;
          arrayId = id;
        }
        nelems *= t.nelems;
        elemId = t.type;
        id = t.type;
        break;
      default:
        throw new BtfWalkError('EFAULT', `field ${mname} doesn't have size`);
    }
  }
  throw new BtfWalkError('EFAULT', `field ${mname} doesn't have size`);
}

type Step = BtfWalk | { readonly kind: 'struct'; readonly btfId: number };

/** One pass of btf_struct_walk over struct `tid`; `flags.untrusted` collects unions walked through. */
function walkOnce(btf: Btf, tid: number, off: number, size: number, flags: { untrusted: boolean }): Step {
  let t: BtfType = skipModsAndTypedefs(btf, tid).type;
  for (;;) {
    const tname = t.name;
    if (!isComposite(t)) throw new BtfWalkError('EINVAL', `Type '${tname}' is not a struct`);
    const vlen = t.members.length;
    if (t.kind === 'UNION' && vlen !== 1) flags.untrusted = true;

    if (off + size > t.size) {
      // A trailing flexible array may be read past the struct's size, by elements.
      const last = t.members[vlen - 1];
      const arr = last && skipModsAndTypedefs(btf, last.type).type;
      const moff = last ? Math.floor(last.bitOffset / 8) : 0;
      if (!last || arr?.kind !== 'ARRAY' || arr.nelems !== 0 || off < moff) {
        throw new BtfWalkError('EACCES', `access beyond struct ${tname} at off ${off} size ${size}`);
      }
      const elem = skipModsAndTypedefs(btf, arr.type).type;
      if (elem.kind === 'INT') return { kind: 'scalar' };
      if (!isComposite(elem)) throw new BtfWalkError('EACCES', `access beyond struct ${tname} at off ${off} size ${size}`);
      off = (off - moff) % elem.size;
      t = elem;
      continue;
    }

    let next: BtfType | undefined;
    for (const m of t.members) {
      let moff = Math.floor(m.bitOffset / 8);
      if (off + size <= moff) break;
      if (m.bitfieldSize) {
        const endBit = m.bitOffset + m.bitfieldSize;
        if (off <= moff && Math.ceil(endBit / 8) <= off + size) return { kind: 'scalar' };
        continue;
      }
      // `off` points into a hole.
      if (off < moff) break;
      const r = resolveSize(btf, m.type, m.name);
      const mtrueEnd = moff + r.size;
      if (off >= mtrueEnd) continue;
      let mtype = r.type;
      let mid = r.id;
      let msize = r.size;
      if (mtype.kind === 'ARRAY') {
        if (moff === mtrueEnd) continue;
        msize = Math.floor(msize / r.nelems);
        moff += Math.floor((off - moff) / msize) * msize;
        mtype = r.elem;
        mid = r.elemId;
      }
      if (isComposite(mtype)) {
        if (off === moff) return { kind: 'struct', btfId: mid };
        off -= moff;
        next = mtype;
        break;
      }
      if (mtype.kind === 'PTR') {
        if (msize !== size || off !== moff) {
          throw new BtfWalkError('EACCES', `cannot access ptr member ${m.name} with moff ${moff} in struct ${tname} with off ${off} size ${size}`);
        }
        const target = skipModsAndTypedefs(btf, mtype.type);
        if (isComposite(target.type)) return { kind: 'ptr', btfId: target.id, field: m.name, untrusted: flags.untrusted };
        // A pointer to anything but a struct is a number here (Linux 6.17+ types it rdonly_untrusted_mem).
        return { kind: 'scalar' };
      }
      if (off + size > mtrueEnd && !flags.untrusted) {
        throw new BtfWalkError('EACCES', `access beyond the end of member ${m.name} (mend:${mtrueEnd}) in struct ${tname} with off ${off} size ${size}`);
      }
      return { kind: 'scalar' };
    }
    if (!next) throw new BtfWalkError('EINVAL', `struct ${tname} doesn't have field at offset ${off}`);
    t = next;
  }
}

/**
 * btf_struct_access for a kernel struct: what `size` bytes at `off` in struct `btfId` are.
 * Throws BtfWalkError with the kernel's message when the access is refused.
 */
export function btfStructAccess(btf: Btf, btfId: number, off: number, size: number): BtfWalk {
  const flags = { untrusted: false };
  let id = btfId;
  for (let depth = 0; depth < 64; depth++) {
    const step = walkOnce(btf, id, off, size, flags);
    if (step.kind !== 'struct') return step;
    // A nested struct starts exactly at `off`: continue in it, at its offset 0.
    id = step.btfId;
    off = 0;
  }
  throw new BtfWalkError('EINVAL', `struct nesting too deep at btf_id ${btfId}`);
}
