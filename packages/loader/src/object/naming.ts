/**
 * Names libbpf gives: the object's, and those of the maps it makes for global data.
 */

/** BPF_OBJ_NAME_LEN: kernel object names hold 15 characters and a NUL. */
export const BPF_OBJ_NAME_LEN = 16;

/**
 * The object name as libbpf sets it: `name` as given, else the file name of `path` up to its
 * first '.', either cut to 15 characters; `object` when neither is given.
 */
export function objectName(options: { readonly name?: string; readonly path?: string }): string {
  if (options.name !== undefined) return options.name.slice(0, BPF_OBJ_NAME_LEN - 1);
  if (options.path !== undefined) {
    const base = options.path.split('/').pop() ?? '';
    const cut = base.slice(0, BPF_OBJ_NAME_LEN - 1);
    const dot = cut.indexOf('.');
    return dot < 0 ? cut : cut.slice(0, dot);
  }
  return 'object';
}

/**
 * The map name for a global data section (libbpf's internal_map_name): up to 8 characters of
 * the object name, then the section name, 15 characters in all; `.rodata` of `hello_object`
 * is `hello_ob.rodata`. A suffix shorter than 7 characters still reserves 7 (`.bss` gives
 * `hello_ob.bss`). Sections with a second dot (`.data.counters`) are named by themselves,
 * cut to 15. Characters the kernel refuses become '_'.
 */
export function internalMapName(object: string, section: string): string {
  const suffixLen = Math.min(Math.max(7, section.length), BPF_OBJ_NAME_LEN - 1);
  const custom = section.indexOf('.', 1) >= 0;
  const prefixLen = custom ? 0 : Math.min(BPF_OBJ_NAME_LEN - suffixLen - 1, object.length);
  const name = (object.slice(0, prefixLen) + section.slice(0, suffixLen)).slice(0, BPF_OBJ_NAME_LEN - 1);
  return name.replace(/[^A-Za-z0-9_.]/g, '_');
}
