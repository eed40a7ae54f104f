import { Worker } from 'node:worker_threads';
import { MapFlag, MapType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from '../arena.js';
import { createMap } from '../create.js';
import type { HashMap } from './hash.js';
import { probeWord } from './hash-probe.js';
import { hashWord } from './key-hash.js';

/*
 * Worker threads look keys up in a HASH map's slots while main deletes and inserts keys on their
 * probe paths, as the CPUs' threads run inlined lookups while main serves map updates. Half the
 * lookups are hash-probe.ts's probeWord (the engine's own); the other half read the same words
 * in the same order but stop after each live link until main has made two more writes (a
 * handshake through shared memory, not a delay), the widest window a reader can give the writer.
 * Main calls Arena.quiescent only between batches, when no reader runs, as the kernel does.
 *
 * The invariant, checked on every hit: the element a lookup of key k returns holds the value
 * written for k (each value is written once, at insert, as [k, ~k]). The assertions count
 * violations and lookups, never time; how many races a run provokes depends on the machine, so
 * hash-race.test.ts drives the interleaving that breaks it deterministically.
 */

/** Keys whose probes all start at one slot, so every delete and insert is on every lookup's path. */
const KEYS = 8;
const MAX_ENTRIES = 16;
const WORKERS = 2;
const BATCHES = 50;
const LOOKUPS_PER_BATCH = 2000;

/** Control words shared with the workers. */
const EPOCH = 0; // bumped to start a batch; -1 stops the workers
const DONE = 1; // workers done with the current batch
const VIOLATIONS = 2; // lookups that returned another key's value
const HITS = 3;
const LOOKUPS = 4;
const FIRST_BAD = 5; // [key looked up, value word 0 found]
const PAUSED = 7; // per worker: 1 while its reader waits for main's writes
const CONTROL_WORDS = PAUSED + WORKERS;

/** The reader, run by `new Worker(..., { eval: true })`; probeWord's own source is put in. */
const readerSource = (probe: string): string => `
const { workerData } = require('node:worker_threads');
const probeWord = (${probe});
const { buffer, control, keys, home, slotsCell, mask, valueOffset, lookups, seed, index } = workerData;
const paused = ${PAUSED} + index;
const u32 = new Uint32Array(buffer);
const ctl = new Int32Array(control);
const key = new Uint32Array(keys);
/* The same reads as probeWord, in its order, waiting for main's writes after each live link. */
function slowProbe(slotsW, home, word) {
  for (let i = home; ; i = (i + 1) & mask) {
    const s = slotsW + 2 * i;
    const link = Atomics.load(u32, s);
    if (link > 1) {
      Atomics.store(ctl, paused, 1);
      Atomics.wait(ctl, paused, 1);
    }
    if (link > 1 && u32[s + 1] === word) return link;
    if (link === 0) return 0;
  }
}
let x = seed;
let epoch = 0;
for (;;) {
  Atomics.wait(ctl, ${EPOCH}, epoch);
  epoch = Atomics.load(ctl, ${EPOCH});
  if (epoch < 0) break;
  let hits = 0;
  for (let n = 0; n < lookups; n++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    const k = key[(x >>> 0) % ${KEYS}];
    const slotsW = Atomics.load(u32, slotsCell >> 2) >> 2;
    const element = (n & 1) === 0 ? probeWord(u32, slotsW, mask, home, k) : slowProbe(slotsW, home, k);
    if (element === 0) continue;
    hits++;
    const v = (element + valueOffset) >> 2;
    if (u32[v] !== k || u32[v + 1] !== (~k >>> 0)) {
      if (Atomics.add(ctl, ${VIOLATIONS}, 1) === 0) { ctl[${FIRST_BAD}] = k; ctl[${FIRST_BAD + 1}] = u32[v]; }
    }
  }
  Atomics.add(ctl, ${HITS}, hits);
  Atomics.add(ctl, ${LOOKUPS}, lookups);
  Atomics.add(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
}
`;

const key = (k: number): Uint8Array => new Uint8Array(new Uint32Array([k]).buffer);
const value = (k: number): Uint8Array => new Uint8Array(new Uint32Array([k, ~k >>> 0]).buffer);

describe('map hash - lookups on worker threads during deletes and inserts', () => {
  it('map hash - a lookup of key k on another thread never returns a value written for another key', async () => {
    // Room for every element the batches need: the memory must not grow under the readers' views.
    const arena = new Arena({ initialPages: 64, maximumPages: 64 });
    const spec = { map_type: MapType.HASH, key_size: 4, value_size: 8, max_entries: MAX_ENTRIES, map_flags: MapFlag.ZERO_SEED };
    const map = createMap(spec, arena) as HashMap;
    const { capacity, slotsCell, valueOffset } = map.layout;
    const mask = capacity - 1;
    const home = hashWord(0, 4, 0) & mask;
    const keys = new SharedArrayBuffer(4 * KEYS);
    const keyList = new Uint32Array(keys);
    for (let k = 0, n = 0; n < KEYS; k++) if ((hashWord(0, 4, k) & mask) === home) keyList[n++] = k;
    const control = new SharedArrayBuffer(4 * CONTROL_WORDS);
    const ctl = new Int32Array(control);
    const source = readerSource(probeWord.toString());
    const workers = Array.from(
      { length: WORKERS },
      (_, w) =>
        new Worker(source, {
          eval: true,
          workerData: { buffer: arena.memory.buffer, control, keys, home, slotsCell, mask, valueOffset, lookups: LOOKUPS_PER_BATCH, seed: 0x9e3779b9 ^ (w + 1), index: w },
        }),
    );
    const exited = workers.map((w) => new Promise<number>((resolve, reject) => w.on('exit', resolve).on('error', reject)));

    // Main's churn: a key present is deleted, one absent inserted (E2BIG while the freed elements wait for the grace period).
    const present = new Set<number>();
    let x = 88172645;
    let writes = 0;
    let handshakes = 0;
    const churn = (): void => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const k = keyList[(x >>> 0) % KEYS]!;
      if (present.has(k)) {
        map.delete(key(k));
        present.delete(k);
      } else if (present.size < MAX_ENTRIES / 2) {
        try {
          map.update(key(k), value(k), 0);
          present.add(k);
        } catch (e) {
          expect(e).toMatchObject({ code: 'E2BIG' });
        }
      }
      writes++;
    };
    try {
      for (let b = 1; b <= BATCHES; b++) {
        Atomics.store(ctl, DONE, 0);
        Atomics.store(ctl, EPOCH, b);
        Atomics.notify(ctl, EPOCH);
        // Writes while the batch runs; a few first, so every batch has some even if its readers are quick.
        for (let i = 0; i < 8; i++) churn();
        while (Atomics.load(ctl, DONE) < WORKERS) {
          churn();
          // A reader stopped between a link and its key word goes on after two more writes.
          for (let w = 0; w < WORKERS; w++) {
            if (Atomics.load(ctl, PAUSED + w) !== 1) continue;
            churn();
            churn();
            handshakes++;
            Atomics.store(ctl, PAUSED + w, 0);
            Atomics.notify(ctl, PAUSED + w);
          }
        }
        // No reader runs now: a grace period.
        arena.quiescent();
      }
    } finally {
      Atomics.store(ctl, EPOCH, -1);
      Atomics.notify(ctl, EPOCH);
    }
    expect(await Promise.all(exited)).toEqual(workers.map(() => 0));

    expect({ violations: ctl[VIOLATIONS], firstBad: ctl[VIOLATIONS] === 0 ? null : [ctl[FIRST_BAD], ctl[FIRST_BAD + 1]] }).toEqual({ violations: 0, firstBad: null });
    expect(ctl[LOOKUPS]).toBe(WORKERS * BATCHES * LOOKUPS_PER_BATCH);
    // The run raced: readers hit keys while main wrote (not a measure of time, a check the test did something).
    expect(ctl[HITS]).toBeGreaterThan(0);
    expect(writes).toBeGreaterThan(BATCHES * 8 - 1);
    expect(handshakes).toBeGreaterThan(0);
    // The map is still right.
    for (const k of keyList) expect(map.lookupU32(k) !== 0).toBe(present.has(k));
  });
});
