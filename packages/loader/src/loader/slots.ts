/**
 * Initial values of map-in-map and program array slots (`.values = { [0] = &inner }`,
 * libbpf's init_map_in_map_slots and init_prog_array_slots): each slot gets the id of the map or
 * program it names, once that exists. Reused maps are left as they are.
 */
import { type BpfClient, BpfSyscallError, u32 } from '../client/index.js';
import type { MapSlotInit } from '../object/index.js';
import type { MapRecord } from './maps.js';

/**
 * Writes every `kind` slot of `map` (a map created by this load); `ids` gives the id of each
 * target by name. A target without an id (a program that is not loaded) fails with EBADF, as
 * the update with fd -1 fails in libbpf; the message names the slot and the target.
 */
export async function initSlots(client: BpfClient, map: MapRecord, kind: MapSlotInit['kind'], ids: ReadonlyMap<string, number>): Promise<void> {
  if (!map.entry.owned) return;
  for (const slot of map.spec.initialSlots) {
    if (slot.kind !== kind) continue;
    const what = `failed to initialize slot [${slot.slot}] to ${kind === 'map' ? 'map' : 'prog'} '${slot.name}'`;
    const id = ids.get(slot.name);
    if (id === undefined) throw new BpfSyscallError('EBADF', `${what}: it is not loaded`);
    try {
      await client.mapUpdate(map.entry.id, u32.encode(slot.slot), u32.encode(id));
    } catch (e) {
      if (!(e instanceof BpfSyscallError)) throw e;
      throw new BpfSyscallError(e.code, `${what}: ${e.message}`, { cause: e, errno: e.errno });
    }
  }
}
