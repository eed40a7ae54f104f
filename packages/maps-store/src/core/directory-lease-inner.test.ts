import { describe, expect, it } from 'vitest';
import { Arena } from './arena.js';
import { MapDirectory } from './directory.js';
import { mapRecords } from './records.js';

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const inner = { map_type: 'array', key_size: 4, value_size: 4, max_entries: 2 } as const;

/**
 * A leased map of maps coming back (checkpointLease, releaseLease): its records name inner maps by
 * id, and an inner map only its slots hold must outlive the replacement of those slots.
 */
function leasedOuter() {
  const d = new MapDirectory(new Arena({ initialPages: 8 }), { leaseTtlMs: 1000, now: () => 0 });
  const freed: number[] = [];
  d.onFree((id) => freed.push(id));
  const a = d.create(inner);
  const b = d.create(inner);
  const outer = d.create({ map_type: 'array_of_maps', key_size: 4, value_size: 4, max_entries: 4, inner_map_id: a });
  d.update(outer, u32(0), u32(a), 0);
  // a is held by the slot only; b by its handle only.
  d.close(a);
  const { epoch } = d.grantLease(outer, 'kernel-sim-1');
  return { d, freed, a, b, outer, epoch };
}

describe('map directory - leases of maps of maps', () => {
  it('map lease - a checkpoint naming the same inner map keeps it, though only the slot it replaces held it', () => {
    const { d, freed, a, outer, epoch } = leasedOuter();
    expect(d.checkpointLease(outer, 'kernel-sim-1', epoch, [[u32(0), u32(a)]])).toEqual([]);
    expect([freed, d.has(a), d.lookup(outer, u32(0))]).toEqual([[], true, u32(a)]);
  });

  it('map lease - a release whose slots name another inner map frees the one only the old slot held', () => {
    const { d, freed, a, b, outer, epoch } = leasedOuter();
    expect(d.releaseLease(outer, 'kernel-sim-1', epoch, [[u32(2), u32(b)]])).toEqual([]);
    expect([freed, d.has(a), mapRecords(d.get(outer))]).toEqual([[a], false, [[u32(2), u32(b)]]]);
    // b outlives its handle now: the slot holds it.
    d.close(b);
    expect(d.has(b)).toBe(true);
  });

  it('map lease - a record naming no map is left out and reported; the others load', () => {
    const { d, a, outer, epoch } = leasedOuter();
    const rejected = d.checkpointLease(outer, 'kernel-sim-1', epoch, [
      [u32(0), u32(a)],
      [u32(1), u32(99)],
    ]);
    expect(rejected.map((r) => [r.key, r.error.code, r.error.message])).toEqual([[u32(1), 'EBADF', 'update: no map with id 99']]);
    expect(mapRecords(d.get(outer))).toEqual([[u32(0), u32(a)]]);
  });
});
