import { type Btf, MapType } from '@bpfhive/uapi';
import { writeBtfValue } from './btf-value.js';
import { hexBytes, writeHexArray } from './hex.js';
import { JsonWriter } from './json-writer.js';

/** What the printing of an element needs to know about its map. */
export interface MapLayout {
  readonly map_type: number;
  readonly key_size: number;
  readonly value_size: number;
}

const PER_CPU: ReadonlySet<number> = new Set([MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LRU_PERCPU_HASH, MapType.PERCPU_CGROUP_STORAGE]);

/** Maps whose values come one per CPU, as bpftool tells them apart. */
export function isPerCpu(mapType: number): boolean {
  return PER_CPU.has(mapType);
}

/** A per-CPU value split into its CPUs' values: slots of round_up(value_size, 8) bytes, each cut to value_size. */
export function perCpuValues(layout: MapLayout, value: Uint8Array): Uint8Array[] {
  const step = Math.ceil(layout.value_size / 8) * 8;
  if (step === 0) return [];
  return Array.from({ length: Math.floor(value.length / step) }, (_, cpu) => value.subarray(cpu * step, cpu * step + layout.value_size));
}

/**
 * One element as `map dump` and `map lookup` print it without BTF:
 * `key: 01 00 00 00  value: 2a 00 00 00 00 00 00 00` on one line while key and value fit in
 * 24 bytes together; `key:` and `value:` on lines of their own, bytes below them, when either is
 * longer than 16 bytes; per-CPU maps print `value (CPU 00): …` for each CPU.
 */
export function entryPlain(layout: MapLayout, key: Uint8Array, value: Uint8Array): string {
  const { key_size, value_size } = layout;
  let out = '';
  if (isPerCpu(layout.map_type)) {
    if (key_size) out += `key:\n${hexBytes(key)}\n`;
    if (value_size) {
      perCpuValues(layout, value).forEach((v, cpu) => {
        out += `value (CPU ${String(cpu).padStart(2, '0')}):${value_size > 16 ? '\n' : ' '}${hexBytes(v)}\n`;
      });
    }
    return out;
  }
  const breakNames = key_size > 16 || value_size > 16;
  const singleLine = key_size + value_size <= 24 && !breakNames;
  if (key_size) out += `key:${breakNames ? '\n' : ' '}${hexBytes(key)}${singleLine ? '  ' : '\n'}`;
  if (value_size) out += `value:${breakNames ? '\n' : ' '}${hexBytes(value)}`;
  return `${out}\n`;
}

/** The BTF a map's keys and values are described in, and their type ids (0: not described). */
export interface MapBtf {
  readonly btf: Btf;
  readonly keyTypeId: number;
  readonly valueTypeId: number;
}

/**
 * bpftool's do_dump_btf: `{"key": …, "value": …}` (per-CPU: `"values": [{"cpu": N, "value": …}]`),
 * each written from its BTF type (btf-value.ts); no key when the key has no type. In JSON it is
 * an entry's `formatted` member; with `plainText` it is the element as plain `map dump` and
 * `map lookup` print a map with BTF, into a pretty writer (entryBtfPlain).
 */
export function writeEntryFormatted(json: JsonWriter, layout: MapLayout, types: MapBtf, key: Uint8Array, value: Uint8Array, plainText = false): void {
  const options = { plainText };
  json.startObject();
  if (types.keyTypeId) writeBtfValue(json.name('key'), types.btf, types.keyTypeId, key, options);
  if (isPerCpu(layout.map_type)) {
    json.name('values').startArray();
    perCpuValues(layout, value).forEach((v, cpu) => {
      json.startObject().field('cpu', cpu).name('value');
      writeBtfValue(json, types.btf, types.valueTypeId, v, options);
      json.endObject();
    });
    json.endArray();
  } else {
    writeBtfValue(json.name('value'), types.btf, types.valueTypeId, value, options);
  }
  json.endObject();
}

/**
 * `map lookup` (and `pop`) of a map with BTF in plain text, as bpftool's print_key_value writes
 * it through its own pretty writer: `{\n    "key": 1,\n    "value": {…}\n}\n`.
 */
export function entryBtfPlain(layout: MapLayout, types: MapBtf, key: Uint8Array, value: Uint8Array): string {
  let out = '';
  const json = new JsonWriter((text) => (out += text), true);
  writeEntryFormatted(json, layout, types, key, value, true);
  json.end();
  return out;
}

/**
 * One element in JSON: `{"key":["0x01",…],"value":[…]}`; per-CPU: `"values":[{"cpu":0,"value":[…]},…]`.
 * With the map's BTF (a value type), then `"formatted"`: the element as its types say (writeEntryFormatted).
 */
export function writeEntryJson(json: JsonWriter, layout: MapLayout, key: Uint8Array, value: Uint8Array, types?: MapBtf): void {
  json.startObject().name('key');
  writeHexArray(json, key);
  if (isPerCpu(layout.map_type)) {
    json.name('values').startArray();
    perCpuValues(layout, value).forEach((v, cpu) => {
      json.startObject().field('cpu', cpu).name('value');
      writeHexArray(json, v);
      json.endObject();
    });
    json.endArray();
  } else {
    json.name('value');
    writeHexArray(json, value);
  }
  if (types?.valueTypeId) writeEntryFormatted(json.name('formatted'), layout, types, key, value);
  json.endObject();
}

/** `map lookup` of an absent key: the key, then `Not found`. */
export function notFoundPlain(key: Uint8Array): string {
  return `key:\n${hexBytes(key)}\n\nNot found\n`;
}

/** `map getnext`: the key given (`key: None` without one) and the next key, each below its name. */
export function nextKeyPlain(key: Uint8Array | undefined, next: Uint8Array): string {
  return `${key ? `key:\n${hexBytes(key)}\n` : 'key: None\n'}next key:\n${hexBytes(next)}\n`;
}

/** `map getnext -j`: `{"key":[…]|null,"next_key":[…]}`. */
export function writeNextKeyJson(json: JsonWriter, key: Uint8Array | undefined, next: Uint8Array): void {
  json.startObject();
  if (key) {
    json.name('key');
    writeHexArray(json, key);
  } else {
    json.field('key', null);
  }
  json.name('next_key');
  writeHexArray(json, next);
  json.endObject();
}
