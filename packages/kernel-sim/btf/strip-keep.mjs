/**
 * The last step of build.sh: removes from clang's .BTF what is not the kernel's — every type
 * named `__vmlinux_keep*` (the struct naming every type and the function that takes it), every
 * VAR and DATASEC but the per-CPU ones (`.data..percpu`), and every unnamed type that only those use — renumbers the types that stay,
 * in their order, and writes the blob with a fresh string table.
 *
 *   node strip-keep.mjs IN.btf OUT.btf
 *
 * Needs @bpfhive/uapi built (its BTF parser and encoder).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { encodeBtf, parseBtf } from '@bpfhive/uapi';

const KEEP_PREFIX = '__vmlinux_keep';
const PERCPU_SEC = '.data..percpu';

/** The type ids `t` refers to. */
function refs(t) {
  switch (t.kind) {
    case 'ARRAY':
      return [t.type, t.indexType];
    case 'STRUCT':
    case 'UNION':
      return t.members.map((m) => m.type);
    case 'FUNC_PROTO':
      return [t.returnType, ...t.params.map((p) => p.type)];
    case 'DATASEC':
      return t.vars.map((v) => v.type);
    default:
      return 'type' in t ? [t.type] : [];
  }
}

/** `t` with every referenced id passed through `map`. */
function remap(t, map) {
  switch (t.kind) {
    case 'ARRAY':
      return { ...t, type: map(t.type), indexType: map(t.indexType) };
    case 'STRUCT':
    case 'UNION':
      return { ...t, members: t.members.map((m) => ({ ...m, type: map(m.type) })) };
    case 'FUNC_PROTO':
      return { ...t, returnType: map(t.returnType), params: t.params.map((p) => ({ ...p, type: map(p.type) })) };
    case 'DATASEC':
      // clang leaves a section's size to the linker: the end of its last variable, as in vmlinux.
      return { ...t, size: Math.max(t.size, ...t.vars.map((v) => v.offset + v.size)), vars: t.vars.map((v) => ({ ...v, type: map(v.type) })) };
    default:
      return 'type' in t ? { ...t, type: map(t.type) } : t;
  }
}

function strip(btf) {
  // Per-CPU variables stay, in their DATASEC, as pahole keeps them in vmlinux.
  const percpu = new Set(btf.types.flatMap((t) => (t.kind === 'DATASEC' && t.name === PERCPU_SEC ? t.vars.map((v) => v.type) : [])));
  const dropped = (t, id) =>
    (t.kind === 'VAR' && !percpu.has(id)) || (t.kind === 'DATASEC' && t.name !== PERCPU_SEC) || t.name.startsWith(KEEP_PREFIX);
  const live = new Uint8Array(btf.types.length);
  const stack = [];
  btf.types.forEach((t, id) => {
    if (id > 0 && t.name !== '' && !dropped(t, id)) stack.push(id);
  });
  while (stack.length > 0) {
    const id = stack.pop();
    if (live[id] || dropped(btf.types[id], id)) continue;
    live[id] = 1;
    for (const r of refs(btf.types[id])) if (r !== 0) stack.push(r);
  }
  const newId = new Map([[0, 0]]);
  const kept = [btf.types[0]];
  btf.types.forEach((t, id) => {
    if (live[id]) newId.set(id, kept.push(t) - 1);
  });
  return { types: kept.map((t, i) => (i === 0 ? t : remap(t, (ref) => newId.get(ref)))) };
}

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node strip-keep.mjs IN.btf OUT.btf');
  process.exit(2);
}
writeFileSync(output, encodeBtf(strip(parseBtf(new Uint8Array(readFileSync(input)))), { strings: null }));
