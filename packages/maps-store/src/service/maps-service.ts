import type { NatsConnection } from '@nats-io/transport-node';
import { type Service, type ServiceMsg, Svcm } from '@nats-io/services';
import {
  BpfError,
  DEFAULT_IDENTITY_POLICY,
  EmptySchema,
  type GetNextIdRequest,
  GetNextIdRequestSchema,
  type IdentityPolicy,
  type MapCreateRequest,
  MapCreateRequestSchema,
  type ObjGetRequest,
  ObjGetRequestSchema,
  type ObjPinRequest,
  ObjPinRequestSchema,
  SUBJECT_PREFIX,
  ServiceNames,
  Subjects,
  callerIdentity,
  requireCapability,
  respond,
  serve,
} from '@bpfhive/uapi';
import type { MapDirectory } from '../core/directory.js';
import type { PinnedMapSaver } from '../core/pinned-saver.js';
import { LeaseEndpoints } from './lease-endpoints.js';
import { MAP_DATA_COMMANDS, serveMapCommand } from './map-command-handler.js';
import { PinOwners, checkMapCreate } from './map-privileges.js';

export interface MapsServiceOptions {
  readonly version: string;
  readonly directory: MapDirectory;
  /** Keeps pinned maps durable; every change to one is stored before the reply. */
  readonly saver?: PinnedMapSaver;
  /** Where lease events go (grants, releases, expiries); default nowhere. */
  readonly log?: (line: string) => void;
  /** How callers get their capabilities (wire/identity.ts); default: embedded, the default roles. */
  readonly identity?: IdentityPolicy;
}

/** `bpf.v1.<a>.<id>.<command>`: the id (EINVAL unless a number) and the command. */
function idAndCommand(msg: ServiceMsg, at: number): { id: number; command: string } | undefined {
  const parts = msg.subject.split('.');
  const idText = parts[at] ?? '';
  if (!/^\d+$/.test(idText)) {
    void respond(msg, () => {
      throw new BpfError('EINVAL', `${msg.subject}: the map id must be a number`);
    });
    return undefined;
  }
  return { id: Number(idText), command: parts[at + 1] ?? '' };
}

/**
 * The NATS adapter of the maps-store: the micro service `maps-store`, serving map_create, the
 * map commands of every map it hosts, map_get_next_id, the pin namespace and leases. Each request
 * is validated against its schema; failures are errno replies, never crashes. While a map is
 * leased, its data commands get no answer from here: the holder answers them. map_create,
 * map_get_next_id, obj_pin and obj_get apply Linux's privilege checks (map-privileges.ts).
 */
export async function startMapsService(nc: NatsConnection, options: MapsServiceOptions): Promise<Service> {
  const { directory, saver } = options;
  const svcm = new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]);
  const service = await svcm.add({ name: ServiceNames.mapsStore, version: options.version, description: 'map directory, pins, and every map no kernel is using' });
  const endpoint = (name: string, subject: string, handle: (msg: ServiceMsg) => unknown): void => {
    service.addEndpoint(name, { subject, handler: (err, msg) => (err ? undefined : void handle(msg)) });
  };
  const leases = new LeaseEndpoints(directory, saver, options.log);
  const policy = options.identity ?? DEFAULT_IDENTITY_POLICY;
  const pinOwners = new PinOwners();
  endpoint('map_create', Subjects.mapCreate, (msg) =>
    serve<MapCreateRequest>(msg, MapCreateRequestSchema, (r) => {
      checkMapCreate(callerIdentity(msg, policy), r.map_type);
      return {
        map_id: directory.create({
          map_type: r.map_type,
          key_size: r.key_size,
          value_size: r.value_size,
          max_entries: r.max_entries,
          ...(r.map_flags !== undefined && { map_flags: r.map_flags }),
          ...(r.map_name !== undefined && { map_name: r.map_name }),
          ...(r.map_extra !== undefined && { map_extra: r.map_extra }),
          ...(r.inner_map_id !== undefined && { inner_map_id: r.inner_map_id }),
        }),
      };
    }),
  );
  endpoint('map', `${SUBJECT_PREFIX}.map.*.*`, (msg) => {
    const target = idAndCommand(msg, 3);
    if (!target) return;
    const { id, command } = target;
    if (command === 'info') return serve(msg, EmptySchema, () => directory.info(id));
    // A leased map's data is with its holder, which answers on the same subject.
    if (MAP_DATA_COMMANDS.has(command) && directory.isLeased(id)) return;
    return serveMapCommand(() => directory.hosted(id), command, msg, () => saver?.persist(id) ?? Promise.resolve());
  });
  endpoint('map_lease', `${SUBJECT_PREFIX}.internal.map.*.*`, (msg) => {
    const target = idAndCommand(msg, 4);
    return target && leases.handle(target.id, target.command, msg);
  });
  endpoint('lease_renew', Subjects.leaseRenew, (msg) => leases.renew(msg));
  endpoint('map_get_next_id', Subjects.getNextId('map'), (msg) =>
    serve<GetNextIdRequest>(msg, GetNextIdRequestSchema, (r) => {
      requireCapability(callerIdentity(msg, policy), 'CAP_SYS_ADMIN', 'map_get_next_id');
      return { next_id: directory.nextId(r.start_id) };
    }),
  );
  endpoint('obj_pin', Subjects.objPin, (msg) =>
    serve<ObjPinRequest>(msg, ObjPinRequestSchema, (r) => {
      directory.pin(r.pathname, r.map_id);
      pinOwners.record(r.pathname, callerIdentity(msg, policy));
      return saver ? saver.persist(r.map_id).then(() => ({})) : {};
    }),
  );
  endpoint('obj_get', Subjects.objGet, (msg) =>
    serve<ObjGetRequest>(msg, ObjGetRequestSchema, (r) => {
      const map_id = directory.pinned(r.pathname);
      pinOwners.checkGet(r.pathname, callerIdentity(msg, policy));
      return { map_id };
    }),
  );
  const stopExpiry = leases.startExpiry(Math.max(50, Math.min(1000, directory.leases.ttlMs / 4)));
  void service.stopped.then(stopExpiry);
  return service;
}
