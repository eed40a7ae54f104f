import { type MapInfoReply, MapType } from '@bpfhive/uapi';
import { type BpfClient, u32 } from '../../client/index.js';
import { type MapBtf, isPerCpu } from '../format/map-entry.js';
import { entryBtfPlain, entryPlain, notFoundPlain, nextKeyPlain, writeEntryJson, writeNextKeyJson } from '../format/map-entry.js';
import { UsageError } from '../io.js';
import { type ArgCursor, type ElemSpec, UsageRequested, type ValueArg, parseElem, parseMapRef } from './map-args.js';
import { EXIT_FAILURE, EXIT_OK, type MapContext, type MapSubcommand, attempt, failure, isErrno } from './map-context.js';
import { mapBtfOf } from './map-btf.js';
import { resolveMap, resolveProgId } from './map-resolve.js';

/**
 * The element subcommands: lookup (and peek), update (and push, enqueue), getnext, delete, pop
 * (and dequeue) — bpftool's do_lookup, do_update, do_getnext, do_delete and do_pop_dequeue.
 */

/** A MAP and what follows it; `usage` when fewer than two arguments are left. */
async function openMap(ctx: MapContext, args: ArgCursor): Promise<{ client: BpfClient; info: MapInfoReply }> {
  if (args.count < 2) throw new UsageRequested();
  const client = await ctx.client();
  return { client, info: await resolveMap(client, parseMapRef(args)) };
}

const elemSpec = (info: MapInfoReply, take: { key: boolean; value: boolean; flags: boolean }): ElemSpec => ({
  map_type: info.map_type,
  key_size: info.key_size,
  value_size: take.value ? info.value_size : 0,
  ...take,
});

/**
 * An element as bpftool's print_key_value prints it: with the map's BTF (`types`), in JSON with
 * `formatted`, in plain text as its types say (entryBtfPlain); without, in hex.
 */
function printEntry(ctx: MapContext, info: MapInfoReply, key: Uint8Array, value: Uint8Array, types: MapBtf | undefined): void {
  if (ctx.out.json) writeEntryJson(ctx.out.json, info, key, value, types);
  else if (types) ctx.out.plain(entryBtfPlain(info, types, key, value));
  else ctx.out.plain(entryPlain(info, key, value));
}

/** `lookup MAP [key DATA]`, `peek MAP`: the element; `Not found` (and exit 255) when absent. */
async function lookup(ctx: MapContext, args: ArgCursor): Promise<number> {
  const { client, info } = await openMap(ctx, args);
  const { key = new Uint8Array() } = parseElem(args, elemSpec(info, { key: info.key_size > 0, value: false, flags: false }));
  let value: Uint8Array;
  try {
    value = await client.mapLookup(info.map_id, key);
  } catch (e) {
    if (!isErrno(e, 'ENOENT')) throw failure('lookup failed', e);
    if (ctx.out.json) ctx.out.json.null();
    else ctx.out.plain(notFoundPlain(key));
    return EXIT_FAILURE;
  }
  printEntry(ctx, info, key, value, await mapBtfOf(client, info, ctx.out));
  return EXIT_OK;
}

/**
 * How many CPUs a per-CPU map keeps values for, read off a value it holds (the map info does
 * not say): index 0 of an array, else any element; an empty per-CPU hash cannot tell.
 */
async function cpuCount(client: BpfClient, info: MapInfoReply): Promise<number> {
  const step = Math.ceil(info.value_size / 8) * 8;
  const value =
    info.map_type === MapType.PERCPU_ARRAY
      ? await attempt('lookup failed', () => client.mapLookup(info.map_id, u32.encode(0)))
      : (await attempt("can't lookup map batch", () => client.mapLookupBatch(info.map_id, 1))).values[0];
  if (!value) throw new UsageError(`update failed: map ${info.map_id} is an empty per-CPU map; how many CPUs it keeps values for is unknown`);
  return value.length / step;
}

