import type { NatsConnection } from '@nats-io/transport-node';
import { type Service, type ServiceMsg, Svcm } from '@nats-io/services';
import {
  BpfError,
  EmptySchema,
  type GetNextIdRequest,
  GetNextIdRequestSchema,
  type MapCreateRequest,
  MapCreateRequestSchema,
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
  type ObjGetRequest,
  ObjGetRequestSchema,
  type ObjPinRequest,
  ObjPinRequestSchema,
  SUBJECT_PREFIX,
  ServiceNames,
  Subjects,
  fromBase64,
  respond,
  serve,
  toBase64,
} from '@bpfhive/uapi';
import type { MapDirectory } from '../core/directory.js';
import type { PinnedMapSaver } from '../core/pinned-saver.js';

export interface MapsServiceOptions {
  readonly version: string;
  readonly directory: MapDirectory;
  /** Keeps pinned maps durable; every change to one is stored before the reply. */
  readonly saver?: PinnedMapSaver;
}

const key = (b64: string, field = 'key'): Uint8Array => fromBase64(b64, field);

/** The map commands by name: bpf.v1.map.<id>.<command>. Changes to a pinned map are stored before the reply. */
function mapCommand(directory: MapDirectory, saver: PinnedMapSaver | undefined, id: number, command: string, msg: ServiceMsg): Promise<void> {
  const changed = async <T>(result: T): Promise<T> => {
    await saver?.persist(id);
    return result;
  };
  switch (command) {
    case 'lookup_elem':
      return serve<MapKeyRequest>(msg, MapKeyRequestSchema, (r) => ({ value: toBase64(directory.lookup(id, key(r.key))) }));
    case 'update_elem':
      return serve<MapUpdateRequest>(msg, MapUpdateRequestSchema, (r) => {
        directory.update(id, key(r.key), fromBase64(r.value, 'value'), r.flags ?? 0);
        return changed({});
      });
    case 'delete_elem':
      return serve<MapKeyRequest>(msg, MapKeyRequestSchema, (r) => {
        directory.delete(id, key(r.key));
        return changed({});
      });
    case 'lookup_and_delete_elem':
      return serve<MapKeyRequest>(msg, MapKeyRequestSchema, (r) => changed({ value: toBase64(directory.lookupAndDelete(id, key(r.key))) }));
    case 'get_next_key':
      return serve<MapNextKeyRequest>(msg, MapNextKeyRequestSchema, (r) => ({
        next_key: toBase64(directory.getNextKey(id, r.key === undefined ? undefined : key(r.key))),
      }));
    case 'lookup_batch':
      return serve<MapLookupBatchRequest>(msg, MapLookupBatchRequestSchema, (r) => {
        const page = directory.lookupBatch(id, r.in_batch === undefined ? undefined : key(r.in_batch, 'in_batch'), r.count);
        return {
          keys: page.keys.map(toBase64),
          values: page.values.map(toBase64),
          done: page.done,
          ...(page.outBatch && { out_batch: toBase64(page.outBatch) }),
        };
      });
    case 'update_batch':
      return serve<MapUpdateBatchRequest>(msg, MapUpdateBatchRequestSchema, (r) =>
        changed({ count: directory.updateBatch(id, r.keys.map((k) => key(k)), r.values.map((v) => fromBase64(v, 'values')), r.elem_flags ?? 0) }),
      );
    case 'delete_batch':
      return serve<MapDeleteBatchRequest>(msg, MapDeleteBatchRequestSchema, (r) => changed({ count: directory.deleteBatch(id, r.keys.map((k) => key(k))) }));
    case 'freeze':
      return serve(msg, EmptySchema, () => {
        directory.freeze(id);
        return changed({});
      });
    case 'info':
      return serve(msg, EmptySchema, () => directory.info(id));
    default:
      return respond(msg, () => {
        throw new BpfError('EINVAL', `${msg.subject}: unknown map command '${command}'`);
      });
  }
}

/**
 * The NATS adapter of the maps-store: the micro service `maps-store`, serving map_create, the
 * map commands of every map it hosts, map_get_next_id and the pin namespace. Each request is
 * validated against its schema; failures are errno replies, never crashes.
 */
export async function startMapsService(nc: NatsConnection, options: MapsServiceOptions): Promise<Service> {
  const { directory, saver } = options;
  const svcm = new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]);
  const service = await svcm.add({ name: ServiceNames.mapsStore, version: options.version, description: 'map directory, pins, and every map no kernel is using' });
  const endpoint = (name: string, subject: string, handle: (msg: ServiceMsg) => unknown): void => {
    service.addEndpoint(name, { subject, handler: (err, msg) => (err ? undefined : void handle(msg)) });
  };
  endpoint('map_create', Subjects.mapCreate, (msg) =>
    serve<MapCreateRequest>(msg, MapCreateRequestSchema, (r) => ({
      map_id: directory.create({
        map_type: r.map_type,
        key_size: r.key_size,
        value_size: r.value_size,
        max_entries: r.max_entries,
        ...(r.map_flags !== undefined && { map_flags: r.map_flags }),
        ...(r.map_name !== undefined && { map_name: r.map_name }),
      }),
    })),
  );
  endpoint('map', `${SUBJECT_PREFIX}.map.*.*`, (msg) => {
    const [, , , idText, command] = msg.subject.split('.');
    const id = Number(idText);
    if (!/^\d+$/.test(idText ?? '')) return respond(msg, () => {
      throw new BpfError('EINVAL', `${msg.subject}: the map id must be a number`);
    });
    return mapCommand(directory, saver, id, command ?? '', msg);
  });
  endpoint('map_get_next_id', Subjects.getNextId('map'), (msg) =>
    serve<GetNextIdRequest>(msg, GetNextIdRequestSchema, (r) => ({ next_id: directory.nextId(r.start_id) })),
  );
  endpoint('obj_pin', Subjects.objPin, (msg) =>
    serve<ObjPinRequest>(msg, ObjPinRequestSchema, (r) => {
      directory.pin(r.pathname, r.map_id);
      return saver ? saver.persist(r.map_id).then(() => ({})) : {};
    }),
  );
  endpoint('obj_get', Subjects.objGet, (msg) => serve<ObjGetRequest>(msg, ObjGetRequestSchema, (r) => ({ map_id: directory.pinned(r.pathname) })));
  return service;
}
