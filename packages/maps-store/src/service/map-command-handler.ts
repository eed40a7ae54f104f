import {
  BpfError,
  EmptySchema,
  MapType,
  type MapDeleteBatchRequest,
  MapDeleteBatchRequestSchema,
  type MapKeyRequest,
  MapKeyRequestSchema,
  type MapLookupBatchRequest,
  MapLookupBatchRequestSchema,
  type MapNextKeyRequest,
  MapNextKeyRequestSchema,
  type MapUpdateBatchRequest,
  MapUpdateBatchRequestSchema,
  type MapUpdateRequest,
  MapUpdateRequestSchema,
  type ReplyableMessage,
  fromBase64,
  respond,
  serve,
} from '@bpfhive/uapi';
import * as commands from '../core/map-commands.js';
import type { HostedMap } from '../core/map-commands.js';

/** The commands on `bpf.v1.map.<id>.<command>` that touch a map's data: whoever holds the map answers them. */
export const MAP_DATA_COMMANDS: ReadonlySet<string> = new Set([
  'lookup_elem',
  'update_elem',
  'delete_elem',
  'get_next_key',
  'lookup_and_delete_elem',
  'lookup_batch',
  'update_batch',
  'delete_batch',
  'freeze',
]);

/** Maps whose values name other maps by id (attr->value is an inner map fd in Linux). */
const MAP_IN_MAP: ReadonlySet<number> = new Set([MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS]);

/**
 * Checks the inner maps an update of a map of maps names: each must pass `authorize(id)` as if
 * its id were the command's own (Linux takes an inner map fd, which the caller must hold).
 * Values of another length are left to the engine's EINVAL.
 */
function authorizeInnerMaps(h: HostedMap, values: readonly Uint8Array[], authorize: ((innerMapId?: number) => void) | undefined): void {
  if (!authorize || !MAP_IN_MAP.has(h.map.spec.map_type)) return;
  for (const v of values) if (v.length === 4) authorize(new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true));
}

const bytes = (b64: string | undefined, field: string): Uint8Array => (b64 === undefined ? new Uint8Array(0) : fromBase64(b64, field));
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/**
 * Answers one map data command (MAP_DATA_COMMANDS) on `map()`, with the map-commands rules: the
 * request validated against its schema, the reply as JSON or an errno reply. `changed` runs after
 * a command that changed the map, before the reply (the maps-store stores a pinned map then).
 * `authorize`, when given, runs before anything else for a data command and throws the refusal
 * (the owner check of core/map-access.ts: EPERM), which becomes the reply; for an update of a map
 * of maps it is also called with each inner map id the values name.
 * The kernel-sim answers the commands of the maps it leases with this too.
 */
export function serveMapCommand(
  map: () => HostedMap,
  command: string,
  msg: ReplyableMessage,
  changed: () => Promise<void> = async () => undefined,
  authorize?: (innerMapId?: number) => void,
): Promise<void> {
  if (authorize && MAP_DATA_COMMANDS.has(command)) {
    try {
      authorize();
    } catch (e) {
      return respond(msg, () => {
        throw e;
      });
    }
  }
  const after = async <T>(result: T): Promise<T> => {
    await changed();
    return result;
  };
  switch (command) {
    case 'lookup_elem':
      return serve<MapKeyRequest>(msg, MapKeyRequestSchema, (r) => ({
        value: b64(commands.lookupElem(map(), bytes(r.key, 'key'), r.value === undefined ? undefined : fromBase64(r.value, 'value'), r.flags ?? 0)),
      }));
    case 'update_elem':
      return serve<MapUpdateRequest>(msg, MapUpdateRequestSchema, (r) => {
        const value = fromBase64(r.value, 'value');
        authorizeInnerMaps(map(), [value], authorize);
        commands.updateElem(map(), fromBase64(r.key, 'key'), value, r.flags ?? 0);
        return after({});
      });
    case 'delete_elem':
      return serve<MapKeyRequest>(msg, MapKeyRequestSchema, (r) => {
        commands.deleteElem(map(), bytes(r.key, 'key'));
        return after({});
      });
    case 'lookup_and_delete_elem':
      return serve<MapKeyRequest>(msg, MapKeyRequestSchema, (r) => after({ value: b64(commands.lookupAndDeleteElem(map(), bytes(r.key, 'key'), r.flags ?? 0)) }));
    case 'get_next_key':
      return serve<MapNextKeyRequest>(msg, MapNextKeyRequestSchema, (r) => ({
        next_key: b64(commands.getNextKey(map(), r.key === undefined ? undefined : fromBase64(r.key, 'key'))),
      }));
    case 'lookup_batch':
      return serve<MapLookupBatchRequest>(msg, MapLookupBatchRequestSchema, (r) => {
        const page = commands.lookupBatch(map(), r.in_batch === undefined ? undefined : fromBase64(r.in_batch, 'in_batch'), r.count, r.elem_flags ?? 0);
        return { keys: page.keys.map(b64), values: page.values.map(b64), done: page.done, ...(page.outBatch && { out_batch: b64(page.outBatch) }) };
      });
    case 'update_batch':
      return serve<MapUpdateBatchRequest>(msg, MapUpdateBatchRequestSchema, (r) => {
        const values = r.values.map((v) => fromBase64(v, 'values'));
        authorizeInnerMaps(map(), values, authorize);
        return after({ count: commands.updateBatch(map(), r.keys.map((k) => fromBase64(k, 'keys')), values, r.elem_flags ?? 0) });
      });
    case 'delete_batch':
      return serve<MapDeleteBatchRequest>(msg, MapDeleteBatchRequestSchema, (r) => after({ count: commands.deleteBatch(map(), r.keys.map((k) => fromBase64(k, 'keys'))) }));
    case 'freeze':
      return serve(msg, EmptySchema, () => {
        commands.freezeMap(map());
        return after({});
      });
    default:
      return respond(msg, () => {
        throw new BpfError('EINVAL', `${msg.subject}: unknown map command '${command}'`);
      });
  }
}