/** The bytes an update writes: DATA (copied to every CPU of a per-CPU map, as bpftool does), or a map's or program's id. */
async function valueBytes(client: BpfClient, info: MapInfoReply, value: ValueArg | undefined): Promise<Uint8Array> {
  if (!value) return new Uint8Array();
  if ('map' in value) return u32.encode((await resolveMap(client, value.map)).map_id);
  if ('prog' in value) return u32.encode(await resolveProgId(client, value.prog));
  if (!isPerCpu(info.map_type)) return value.bytes;
  const step = Math.ceil(info.value_size / 8) * 8;
  const cpus = await cpuCount(client, info);
  const all = new Uint8Array(step * cpus);
  for (let cpu = 0; cpu < cpus; cpu++) all.set(value.bytes, cpu * step);
  return all;
}

/** `update MAP [key DATA] [value VALUE] [UPDATE_FLAGS]`, `push|enqueue MAP value VALUE`. */
async function update(ctx: MapContext, args: ArgCursor): Promise<number> {
  const { client, info } = await openMap(ctx, args);
  const elem = parseElem(args, elemSpec(info, { key: info.key_size > 0, value: info.value_size > 0, flags: true }));
  const value = await valueBytes(client, info, elem.value);
  await attempt('update failed', () => client.mapUpdate(info.map_id, elem.key ?? new Uint8Array(), value, elem.flags));
  ctx.out.json?.null();
  return EXIT_OK;
}

/** `getnext MAP [key DATA]`: the key after DATA, or the first key. */
async function getnext(ctx: MapContext, args: ArgCursor): Promise<number> {
  const { client, info } = await openMap(ctx, args);
  const key = args.count > 0 ? parseElem(args, elemSpec(info, { key: true, value: false, flags: false })).key : undefined;
  const next = await attempt("can't get next key", () => client.mapGetNextKey(info.map_id, key));
  if (!next) throw new UsageError("can't get next key: No such file or directory");
  if (ctx.out.json) writeNextKeyJson(ctx.out.json, key, next);
  else ctx.out.plain(nextKeyPlain(key, next));
  return EXIT_OK;
}

/** `delete MAP key DATA`. */
async function remove(ctx: MapContext, args: ArgCursor): Promise<number> {
  const { client, info } = await openMap(ctx, args);
  const { key = new Uint8Array() } = parseElem(args, elemSpec(info, { key: true, value: false, flags: false }));
  await attempt('delete failed', () => client.mapDelete(info.map_id, key));
  ctx.out.json?.null();
  return EXIT_OK;
}

/** `pop|dequeue MAP`: takes the next value out; `Error: empty map` on standard output when there is none. */
async function pop(ctx: MapContext, args: ArgCursor): Promise<number> {
  const { client, info } = await openMap(ctx, args);
  const key = new Uint8Array(info.key_size);
  let value: Uint8Array;
  try {
    value = await client.mapLookupAndDelete(info.map_id, key);
  } catch (e) {
    if (!isErrno(e, 'ENOENT')) throw failure('pop failed', e);
    if (ctx.out.json) ctx.out.json.null();
    else ctx.out.plain('Error: empty map\n');
    return EXIT_FAILURE;
  }
  printEntry(ctx, info, key, value, await mapBtfOf(client, info, ctx.out));
  return EXIT_OK;
}

export const mapLookup: MapSubcommand = { name: 'lookup', synopsis: 'lookup     MAP [key DATA]', run: lookup };
export const mapPeek: MapSubcommand = { name: 'peek', synopsis: 'peek       MAP', run: lookup };
export const mapUpdate: MapSubcommand = { name: 'update', synopsis: 'update     MAP [key DATA] [value VALUE] [UPDATE_FLAGS]', run: update };
export const mapPush: MapSubcommand = { name: 'push', synopsis: 'push       MAP value VALUE', run: update };
export const mapEnqueue: MapSubcommand = { name: 'enqueue', synopsis: 'enqueue    MAP value VALUE', run: update };
export const mapGetnext: MapSubcommand = { name: 'getnext', synopsis: 'getnext    MAP [key DATA]', run: getnext };
export const mapDelete: MapSubcommand = { name: 'delete', synopsis: 'delete     MAP  key DATA', run: remove };
export const mapPop: MapSubcommand = { name: 'pop', synopsis: 'pop        MAP', run: pop };
export const mapDequeue: MapSubcommand = { name: 'dequeue', synopsis: 'dequeue    MAP', run: pop };
