import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MapType } from '@bpfhive/uapi';
import { fileSnapshotStore } from '../service/snapshot-stores.js';
import { Arena } from './arena.js';
import { MapDirectory } from './directory.js';
import { type IdMarkStore, MapIdReservation } from './map-ids.js';

const hash = { map_type: MapType.HASH, key_size: 4, value_size: 8, max_entries: 4 } as const;

/** A mark store in memory that counts its writes; `fail` makes saves reject. */
class CountingStore implements IdMarkStore {
  mark: number | undefined;
  writes = 0;
  fail = false;
  async saveIdMark(mark: number): Promise<void> {
    if (this.fail) throw new Error('store: disk full');
    this.writes++;
    this.mark = mark;
  }
  async loadIdMark(): Promise<number | undefined> {
    return this.mark;
  }
}

const directory = () => new MapDirectory(new Arena({ initialPages: 4 }));

const create = (d: MapDirectory, ids: MapIdReservation): Promise<number> => ids.allocate(() => d.create(hash));

describe('map ids', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('map ids - a block of ids costs one store write, and the stored mark is always above every id handed out', async () => {
    const store = new CountingStore();
    const d = directory();
    const ids = new MapIdReservation(d, store, { block: 4 });
    await ids.restore();
    const created: number[] = [];
    for (let i = 0; i < 9; i++) {
      created.push(await create(d, ids));
      expect(store.mark).toBeGreaterThan(created.at(-1)!);
    }
    expect(created).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(store.writes).toBe(3);
  });

  it('map ids - concurrent creates share one write and never take an unreserved id', async () => {
    const store = new CountingStore();
    const d = directory();
    const ids = new MapIdReservation(d, store, { block: 3 });
    const created = await Promise.all(Array.from({ length: 7 }, () => create(d, ids)));
    expect(new Set(created).size).toBe(7);
    expect(store.mark).toBeGreaterThan(Math.max(...created));
  });

  it('map ids - after a restart ids continue above every id handed out before, though no map was restored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bpfhive-ids-'));
    dirs.push(dir);
    const before = directory();
    const first = new MapIdReservation(before, await fileSnapshotStore(dir), { block: 16 });
    await first.restore();
    const handedOut = [await create(before, first), await create(before, first)];
    const after = directory();
    const second = new MapIdReservation(after, await fileSnapshotStore(dir), { block: 16 });
    await second.restore();
    const next = await create(after, second);
    expect(next).toBeGreaterThan(Math.max(...handedOut));
  });

  it('map ids - a failing store hands out no id', async () => {
    const store = new CountingStore();
    store.fail = true;
    const d = directory();
    const ids = new MapIdReservation(d, store);
    await expect(create(d, ids)).rejects.toThrow('disk full');
    expect(d.nextMapId).toBe(1);
    store.fail = false;
    expect(await create(d, ids)).toBe(1);
  });

  it('map ids - an unknown id from before the restart may be a live leased map for one grace time; a re-registered or later id is not', async () => {
    const store = new CountingStore();
    store.mark = 100;
    let now = 0;
    const d = directory();
    const ids = new MapIdReservation(d, store, { graceMs: 1000, now: () => now });
    await ids.restore();
    expect(ids.mayBeUnannounced(42)).toBe(true);
    expect(ids.mayBeUnannounced(100)).toBe(false);
    expect(d.adoptLeased(42, { ...hash, map_flags: 0 }, false, 'kernel-a', 3)).toBe(true);
    expect(d.leases.get(42)).toMatchObject({ holder: 'kernel-a', epoch: 3 });
    expect(ids.mayBeUnannounced(42)).toBe(false);
    now = 1000;
    expect(ids.mayBeUnannounced(43)).toBe(false);
  });
});
