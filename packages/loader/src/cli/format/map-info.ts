import { type MapInfoReply, mapTypeName } from '@bpfhive/uapi';
import type { JsonWriter } from './json-writer.js';

/** What `map show` prints about one map. */
export interface MapShow {
  readonly info: MapInfoReply;
  /** Bytes charged for the map (printed as `memlock`), when known. */
  readonly memlock?: number;
  /** Paths the map is pinned at; printed only when given (`-f`). */
  readonly pinned?: readonly string[];
}

/** The first line of `map show`, also the header of each map in a multi-map `dump`: `1: hash  name counters  flags 0x0`. */
export function mapHeaderPlain(info: MapInfoReply): string {
  const type = mapTypeName(info.map_type);
  return `${info.map_id}: ${type ? `${type}  ` : `type ${info.map_type}  `}${info.name ? `name ${info.name}  ` : ''}flags 0x${info.map_flags.toString(16)}\n`;
}

/**
 * `map show` for one map, as bpftool prints it:
 *
 *     1: hash  name counters  flags 0x0
 *     \tkey 4B  value 8B  max_entries 1024  memlock 86016B
 *     \tpinned /sys/fs/bpf/counters
 *     \tfrozen
 *     \tbtf_id 12
 */
export function mapShowPlain({ info, memlock, pinned }: MapShow): string {
  let out = `${mapHeaderPlain(info)}\tkey ${info.key_size}B  value ${info.value_size}B  max_entries ${info.max_entries}`;
  if (memlock !== undefined) out += `  memlock ${memlock}B`;
  for (const path of pinned ?? []) out += `\n\tpinned ${path}`;
  if (info.frozen) out += '\n\tfrozen';
  if (info.btf_id) out += `\n\tbtf_id ${info.btf_id}`;
  return `${out}\n`;
}

/** The members bpftool's JSON starts a map with: id, type, name (when set), flags. */
export function writeMapHeaderJson(json: JsonWriter, info: MapInfoReply): void {
  const type = mapTypeName(info.map_type);
  json.field('id', info.map_id).field('type', type ?? info.map_type);
  if (info.name) json.field('name', info.name);
  json.field('flags', info.map_flags);
}

/** `map show -j` for one map: `{"id":1,"type":"hash","name":"counters","flags":0,"bytes_key":4,…,"frozen":0}`. */
export function writeMapShowJson(json: JsonWriter, { info, memlock, pinned }: MapShow): void {
  json.startObject();
  writeMapHeaderJson(json, info);
  json.field('bytes_key', info.key_size).field('bytes_value', info.value_size).field('max_entries', info.max_entries);
  if (memlock !== undefined) json.field('bytes_memlock', memlock);
  json.field('frozen', info.frozen ? 1 : 0);
  if (info.btf_id) json.field('btf_id', info.btf_id);
  if (pinned) {
    json.name('pinned').startArray();
    for (const path of pinned) json.string(path);
    json.endArray();
  }
  json.endObject();
}
