/**
 * Names as CO-RE compares them (libbpf's relo_core.c and libbpf.c):
 *
 * - the *essential* name of a type, field or enumerator drops a trailing `___flavour`
 *   (`task_struct___v2` is a flavour of `task_struct`), so one object can describe several
 *   layouts of the same kernel type;
 * - kinds print as libbpf prints them in its messages (`struct`, `enum`, `typedef`).
 */
import type { BtfType } from '@bpfhive/uapi';

/**
 * libbpf's bpf_core_essential_name_len: the length of `name` up to its last flavour
 * separator, an `X___Y` where neither X nor Y is an underscore; the whole length when it
 * has none. `task_struct___2` → 11, `___x` → 4, `a____b` → 6.
 */
export function essentialNameLength(name: string): number {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name.startsWith('___', i + 1) && name[i + 4] !== '_') return i + 1;
  }
  return name.length;
}

/** The name without its flavour suffix: `sock___old` → `sock`. */
export const essentialName = (name: string): string => name.slice(0, essentialNameLength(name));

/** libbpf's bpf_core_names_match: both anonymous, or the same essential name. */
export function essentialNamesMatch(local: string, target: string): boolean {
  if (target === '') return local === '';
  return essentialName(local) === essentialName(target);
}

const KIND_STR: Readonly<Record<BtfType['kind'], string>> = {
  VOID: 'void',
  INT: 'int',
  PTR: 'ptr',
  ARRAY: 'array',
  STRUCT: 'struct',
  UNION: 'union',
  ENUM: 'enum',
  FWD: 'fwd',
  TYPEDEF: 'typedef',
  VOLATILE: 'volatile',
  CONST: 'const',
  RESTRICT: 'restrict',
  FUNC: 'func',
  FUNC_PROTO: 'func_proto',
  VAR: 'var',
  DATASEC: 'datasec',
  FLOAT: 'float',
  DECL_TAG: 'decl_tag',
  TYPE_TAG: 'type_tag',
  ENUM64: 'enum64',
};

/** libbpf's btf_kind_str: the kind as its messages spell it (`struct`, `func_proto`). */
export const kindStr = (t: BtfType): string => KIND_STR[t.kind];

/** `[12] struct task_struct`: a type as libbpf names it in messages (`<anon>` for no name). */
export const typeLabel = (id: number, t: BtfType): string => `[${id}] ${kindStr(t)} ${t.name === '' ? '<anon>' : t.name}`;
