/**
 * The checks the kernel makes on BTF before it accepts it (a useful subset of
 * kernel/bpf/btf.c): every type id in range, names where a kind needs one and none where it
 * must not have one, sizes a kind allows, FUNC pointing at a FUNC_PROTO, DECL_TAG components
 * that exist, and no loops in chains of types.
 */
import { BtfError } from './errors.js';
import type { Btf, BtfType } from './types.js';

/** `[7] STRUCT 'flow'`, `[2] PTR '(anon)'`: how messages name a type, as bpftool does. */
export function btfTypeLabel(btf: Pick<Btf, 'types'>, id: number): string {
  const t = btf.types[id];
  if (t === undefined) return `[${id}] <out of range>`;
  return t.kind === 'VOID' ? '[0] void' : `[${id}] ${t.kind} '${t.name === '' ? '(anon)' : t.name}'`;
}

/** Throws BtfError on the first rule `btf` breaks. */
export function validateBtf(btf: Btf): void {
  for (let id = 1; id < btf.types.length; id++) checkType(btf, id);
  checkLoops(btf);
}

function fail(btf: Btf, id: number, reason: string): never {
  throw new BtfError(`BTF: ${btfTypeLabel(btf, id)}: ${reason}`);
}

function checkRef(btf: Btf, id: number, ref: number, what: string, allowVoid = true): void {
  if (!Number.isInteger(ref) || ref < 0 || ref >= btf.types.length) {
    fail(btf, id, `${what} ${ref} is out of range (the last type is [${btf.types.length - 1}])`);
  }
  if (!allowVoid && ref === 0) fail(btf, id, `${what} must not be void`);
}

const INT_SIZES = new Set([1, 2, 4, 8, 16]);
const ENUM_SIZES = new Set([1, 2, 4, 8]);
const FLOAT_SIZES = new Set([2, 4, 8, 12, 16]);
const INT_ENCODINGS = new Set([0, 1, 2, 4]);

function checkType(btf: Btf, id: number): void {
  const t = btf.types[id] as BtfType;
  switch (t.kind) {
    case 'VOID':
      fail(btf, id, 'void is only type 0');
      break;
    case 'INT':
      if (!INT_SIZES.has(t.size)) fail(btf, id, `size ${t.size} is not 1, 2, 4, 8 or 16`);
      if (t.bits > 128) fail(btf, id, `nr_bits ${t.bits} exceeds 128`);
      if (t.bitsOffset + t.bits > t.size * 8) fail(btf, id, `bits_offset ${t.bitsOffset} + nr_bits ${t.bits} exceed ${t.size} bytes`);
      if (!INT_ENCODINGS.has(t.encoding)) fail(btf, id, `encoding 0x${t.encoding.toString(16)} is not one of SIGNED, CHAR, BOOL`);
      break;
    case 'PTR':
    case 'VOLATILE':
    case 'CONST':
    case 'RESTRICT':
      if (t.name !== '') fail(btf, id, `a ${t.kind} must not have a name`);
      checkRef(btf, id, t.type, 'type_id');
      break;
    case 'TYPEDEF':
    case 'TYPE_TAG':
      if (t.name === '') fail(btf, id, `a ${t.kind} needs a name`);
      checkRef(btf, id, t.type, 'type_id');
      break;
    case 'ARRAY':
      if (t.name !== '') fail(btf, id, 'an ARRAY must not have a name');
      checkRef(btf, id, t.type, 'element type_id', false);
      checkRef(btf, id, t.indexType, 'index_type_id', false);
      break;
    case 'STRUCT':
    case 'UNION':
      t.members.forEach((m, i) => {
        checkRef(btf, id, m.type, `member #${i} '${m.name}' type_id`, false);
        if (t.kind === 'UNION' && m.bitOffset !== 0) fail(btf, id, `member #${i} '${m.name}' of a union has bit offset ${m.bitOffset}`);
        if (m.bitOffset + m.bitfieldSize > t.size * 8) {
          fail(btf, id, `member #${i} '${m.name}' at bit ${m.bitOffset} lies beyond the ${t.size}-byte ${t.kind.toLowerCase()}`);
        }
        if (!t.kflag && m.bitfieldSize !== 0) fail(btf, id, `member #${i} '${m.name}' has a bitfield size without kind_flag`);
      });
      break;
    case 'ENUM':
    case 'ENUM64':
      if (!ENUM_SIZES.has(t.size)) fail(btf, id, `size ${t.size} is not 1, 2, 4 or 8`);
      t.values.forEach((v, i) => {
        if (v.name === '') fail(btf, id, `value #${i} has no name`);
      });
      break;
    case 'FWD':
      if (t.name === '') fail(btf, id, 'a FWD needs a name');
      break;
    case 'FUNC': {
      if (t.name === '') fail(btf, id, 'a FUNC needs a name');
      checkRef(btf, id, t.type, 'type_id', false);
      const proto = btf.types[t.type];
      if (proto?.kind !== 'FUNC_PROTO') fail(btf, id, `type_id ${t.type} is a ${proto?.kind}, not a FUNC_PROTO`);
      break;
    }
    case 'FUNC_PROTO':
      if (t.name !== '') fail(btf, id, 'a FUNC_PROTO must not have a name');
      checkRef(btf, id, t.returnType, 'ret_type_id');
      t.params.forEach((p, i) => {
        checkRef(btf, id, p.type, `param #${i} type_id`);
        if (p.type === 0 && i !== t.params.length - 1) fail(btf, id, `param #${i} is void but not the last (varargs)`);
      });
      break;
    case 'VAR':
      if (t.name === '') fail(btf, id, 'a VAR needs a name');
      checkRef(btf, id, t.type, 'type_id', false);
      break;
    case 'DATASEC':
      if (t.name === '') fail(btf, id, 'a DATASEC needs a name');
      t.vars.forEach((v, i) => {
        checkRef(btf, id, v.type, `var #${i} type_id`, false);
        const vt = btf.types[v.type];
        if (vt?.kind !== 'VAR' && vt?.kind !== 'FUNC') fail(btf, id, `var #${i} type_id ${v.type} is a ${vt?.kind}, not a VAR`);
        if (t.size !== 0 && v.offset + v.size > t.size) {
          fail(btf, id, `var #${i} [${v.offset}, ${v.offset + v.size}) lies beyond the section size ${t.size}`);
        }
      });
      break;
    case 'FLOAT':
      if (t.name === '') fail(btf, id, 'a FLOAT needs a name');
      if (!FLOAT_SIZES.has(t.size)) fail(btf, id, `size ${t.size} is not 2, 4, 8, 12 or 16`);
      break;
    case 'DECL_TAG': {
      if (t.name === '') fail(btf, id, 'a DECL_TAG needs a name');
      checkRef(btf, id, t.type, 'type_id', false);
      if (t.componentIdx < -1) fail(btf, id, `component_idx ${t.componentIdx} is below -1`);
      if (t.componentIdx === -1) break;
      const target = btf.types[t.type]!;
      const count =
        target.kind === 'STRUCT' || target.kind === 'UNION'
          ? target.members.length
          : target.kind === 'FUNC'
            ? paramCount(btf, target.type)
            : undefined;
      if (count === undefined) fail(btf, id, `component_idx ${t.componentIdx} on a ${target.kind}, which has no components`);
      if (t.componentIdx >= count) fail(btf, id, `component_idx ${t.componentIdx} is out of range (${count} components)`);
      break;
    }
  }
}

