/**
 * The C spelling of a BTF type, as a declaration would write it without a name:
 * `const struct pt_regs *`, `char[16]`, `loff_t *`, `void (*)(void *, bool)`. Typedef names are
 * kept (`pid_t`, not `int`), integers have the names clang gives them (`long`, `unsigned int`).
 */
import { type Btf, btfTypeById } from '@bpfhive/uapi';

/** `btf`'s type `id` in C; throws BtfError for an id out of range. */
export function cTypeName(btf: Btf, id: number): string {
  return declarator(btf, id, '').trim();
}

function declarator(btf: Btf, id: number, inner: string): string {
  const t = btfTypeById(btf, id);
  const named = (base: string): string => (inner === '' ? base : inner.startsWith('[') ? `${base}${inner}` : `${base} ${inner}`);
  switch (t.kind) {
    case 'VOID':
      return named('void');
    case 'INT':
    case 'FLOAT':
    case 'TYPEDEF':
      return named(t.name);
    case 'STRUCT':
    case 'UNION':
      return named(`${t.kind.toLowerCase()} ${t.name || '(anon)'}`);
    case 'FWD':
      return named(`${t.union ? 'union' : 'struct'} ${t.name}`);
    case 'ENUM':
    case 'ENUM64':
      return named(`enum ${t.name || '(anon)'}`);
    case 'CONST':
    case 'VOLATILE':
    case 'RESTRICT': {
      const q = t.kind.toLowerCase();
      // A qualified pointer puts its qualifier after the star: `char *const p`.
      if (btfTypeById(btf, t.type).kind === 'PTR') return declarator(btf, t.type, inner ? `${q} ${inner}` : q);
      return `${q} ${declarator(btf, t.type, inner)}`;
    }
    case 'TYPE_TAG':
      return declarator(btf, t.type, inner);
    case 'PTR': {
      const target = btfTypeById(btf, t.type);
      const wrap = target.kind === 'ARRAY' || target.kind === 'FUNC_PROTO';
      return declarator(btf, t.type, wrap ? `(*${inner})` : `*${inner}`);
    }
    case 'ARRAY':
      return declarator(btf, t.type, `${inner}[${t.nelems}]`);
    case 'FUNC_PROTO': {
      const params = t.params.length === 0 ? 'void' : t.params.map((p) => (p.type === 0 ? '...' : cTypeName(btf, p.type))).join(', ');
      return declarator(btf, t.returnType, `${inner}(${params})`);
    }
    case 'FUNC':
    case 'VAR':
      return declarator(btf, t.type, inner || t.name);
    case 'DATASEC':
    case 'DECL_TAG':
      return named(t.name);
  }
}
