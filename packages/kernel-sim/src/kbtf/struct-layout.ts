/**
 * Where the fields of a struct lie, read from BTF: offsets and sizes of members, found by a C-like
 * path through embedded structs, anonymous structs and unions, and array elements —
 * `pid`, `d_name.name`, `__sk_common.skc_dport`, `numbers[0].nr`, `fd_array[3]`.
 *
 * This is what a CO-RE field relocation computes against the kernel's BTF; the kernel objects are
 * written by it, so a program that reads `BPF_CORE_READ(task, real_parent, tgid)` finds them.
 */
import {
  type Btf,
  BtfError,
  btfSizeOf,
  btfTypeLabel,
  findBtfMember,
  findBtfType,
  skipModsAndTypedefs,
} from '@bpfhive/uapi';
import { cTypeName } from './c-type.js';
import { kernelBtf } from './kernel-btf.js';

/** A field of a struct: where it is and what it holds. */
export interface FieldLocation {
  /** The path it was found by. */
  readonly path: string;
  /** Bytes from the start of the struct (for a bitfield, of the byte holding its first bit). */
  readonly offset: number;
  /** Bytes of the field's type (0 for a flexible array). */
  readonly size: number;
  /** Bits from the start of the struct. */
  readonly bitOffset: number;
  /** Width in bits of a bitfield; 0 for a whole field. */
  readonly bitfieldSize: number;
  /** The field's type id in the BTF. */
  readonly typeId: number;
  /** The field's type in C (`struct task_struct *`, `char[16]`). */
  readonly type: string;
}

export interface StructLayout {
  readonly name: string;
  /** The struct's type id. */
  readonly id: number;
  readonly size: number;
  /**
   * Every named member, those of anonymous structs and unions included, in declaration order;
   * the `__pad_N` fillers of btf/vmlinux.c are left out.
   */
  readonly fields: readonly FieldLocation[];
  /** The field at `path`; throws BtfError naming the struct and the path when there is none. */
  field(path: string): FieldLocation;
}

const PAD = /^__pad_\d+$/;
const cache = new WeakMap<Btf, Map<string, StructLayout>>();

/** The layout of struct (or union) `name` of the kernel's BTF. */
export function structLayout(name: string): StructLayout {
  return layoutOf(kernelBtf(), name);
}

/** The layout of struct (or union) `name` of `btf`; BtfError when `btf` has neither. */
export function layoutOf(btf: Btf, name: string): StructLayout {
  let layouts = cache.get(btf);
  if (!layouts) cache.set(btf, (layouts = new Map()));
  let layout = layouts.get(name);
  if (!layout) {
    const id = findBtfType(btf, name, 'STRUCT') ?? findBtfType(btf, name, 'UNION');
    if (id === undefined) throw new BtfError(`BTF: no struct or union named '${name}'`);
    layout = buildLayout(btf, name, id);
    layouts.set(name, layout);
  }
  return layout;
}

function buildLayout(btf: Btf, name: string, id: number): StructLayout {
  const size = btfSizeOf(btf, id);
  const fields: FieldLocation[] = [];
  const collect = (typeId: number, base: number): void => {
    const t = skipModsAndTypedefs(btf, typeId).type;
    if (t.kind !== 'STRUCT' && t.kind !== 'UNION') return;
    for (const m of t.members) {
      if (m.name === '') collect(m.type, base + m.bitOffset);
      else if (!PAD.test(m.name)) fields.push(location(btf, m.name, m.type, base + m.bitOffset, m.bitfieldSize));
    }
  };
  collect(id, 0);
  const byPath = new Map<string, FieldLocation>();
  return {
    name,
    id,
    size,
    fields,
    field(path: string): FieldLocation {
      let f = byPath.get(path);
      if (!f) byPath.set(path, (f = resolvePath(btf, name, id, path)));
      return f;
    },
  };
}

function location(btf: Btf, path: string, typeId: number, bitOffset: number, bitfieldSize: number): FieldLocation {
  return { path, offset: Math.floor(bitOffset / 8), size: btfSizeOf(btf, typeId), bitOffset, bitfieldSize, typeId, type: cTypeName(btf, typeId) };
}

const SEGMENT = /^([A-Za-z_]\w*)((?:\[\d+\])*)$/;

/** Walks `path` from struct `id`: members by name (through anonymous ones), then `[i]` elements. */
function resolvePath(btf: Btf, name: string, id: number, path: string): FieldLocation {
  const fail: (why: string) => never = (why) => {
    throw new BtfError(`BTF: struct ${name}: no field '${path}' (${why})`);
  };
  let typeId = id;
  let bitOffset = 0;
  let bitfieldSize = 0;
  for (const segment of path.split('.')) {
    const m = SEGMENT.exec(segment) ?? fail(`'${segment}' is not a member name with optional [index]`);
    const outer = skipModsAndTypedefs(btf, typeId).type;
    if (outer.kind !== 'STRUCT' && outer.kind !== 'UNION') fail(`${btfTypeLabel(btf, typeId)} has no members`);
    if (bitfieldSize !== 0) fail('a bitfield has no members');
    const member = findBtfMember(btf, typeId, m[1]!) ?? fail(`${btfTypeLabel(btf, skipModsAndTypedefs(btf, typeId).id)} has no member '${m[1]}'`);
    bitOffset += member.bitOffset;
    bitfieldSize = member.bitfieldSize;
    typeId = member.member.type;
    for (const index of (m[2] ?? '').match(/\d+/g) ?? []) {
      const arr = skipModsAndTypedefs(btf, typeId).type;
      if (arr.kind !== 'ARRAY') fail(`'${segment}' indexes a ${arr.kind}, not an array`);
      const i = Number(index);
      // A zero-length array is a flexible array member: any index past the struct's end.
      if (arr.nelems !== 0 && i >= arr.nelems) fail(`index ${i} is beyond ${arr.nelems} elements`);
      bitOffset += i * btfSizeOf(btf, arr.type) * 8;
      typeId = arr.type;
    }
  }
  return location(btf, path, typeId, bitOffset, bitfieldSize);
}