function paramCount(btf: Btf, protoId: number): number {
  const proto = btf.types[protoId];
  return proto?.kind === 'FUNC_PROTO' ? proto.params.length : 0;
}

/**
 * Two kinds of loop make a type impossible to resolve:
 *  - a chain of PTR, TYPEDEF, VOLATILE, CONST, RESTRICT and TYPE_TAG that comes back to
 *    itself before it reaches any other type;
 *  - a STRUCT, UNION or ARRAY that contains itself by value (not through a pointer).
 */
function checkLoops(btf: Btf): void {
  const refEdges = (t: BtfType): number[] =>
    t.kind === 'PTR' || t.kind === 'TYPEDEF' || t.kind === 'VOLATILE' || t.kind === 'CONST' || t.kind === 'RESTRICT' || t.kind === 'TYPE_TAG'
      ? [t.type]
      : [];
  const valueEdges = (t: BtfType): number[] => {
    switch (t.kind) {
      case 'TYPEDEF':
      case 'VOLATILE':
      case 'CONST':
      case 'RESTRICT':
      case 'TYPE_TAG':
      case 'ARRAY':
        return [t.type];
      case 'STRUCT':
      case 'UNION':
        return t.members.map((m) => m.type);
      default:
        return [];
    }
  };
  findCycle(btf, refEdges);
  findCycle(btf, valueEdges);
}

/** Iterative depth-first search; throws on the first cycle, naming its types in order. */
function findCycle(btf: Btf, edges: (t: BtfType) => number[]): void {
  const WHITE = 0;
  const GREY = 1;
  const BLACK = 2;
  const color = new Uint8Array(btf.types.length);
  for (let root = 1; root < btf.types.length; root++) {
    if (color[root] !== WHITE) continue;
    const stack: { id: number; next: number[] }[] = [{ id: root, next: edges(btf.types[root]!) }];
    color[root] = GREY;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const child = top.next.pop();
      if (child === undefined) {
        color[top.id] = BLACK;
        stack.pop();
        continue;
      }
      if (child === 0 || color[child] === BLACK) continue;
      if (color[child] === GREY) {
        const start = stack.findIndex((f) => f.id === child);
        const path = [...stack.slice(start).map((f) => f.id), child].map((id) => btfTypeLabel(btf, id));
        throw new BtfError(`BTF: loop in type chain: ${path.join(' -> ')}`);
      }
      color[child] = GREY;
      stack.push({ id: child, next: edges(btf.types[child]!) });
    }
  }
}
