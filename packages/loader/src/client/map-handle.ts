import type { MapInfoReply } from '@bpfhive/uapi';
import type { BpfClient } from './bpf-client.js';
import { type Codec, bytes } from './codecs.js';
import { BpfSyscallError } from './errors.js';

/**
 * A map that exists, typed by key and value codecs: `MapHandle.open(client, id, u32, u64)`.
 * The codecs' sizes are checked against the map's key_size and value_size when it opens (EINVAL
 * on a mismatch). Per-CPU maps give and take one slot per CPU: use the `bytes()` codec for them.
 */
export class MapHandle<K = Uint8Array, V = Uint8Array> {
  private constructor(
    private readonly client: BpfClient,
    readonly info: MapInfoReply,
    private readonly keys: Codec<K>,
    private readonly values: Codec<V>,
  ) {}

  get id(): number {
    return this.info.map_id;
  }

  /** The map with this id, or the one pinned at this path. */
  static async open<K = Uint8Array, V = Uint8Array>(
    client: BpfClient,
    map: number | { readonly pinned: string },
    keys: Codec<K> = bytes() as Codec<unknown> as Codec<K>,
    values: Codec<V> = bytes() as Codec<unknown> as Codec<V>,
  ): Promise<MapHandle<K, V>> {
    const id = typeof map === 'number' ? map : await pinnedMapId(client, map.pinned);
    const info = await client.mapInfo(id);
    const mismatch = (what: string, codec: Codec<unknown>, size: number): void => {
      if (codec.size !== undefined && codec.size !== size) {
        throw new BpfSyscallError('EINVAL', `map ${id}: the ${what} codec is ${codec.size} bytes, the map's ${what}_size is ${size}`);
      }
    };
    mismatch('key', keys, info.key_size);
    mismatch('value', values, info.value_size);
    return new MapHandle(client, info, keys, values);
  }

  /** The value, or undefined when the key is absent. */
  async lookup(key: K): Promise<V | undefined> {
    try {
      return this.values.decode(await this.client.mapLookup(this.id, this.keys.encode(key)));
    } catch (e) {
      if (e instanceof BpfSyscallError && e.code === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** Writes with BPF_ANY (0), BPF_NOEXIST (1) or BPF_EXIST (2). */
  update(key: K, value: V, flags = 0): Promise<void> {
    return this.client.mapUpdate(this.id, this.keys.encode(key), this.values.encode(value), flags);
  }

  /** Deletes the key; ENOENT when absent. */
  delete(key: K): Promise<void> {
    return this.client.mapDelete(this.id, this.keys.encode(key));
  }

  /** Every element, a page of lookup_batch at a time. */
  async *entries(): AsyncGenerator<[K, V]> {
    for await (const [key, value] of this.client.mapEntries(this.id)) yield [this.keys.decode(key), this.values.decode(value)];
  }

  freeze(): Promise<void> {
    return this.client.mapFreeze(this.id);
  }

  pin(pathname: string): Promise<void> {
    return this.client.objPin(pathname, { map_id: this.id });
  }
}

/** The id of the map pinned at `path`; EINVAL when a program or link is pinned there. */
export async function pinnedMapId(client: BpfClient, path: string): Promise<number> {
  const object = await client.objGet(path);
  if (!('map_id' in object)) throw new BpfSyscallError('EINVAL', `${path}: not a map`);
  return object.map_id;
}
