import {
  BpfError,
  EmptySchema,
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

const bytes = (b64: string | undefined, field: string): Uint8Array => (b64 === undefined ? new Uint8Array(0) : fromBase64(b64, field));
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/**
 * Answers one map data command (MAP_DATA_COMMANDS) on `map()`, with the map-commands rules: the
 * request validated against its schema, the reply as JSON or an errno reply. `changed` runs after
 * a command that changed the map, before the reply (the maps-store stores a pinned map then).
 * The kernel-sim answers the commands of the maps it leases with this too.
 */
export function serveMapCommand(map: () => HostedMap, command: string, msg: ReplyableMessage, changed: () => Promise<void> = async () => undefined): Promise<void> {
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
        commands.updateElem(map(), fromBase64(r.key, 'key'), fromBase64(r.value, 'value'), r.flags ?? 0);
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
        const page = commands.lookupBatch(map(), r.in_batch === undefined ? undefined : fromBase64(r.in_batch, 'in_batch'), r.count);
        return { keys: page.keys.map(b64), values: page.values.map(b64), done: page.done, ...(page.outBatch && { out_batch: b64(page.outBatch) }) };
      });
    case 'update_batch':
      return serve<MapUpdateBatchRequest>(msg, MapUpdateBatchRequestSchema, (r) =>
        after({ count: commands.updateBatch(map(), r.keys.map((k) => fromBase64(k, 'keys')), r.values.map((v) => fromBase64(v, 'values')), r.elem_flags ?? 0) }),
      );
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
