import { BpfError, UpdateFlag } from '@bpfhive/uapi';
import type { BpfMap } from './map.js';

/** A map's contents as records: [key, value] pairs in the form the map's restoreRecord (or update) takes back. */
export type MapRecord = readonly [Uint8Array, Uint8Array];

/**
 * The contents of `map` as records, for a snapshot or a lease: the engine's own records() when it
 * has them (queues, bloom filters, fd arrays…), else every key get_next_key visits with the value
 * lookup gives, skipping keys lookup finds empty (ENOENT), as BPF_MAP_LOOKUP_BATCH does.
 */
export function mapRecords(map: BpfMap): MapRecord[] {
  if (map.records) return [...map.records()];
  const out: MapRecord[] = [];
  let key: Uint8Array | undefined;
  for (;;) {
    try {
      key = map.getNextKey(key);
    } catch (e) {
      if (e instanceof BpfError && e.code === 'ENOENT') return out;
      throw e;
    }
    try {
      out.push([key, map.lookup(key)]);
    } catch (e) {
      if (!(e instanceof BpfError && e.code === 'ENOENT')) throw e;
    }
  }
}

/** A record loadRecords could not take back, and why. */
export interface RejectedRecord {
  readonly key: Uint8Array;
  readonly error: BpfError;
}

/**
 * Loads records into `map` (a new map of the snapshot's spec): restoreRecord, else update with
 * BPF_ANY. A record the map rejects with a BpfError — e.g. a program id the kernel no longer has —
 * is skipped and reported; the others still load.
 */
export function loadRecords(map: BpfMap, records: Iterable<MapRecord>): RejectedRecord[] {
  const rejected: RejectedRecord[] = [];
  for (const [key, value] of records) {
    try {
      if (map.restoreRecord) map.restoreRecord(key, value);
      else map.update(key, value, UpdateFlag.ANY);
    } catch (e) {
      if (!(e instanceof BpfError)) throw e;
      rejected.push({ key, error: e });
    }
  }
  return rejected;
}

/**
 * Empties `map` so records can be loaded back into the same engine (its map pointer and arena
 * storage stay): the engine's clear(), else every key get_next_key lists, deleted (a key already
 * gone is fine). Freed elements wait for the arena's next grace period, as always.
 */
export function clearMap(map: BpfMap): void {
  if (map.clear) return map.clear();
  const keys: Uint8Array[] = [];
  let key: Uint8Array | undefined;
  for (;;) {
    try {
      key = map.getNextKey(key);
    } catch (e) {
      if (e instanceof BpfError && e.code === 'ENOENT') break;
      throw e;
    }
    keys.push(key);
  }
  for (const k of keys) {
    try {
      map.delete(k);
    } catch (e) {
      if (!(e instanceof BpfError && e.code === 'ENOENT')) throw e;
    }
  }
}
