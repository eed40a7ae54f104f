import { type MapInfoReply, errnoNumber, strerror } from '@bpfhive/uapi';
import { type BpfClient, BpfSyscallError } from '../../client/index.js';
import { entryErrorPlain, writeEntryErrorJson } from '../format/map-entry-error.js';
import { JsonWriter } from '../format/json-writer.js';
import { entryPlain, writeEntryFormatted, writeEntryJson } from '../format/map-entry.js';
import { mapHeaderPlain, writeMapHeaderJson } from '../format/map-info.js';
import { type ArgCursor, UsageRequested, parseMapRef } from './map-args.js';
import { mapBtfOf } from './map-btf.js';
import { EXIT_OK, type MapContext, type MapSubcommand, attempt, failure, isErrno } from './map-context.js';
import { resolveMaps } from './map-resolve.js';

/** One element read by key: its value, or the errno that kept it from being read. */
type Element = { readonly key: Uint8Array; readonly value: Uint8Array } | { readonly key: Uint8Array; readonly errno: number };

/**
 * Every element of a map: pages of MAP_LOOKUP_BATCH; when the map has no batch lookup (EINVAL,
 * EOPNOTSUPP before the first element), one get_next_key and one lookup per element, as bpftool
 * falls back.
 */
async function* elements(client: BpfClient, id: number): AsyncGenerator<Element> {
  let started = false;
  try {
    for await (const [key, value] of client.mapEntries(id)) {
      started = true;
      yield { key, value };
    }
  } catch (e) {
    if (started || !(isErrno(e, 'EINVAL') || isErrno(e, 'EOPNOTSUPP') || isErrno(e, 'ENOTSUPP'))) throw failure("can't lookup map batch", e);
    yield* elementsOneByOne(client, id);
  }
}

async function* elementsOneByOne(client: BpfClient, id: number): AsyncGenerator<Element> {
  for (let key = await attempt("can't get next key", () => client.mapGetNextKey(id)); key; key = await attempt("can't get next key", () => client.mapGetNextKey(id, key))) {
    try {
      yield { key, value: await client.mapLookup(id, key) };
    } catch (e) {
      if (!(e instanceof BpfSyscallError)) throw e;
      yield { key, errno: e.errno };
    }
  }
}

/**
 * Prints one map's elements into `json`: bpftool's -j writer, or in plain text the pretty writer
 * bpftool dumps maps with BTF through (each element as its types say, no `Found N elements`);
 * without a writer, hex lines and `Found N elements`. An element a map with BTF has no value
 * type for, or whose BTF cannot be read, is printed in hex lines, as bpftool does.
 */
async function dumpMap(ctx: MapContext, info: MapInfoReply, withHeader: boolean, json: JsonWriter | undefined): Promise<void> {
  const client = await ctx.client();
  const plainText = !ctx.out.json;
  if (json && withHeader) {
    json.startObject();
    writeMapHeaderJson(json, info);
    json.name('elements');
  } else if (withHeader) {
    ctx.out.plain(mapHeaderPlain(info));
  }
  json?.startArray();
  const types = json ? await mapBtfOf(client, info, ctx.out) : undefined;
  let found = 0;
  for await (const element of elements(client, info.map_id)) {
    if ('value' in element) {
      found++;
      if (json && !plainText) writeEntryJson(json, info, element.key, element.value, types);
      else if (json && types) writeEntryFormatted(json, info, types, element.key, element.value, true);
      else ctx.out.plain(entryPlain(info, element.key, element.value));
    } else {
      const reason = element.errno === errnoNumber('ENOENT') ? '<no entry>' : strerror(element.errno);
      if (json && !plainText) writeEntryErrorJson(json, element.key, strerror(element.errno));
      else ctx.out.plain(entryErrorPlain(element.key, reason));
    }
  }
  if (json) {
    json.endArray();
    if (withHeader) json.endObject();
  } else {
    ctx.out.plain(`Found ${found} element${found === 1 ? '' : 's'}\n`);
  }
}

/**
 * `map dump MAP`: every element; a name matching several maps dumps each under its header. In
 * plain text, when every map has BTF, the dump goes through a pretty JSON writer of its own, as
 * bpftool's get_btf_writer (maps_have_btf): one document, a root array when several maps match.
 */
async function dump(ctx: MapContext, args: ArgCursor): Promise<number> {
  if (args.count !== 2) throw new UsageRequested();
  const maps = await resolveMaps(await ctx.client(), parseMapRef(args));
  const btfWriter = !ctx.out.json && maps.every((m) => m.btf_id) ? new JsonWriter((text) => ctx.out.plain(text), true) : undefined;
  const json = ctx.out.json ?? btfWriter;
  const several = maps.length > 1;
  try {
    if (several) json?.startArray();
    for (const [i, info] of maps.entries()) {
      await dumpMap(ctx, info, several, json);
      if (!json && i < maps.length - 1) ctx.out.plain('\n');
    }
    if (several) json?.endArray();
  } finally {
    btfWriter?.end();
  }
  return EXIT_OK;
}

export const mapDump: MapSubcommand = { name: 'dump', synopsis: 'dump       MAP', run: dump };
