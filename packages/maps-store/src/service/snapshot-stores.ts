import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { MapSnapshot, SnapshotStore } from '../core/snapshot.js';

/** Snapshots in a JetStream key-value bucket, one key per map: `map.<id>`. */
export async function kvSnapshotStore(nc: NatsConnection, bucket = 'bpfhive_maps'): Promise<SnapshotStore> {
  const kv: KV = await new Kvm(jetstream(nc)).create(bucket, { history: 1, description: 'bpfhive pinned maps' });
  return {
    description: `JetStream KV ${bucket}`,
    save: async (snapshot) => {
      await kv.put(`map.${snapshot.map_id}`, JSON.stringify(snapshot));
    },
    remove: async (id) => {
      await kv.purge(`map.${id}`);
    },
    loadAll: async () => {
      const out: MapSnapshot[] = [];
      for await (const key of await kv.keys('map.*')) {
        const entry = await kv.get(key);
        if (entry && entry.operation === 'PUT') out.push(JSON.parse(entry.string()) as MapSnapshot);
      }
      return out;
    },
  };
}

/** Snapshots as files `map-<id>.json` in a directory, each written whole then renamed into place. */
export async function fileSnapshotStore(dir: string): Promise<SnapshotStore> {
  await mkdir(dir, { recursive: true });
  const file = (id: number) => join(dir, `map-${id}.json`);
  return {
    description: `files in ${dir}`,
    save: async (snapshot) => {
      const tmp = `${file(snapshot.map_id)}.tmp`;
      await writeFile(tmp, JSON.stringify(snapshot));
      await rename(tmp, file(snapshot.map_id));
    },
    remove: async (id) => {
      await rm(file(id), { force: true });
    },
    loadAll: async () => {
      const names = (await readdir(dir)).filter((n) => /^map-\d+\.json$/.test(n));
      return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(dir, n), 'utf8')) as MapSnapshot));
    },
  };
}
