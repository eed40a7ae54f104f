import { hexBytes, writeHexArray } from './hex.js';
import type { JsonWriter } from './json-writer.js';

/**
 * An element `map dump` found by key but could not read, as bpftool prints it: the key, then
 * the reason where the value would be (`<no entry>` for ENOENT, else strerror's text).
 */
export function entryErrorPlain(key: Uint8Array, reason: string): string {
  const breakNames = key.length > 16 || reason.length > 16;
  const singleLine = key.length + reason.length <= 24 && !breakNames;
  return `key:${breakNames ? '\n' : ' '}${hexBytes(key)}${singleLine ? '  ' : '\n'}value:${breakNames ? '\n' : ' '}${reason}\n`;
}

/** The same in JSON: `{"key":[…],"value":{"error":"No such file or directory"}}`. */
export function writeEntryErrorJson(json: JsonWriter, key: Uint8Array, reason: string): void {
  json.startObject().name('key');
  writeHexArray(json, key);
  json.name('value').startObject().field('error', reason).endObject();
  json.endObject();
}
