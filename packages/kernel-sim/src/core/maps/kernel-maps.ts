import { type Arena, type BpfMap, mapAtPointer, mapPointer } from '@bpfhive/maps-store';
import type { CallerIdentity } from '@bpfhive/uapi';
import type { MapProvider } from '../ports.js';

/**
 * A map some loaded program holds, as the kernel knows it: its id, the engine, and its pointer —
 * the address `lddw rX, map` loads (Linux loads a `struct bpf_map *`): maps-store's map pointer,
 * a small header block in the arena (map_type, key_size, value_size, max_entries, map_flags).
 */
export interface KernelMap {
  readonly id: number;
  readonly map: BpfMap;
  readonly handle: number;
}

/** A map a helper was handed: one a program holds (with its id), or an inner map of a map-in-map. */
export interface MapArg {
  readonly map: BpfMap;
  readonly handle: number;
  /** Undefined for an inner map reached through its outer map. */
  readonly id?: number;
}

interface Held extends KernelMap {
  holders: number;
}

/**
 * The maps loaded programs hold, refcounted: the first `hold` of an id acquires the map from the
 * MapProvider, the last `put` releases it (a program holds its maps, as in Linux). Helpers find a
 * map from the pointer a program passes them.
 */
export class KernelMaps {
  readonly #byId = new Map<number, Held>();
  readonly #byHandle = new Map<number, Held>();
  readonly #pending = new Map<number, Promise<Held>>();

  constructor(
    private readonly arena: Arena,
    private readonly provider: MapProvider,
  ) {}

  /** Takes a reference on map `id`, acquiring it first if no program holds it. EBADF: no such map. */
  async hold(id: number): Promise<KernelMap> {
    const held = this.#byId.get(id) ?? (await this.#acquire(id));
    held.holders++;
    return held;
  }

  #acquire(id: number): Promise<Held> {
    let pending = this.#pending.get(id);
    if (!pending) {
      pending = this.provider
        .acquire(id)
        .then((map) => {
          const existing = this.#byId.get(id);
          if (existing) return existing;
          const held: Held = { id, map, handle: mapPointer(map), holders: 0 };
          this.#byId.set(id, held);
          this.#byHandle.set(held.handle, held);
          return held;
        })
        .finally(() => this.#pending.delete(id));
      this.#pending.set(id, pending);
    }
    return pending;
  }

  /** EPERM unless `who` may name held map `id` (MapProvider.checkAccess). */
  checkAccess(id: number, who: CallerIdentity, action: string): void {
    this.provider.checkAccess?.(id, who, action);
  }

  /** Drops a reference; the last one releases the map to the provider. */
  put(id: number): void {
    const held = this.#byId.get(id);
    if (!held) return;
    if (--held.holders > 0) return;
    this.#byId.delete(id);
    this.#byHandle.delete(held.handle);
    this.provider.release(id);
  }

  /**
   * The map whose pointer is `address`: a held map, or a map of this arena a held map leads to
   * (an inner map a program looked up in an ARRAY_OF_MAPS / HASH_OF_MAPS); undefined otherwise.
   */
  at(address: bigint | number): MapArg | undefined {
    const a = Number(address);
    const held = this.#byHandle.get(a);
    if (held) return held;
    const inner = this.#byHandle.size > 0 ? mapAtPointer(this.arena, a) : undefined;
    return inner && { map: inner, handle: a };
  }

  /** Every held map. */
  all(): KernelMap[] {
    return [...this.#byId.values()];
  }
}
