import { type MapContext, attempt } from './map-context.js';

/**
 * `-f`/`--bpffs` (bpftool's build_pinned_obj_table): the paths the caller's pins give each object
 * of `kind`, by id, from the maps-store's pin namespace (`obj_list`). Undefined without `-f`, or
 * when no object of that kind is pinned: bpftool then prints no `pinned` field at all.
 */
export async function pinnedPaths(ctx: MapContext, kind: 'map' | 'prog' | 'link'): Promise<ReadonlyMap<number, readonly string[]> | undefined> {
  if (!ctx.bpffs) return undefined;
  const client = await ctx.client();
  const pins = await attempt('failed to list the pinned objects', () => client.objList());
  const byId = new Map<number, string[]>();
  for (const pin of pins) {
    if (pin.kind !== kind) continue;
    const paths = byId.get(pin.id) ?? [];
    paths.push(pin.pathname);
    byId.set(pin.id, paths);
  }
  return byId.size > 0 ? byId : undefined;
}
