import type { MapInfoReply } from '@bpfhive/uapi';
import { memlockBytes } from '../format/memlock.js';
import { type MapShow, mapShowPlain, writeMapShowJson } from '../format/map-info.js';
import { type ArgCursor, parseMapRef } from './map-args.js';
import { EXIT_OK, type MapContext, type MapSubcommand } from './map-context.js';
import { allMapIds, mapInfoUnlessGone, resolveMaps } from './map-resolve.js';
import { pinnedPaths } from './pin-paths.js';

/**
 * CPUs assumed for the memlock estimate of per-CPU maps: the maps-store's default
 * (MAPS_STORE_CPUS), since a map's info does not say how many CPUs it keeps values for.
 */
const MEMLOCK_CPUS = 4;

/** Prints maps as `map show` does: plain, or JSON (one object for one map, else an array); with `-f` their pin paths. */
async function printMaps(ctx: MapContext, maps: readonly MapInfoReply[], asArray: boolean): Promise<void> {
  const pins = await pinnedPaths(ctx, 'map');
  const describe = (info: MapInfoReply): MapShow => ({ info, memlock: memlockBytes(info, MEMLOCK_CPUS), ...(pins && { pinned: pins.get(info.map_id) ?? [] }) });
  const { json } = ctx.out;
  if (!json) {
    for (const info of maps) ctx.out.plain(mapShowPlain(describe(info)));
    return;
  }
  if (asArray) json.startArray();
  for (const info of maps) writeMapShowJson(json, describe(info));
  if (asArray) json.endArray();
}

/** `map show [MAP]`: one map (or every map a name matches), else every map by id. */
async function show(ctx: MapContext, args: ArgCursor): Promise<number> {
  const client = await ctx.client();
  if (args.count === 2) {
    const maps = await resolveMaps(client, parseMapRef(args));
    await printMaps(ctx, maps, maps.length > 1);
    return EXIT_OK;
  }
  args.rejectRest();
  const maps: MapInfoReply[] = [];
  for await (const id of allMapIds(client)) {
    const info = await mapInfoUnlessGone(client, id);
    if (info) maps.push(info);
  }
  await printMaps(ctx, maps, true);
  return EXIT_OK;
}

export const mapShow: MapSubcommand = { name: 'show', synopsis: '{ show | list }   [MAP]', run: show };
export const mapList: MapSubcommand = { ...mapShow, name: 'list' };
