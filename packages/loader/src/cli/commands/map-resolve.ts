import type { MapInfoReply } from '@bpfhive/uapi';
import type { BpfClient } from '../../client/index.js';
import { UsageError } from '../io.js';
import type { MapRef, ProgRef } from './map-args.js';
import { attempt, failure, isErrno } from './map-context.js';

/**
 * The maps a MAP names, with their info, failing as bpftool does: `get map by id (7): …`,
 * `bpf obj get (/sys/fs/bpf/x): …`, `can't get map info: …`. A name may match several maps
 * (or none, which is an error here where bpftool says nothing).
 */
export async function resolveMaps(client: BpfClient, ref: MapRef): Promise<MapInfoReply[]> {
  if ('id' in ref) return [await attempt(`get map by id (${ref.id})`, () => client.mapInfo(ref.id))];
  if ('pinned' in ref) {
    const object = await attempt(`bpf obj get (${ref.pinned})`, () => client.objGet(ref.pinned));
    if (!('map_id' in object)) throw new UsageError(`incorrect object type: ${'prog_id' in object ? 'prog' : 'link'}`);
    return [await attempt("can't get map info", () => client.mapInfo(object.map_id))];
  }
  const matches: MapInfoReply[] = [];
  for await (const id of allMapIds(client)) {
    const info = await mapInfoUnlessGone(client, id);
    if (info?.name === ref.name) matches.push(info);
  }
  if (matches.length === 0) throw new UsageError(`no map with name ${ref.name}`);
  return matches;
}

/** The one map a MAP names; `several maps match this handle` when a name matches more. */
export async function resolveMap(client: BpfClient, ref: MapRef): Promise<MapInfoReply> {
  const maps = await resolveMaps(client, ref);
  if (maps.length > 1) throw new UsageError('several maps match this handle');
  return maps[0]!;
}

/** The program a PROG names. */
export async function resolveProgId(client: BpfClient, ref: ProgRef): Promise<number> {
  if ('id' in ref) return ref.id;
  const object = await attempt(`bpf obj get (${ref.pinned})`, () => client.objGet(ref.pinned));
  if (!('prog_id' in object)) throw new UsageError(`incorrect object type: ${'map_id' in object ? 'map' : 'link'}`);
  return object.prog_id;
}

/** Every map id, failing with the errno's text as bpftool does. */
export async function* allMapIds(client: BpfClient): AsyncGenerator<number> {
  const ids = client.ids('map');
  for (;;) {
    const next = await attempt("can't get next map", () => ids.next());
    if (next.done) return;
    yield next.value;
  }
}

/** A map's info, or undefined when it went away since its id was listed. */
export async function mapInfoUnlessGone(client: BpfClient, id: number): Promise<MapInfoReply | undefined> {
  try {
    return await client.mapInfo(id);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return undefined;
    throw failure(`can't get map by id (${id})`, e);
  }
}
