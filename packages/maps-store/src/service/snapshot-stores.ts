import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { MapSnapshot, ObjectPinsRecord, SnapshotStore } from '../core/snapshot.js';

/** The map id high-water mark as stored (key `ids.map`, file `ids-map.json`). */
interface IdMarkRecord {
  readonly mark: number;
}

/** Snapshots in a JetStream key-value bucket, one key per map (`map.<id>`) and per pinned program or link (`prog.<id>`, `link.<id>`), and the map id high-water mark (`ids.map`). */
export async function kvSnapshotStore(nc: NatsConnection, bucket = 'bpfhive_maps'): Promise<SnapshotStore> {
  const kv: KV = await new Kvm(jetstream(nc)).create(bucket, { history: 1, description: 'bpfhive pinned maps' });
  const loadJson = async <T>(filter: string): Promise<T[]> => {
    const out: T[] = [];
    for await (const key of await kv.keys(filter)) {
      const entry = await kv.get(key);
      if (entry && entry.operation === 'PUT') out.push(JSON.parse(entry.string()) as T);
    }
    return out;
  };
  return {
    description: `JetStream KV ${bucket}`,
    save: async (snapshot) => {
      await kv.put(`map.${snapshot.map_id}`, JSON.stringify(snapshot));
    },
    remove: async (id) => {
      await kv.purge(`map.${id}`);
    },
    loadAll: () => loadJson<MapSnapshot>('map.*'),
    saveObjectPins: async (record) => {
      await kv.put(`${record.kind}.${record.id}`, JSON.stringify(record));
    },
    removeObjectPins: async (kind, id) => {
      await kv.purge(`${kind}.${id}`);
    },
    loadObjectPins: async () => [...(await loadJson<ObjectPinsRecord>('prog.*')), ...(await loadJson<ObjectPinsRecord>('link.*'))],
    saveIdMark: async (mark) => {
      await kv.put('ids.map', JSON.stringify({ mark }));
    },
    loadIdMark: async () => {
      const entry = await kv.get('ids.map');
      return entry && entry.operation === 'PUT' ? (JSON.parse(entry.string()) as IdMarkRecord).mark : undefined;
    },
  };
}

/** Snapshots as files `map-<id>.json` (and `prog-<id>.json`, `link-<id>.json` for pins of programs and links) in a directory, each written whole then renamed into place. */
export async function fileSnapshotStore(dir: string): Promise<SnapshotStore> {
  await mkdir(dir, { recursive: true });
  const file = (id: number, kind = 'map') => join(dir, `${kind}-${id}.json`);
  const write = async (path: string, value: unknown): Promise<void> => {
    await writeFile(`${path}.tmp`, JSON.stringify(value));
    await rename(`${path}.tmp`, path);
  };
  const loadJson = async <T>(pattern: RegExp): Promise<T[]> => {
    const names = (await readdir(dir)).filter((n) => pattern.test(n));
    return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(dir, n), 'utf8')) as T));
  };
  return {
    description: `files in ${dir}`,
    save: (snapshot) => write(file(snapshot.map_id), snapshot),
    remove: async (id) => {
      await rm(file(id), { force: true });
    },
    loadAll: () => loadJson<MapSnapshot>(/^map-\d+\.json$/),
    saveObjectPins: (record) => write(file(record.id, record.kind), record),
    removeObjectPins: async (kind, id) => {
      await rm(file(id, kind), { force: true });
    },
    loadObjectPins: () => loadJson<ObjectPinsRecord>(/^(prog|link)-\d+\.json$/),
    saveIdMark: (mark) => write(join(dir, 'ids-map.json'), { mark }),
    loadIdMark: async () => {
      try {
        return (JSON.parse(await readFile(join(dir, 'ids-map.json'), 'utf8')) as IdMarkRecord).mark;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
  };
}
