import type { BpfClient } from '../../client/index.js';
import { UsageError } from '../io.js';
import { type ArgCursor, parseCreateArgs, parseMapRef } from './map-args.js';
import { EXIT_OK, type MapContext, type MapSubcommand, attempt, failure, isErrno } from './map-context.js';
import { resolveMap } from './map-resolve.js';

/** The maps' life: create (and pin), pin, freeze — bpftool's do_create, do_pin and do_freeze. */

/**
 * Fails unless `file` is free for a pin, before anything is created: a map made and then left
 * unpinned would live on with nothing to name it (the CLI opens no session: what it makes is pinned).
 */
async function checkPinFree(client: BpfClient, file: string): Promise<void> {
  try {
    await client.objGet(file);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return;
    throw failure(`can't pin the object (${file})`, e);
  }
  throw new UsageError(`can't pin BPF object: path '${file}' already exists`);
}

/** `create FILE type TYPE key KEY_SIZE value VALUE_SIZE entries MAX_ENTRIES name NAME [flags FLAGS] [inner_map MAP] [extra EXTRA]` */
async function create(ctx: MapContext, args: ArgCursor): Promise<number> {
  const spec = parseCreateArgs(args);
  for (const warning of spec.warnings) ctx.out.info(warning);
  const client = await ctx.client();
  const innerMapId = spec.inner_map && (await resolveMap(client, spec.inner_map)).map_id;
  await checkPinFree(client, spec.file);
  const id = await attempt('map create failed', () =>
    client.mapCreate({
      map_type: spec.map_type,
      key_size: spec.key_size,
      value_size: spec.value_size,
      max_entries: spec.max_entries,
      map_flags: spec.map_flags,
      map_name: spec.map_name,
      // Not in the uapi schema yet: the client rejects them with EINVAL until the maps-store takes them.
      ...(innerMapId !== undefined && { inner_map_id: innerMapId }),
      ...(spec.map_extra !== undefined && { map_extra: spec.map_extra }),
    }),
  );
  await attempt(`can't pin the object (${spec.file})`, () => client.objPin(spec.file, { map_id: id }));
  ctx.out.json?.null();
  return EXIT_OK;
}

/** `pin MAP FILE` */
async function pin(ctx: MapContext, args: ArgCursor): Promise<number> {
  args.require(3);
  const client = await ctx.client();
  const info = await resolveMap(client, parseMapRef(args));
  const file = args.shift();
  await attempt(`can't pin the object (${file})`, () => client.objPin(file, { map_id: info.map_id }));
  ctx.out.json?.null();
  return EXIT_OK;
}

/** `freeze MAP`: user space may read the map but no longer write it. */
async function freeze(ctx: MapContext, args: ArgCursor): Promise<number> {
  args.require(2);
  const client = await ctx.client();
  const info = await resolveMap(client, parseMapRef(args));
  args.rejectRest();
  await attempt('failed to freeze map', () => client.mapFreeze(info.map_id));
  ctx.out.json?.null();
  return EXIT_OK;
}

export const mapCreate: MapSubcommand = {
  name: 'create',
  synopsis: 'create     FILE type TYPE key KEY_SIZE value VALUE_SIZE \\\n                              entries MAX_ENTRIES name NAME [flags FLAGS] \\\n                              [inner_map MAP] [extra EXTRA]',
  run: create,
};
export const mapPin: MapSubcommand = { name: 'pin', synopsis: 'pin        MAP  FILE', run: pin };
export const mapFreeze: MapSubcommand = { name: 'freeze', synopsis: 'freeze     MAP', run: freeze };
