import { MapFlag, MapType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from '../arena.js';
import { createMap } from '../create.js';
import type { HashMap } from './hash.js';
import { probeWord } from './hash-probe.js';
import { wasmProbes } from './hash-probe-wasm.js';
import { hashWord } from './key-hash.js';

describe('map hash - the wasm word probe', () => {
  it.each([
    ['1-byte keys', 1, 0],
    ['2-byte keys', 2, MapFlag.ZERO_SEED],
    ['3-byte keys', 3, 0],
    ['4-byte keys', 4, 0],
    ['4-byte keys, zero seed', 4, MapFlag.ZERO_SEED],
  ])('map hash - %s: the wasm probe finds what the JavaScript probe finds, at any key alignment', (_, keySize, flags) => {
    const arena = new Arena();
    const map = createMap({ map_type: MapType.HASH, key_size: keySize, value_size: 4, max_entries: 200, map_flags: flags }, arena) as HashMap;
    const limit = 2 ** (8 * keySize);
    const keys = Array.from({ length: 150 }, (_, n) => (n * 2654435761) % limit >>> 0);
    for (const k of new Set(keys)) map.update(new Uint8Array(new Uint32Array([k]).buffer).subarray(0, keySize), new Uint8Array(4), 0);
    for (const k of keys.slice(0, 40)) map.delete(new Uint8Array(new Uint32Array([k]).buffer).subarray(0, keySize));
    const { seed, capacity, slotsCell } = map.layout;
    const slots = arena.u32[slotsCell >> 2]!;
    const { probe, probeU32 } = wasmProbes(arena.memory);
    expect(wasmProbes(arena.memory).probe).toBe(probe);
    const tailMask = keySize === 4 ? -1 : 2 ** (8 * keySize) - 1;
    const at = arena.alloc(16);
    const deleted = new Set(keys.slice(0, 40));
    const present = new Set(keys.filter((k) => !deleted.has(k)));
    let hits = 0;
    let expectedHits = 0;
    for (let n = 0; n < 400; n++) {
      const k = (n < 150 ? keys[n]! : (n * 40503) % limit) >>> 0;
      const expected = probeWord(arena.u32, slots >> 2, capacity - 1, hashWord(seed | 0, keySize, k) & (capacity - 1), k);
      if (expected !== 0) hits++;
      if (present.has(k)) expectedHits++;
      expect(probeU32(k, slots, capacity - 1, seed ^ keySize) >>> 0).toBe(expected);
      for (const misalign of [0, 1, 3]) {
        // The key's bytes, then bytes past it that the probe must mask off.
        arena.view.setUint32(at + misalign, k | (keySize === 4 ? 0 : 0xa5a5a5a5 << (8 * keySize)), true);
        expect(probe(at + misalign, slots, capacity - 1, seed ^ keySize, tailMask) >>> 0).toBe(expected);
      }
    }
    expect(hits).toBe(expectedHits);
    expect(hits).toBeGreaterThan(0);
  });

  it('map hash - a map in an arena over a memory that is not shared looks its keys up too', () => {
    const arena = new Arena({ memory: new WebAssembly.Memory({ initial: 32 }) });
    const map = createMap({ map_type: MapType.HASH, key_size: 4, value_size: 4, max_entries: 4, map_flags: 0 }, arena) as HashMap;
    map.update(new Uint8Array([7, 0, 0, 0]), new Uint8Array([1, 2, 3, 4]), 0);
    expect([...map.lookup(new Uint8Array([7, 0, 0, 0]))]).toEqual([1, 2, 3, 4]);
    expect(map.lookupU32(8)).toBe(0);
  });
});
