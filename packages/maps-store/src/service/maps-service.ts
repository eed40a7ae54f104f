import type { NatsConnection } from '@nats-io/transport-node';
import { type Service, type ServiceMsg, Svcm } from '@nats-io/services';
import {
  BpfError,
  DEFAULT_IDENTITY_POLICY,
  EmptySchema,
  type GetNextIdRequest,
  GetNextIdRequestSchema,
  type IdentityPolicy,
  type LimitPolicy,
  type MapCreateRequest,
  MapCreateRequestSchema,
  type ObjGetRequest,
  ObjGetRequestSchema,
  type ObjPinRequest,
  ObjPinRequestSchema,
  type ObjListRequest,
  ObjListRequestSchema,
  type ObjUnpinRequest,
  ObjUnpinRequestSchema,
  ResourceLedger,
  SESSION_TTL,
  SUBJECT_PREFIX,
  ServiceNames,
  Subjects,
  callerIdentity,
  requireCapability,
  respond,
  serve,
  serviceStatsHandler,
} from '@bpfhive/uapi';
import type { MapDirectory } from '../core/directory.js';
import { type KernelPinPort, PinCommands } from '../core/pin-commands.js';
import type { MapIdReservation } from '../core/map-ids.js';
import type { PinnedMapSaver } from '../core/pinned-saver.js';
import { type ForwardedRequest, NatsKernelPins } from './kernel-pins.js';
import { NatsMapBtf } from './map-btf-fetch.js';
import { LeaseEndpoints } from './lease-endpoints.js';
import { MAP_DATA_COMMANDS, serveMapCommand } from './map-command-handler.js';
import { MapCharges } from './map-limits.js';
import { checkMapCreate } from './map-privileges.js';
import { pinRefOf } from './pin-request.js';
import { MapSessions } from './session-endpoints.js';

export interface MapsServiceOptions {
  readonly version: string;
  readonly directory: MapDirectory;
  /** Keeps pinned maps durable; every change to one is stored before the reply. */
  readonly saver?: PinnedMapSaver;
  /** Where lease events go (grants, releases, expiries); default nowhere. */
  readonly log?: (line: string) => void;
  /** How callers get their capabilities (wire/identity.ts); default: embedded, the default roles. */
  readonly identity?: IdentityPolicy;
  /** The kernel's pin references of programs and links; default: the kernel-sim over this connection. */
  readonly kernelPins?: KernelPinPort<ForwardedRequest>;
  /** Map memory and maps per account (wire/limits.ts); default: the default limits. */
  readonly limits?: LimitPolicy;
  /** CPUs per-CPU maps keep values for, as the directory was made with (for the memory charge); default 1. */
  readonly cpus?: number;
  /** Keeps map ids unique across restarts (core/map-ids.ts); without it ids start over at each start. */
  readonly ids?: MapIdReservation;
  /** Where map_create reads the BTF objects btf_id names; default: the kernel-sim over this connection. */
  readonly btf?: Pick<NatsMapBtf, 'portFor'>;
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
 * map_get_next_id, obj_pin, obj_get, obj_unpin and obj_list apply Linux's privilege checks
 * (map-privileges.ts); pins of programs and links also take the kernel's (pin-commands.ts).
 */
export async function startMapsService(nc: NatsConnection, options: MapsServiceOptions): Promise<Service> {
  const { directory, saver } = options;
  const svcm = new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]);
  const charges = new MapCharges(new ResourceLedger(options.limits), directory, options.cpus ?? 1);
  // Maps restored from snapshots are charged to their owners again.
  charges.chargeRestored(options.log);
  const service = await svcm.add({
    name: ServiceNames.mapsStore,
    version: options.version,
    description: 'map directory, pins, and every map no kernel is using',
    statsHandler: serviceStatsHandler(() => charges.stats()),
  });
  const endpoint = (name: string, subject: string, handle: (msg: ServiceMsg) => unknown): void => {
    service.addEndpoint(name, { subject, handler: (err, msg) => (err ? undefined : void handle(msg)) });
  };
  const leases = new LeaseEndpoints(directory, saver, options.log, () => charges.chargeRestored(options.log));
  const policy = options.identity ?? DEFAULT_IDENTITY_POLICY;
  const pinOwners = directory.pinOwners;
  const pins = new PinCommands<ForwardedRequest>(directory, options.kernelPins ?? new NatsKernelPins(nc), saver);
  const mapBtf = options.btf ?? new NatsMapBtf(nc);
  const sessions = new MapSessions(nc, directory, { policy, ...(options.log && { log: options.log }) });
  sessions.addEndpoints(endpoint);
  endpoint('map_create', Subjects.mapCreate, (msg) =>
    serve<MapCreateRequest>(msg, MapCreateRequestSchema, async (r) => {
      const who = callerIdentity(msg, policy);
      checkMapCreate(who, r.map_type);
      // inner_map_id names a map as attr->inner_map_fd does: the caller must be able to open it.
      if (r.inner_map_id !== undefined) directory.access.check(r.inner_map_id, who, 'map_create (inner_map_id)');
      // btf_id names a BTF object of the kernel-sim, read for the caller and checked at create (map-btf-fetch.ts).
      const btf = await mapBtf.portFor(r, msg);
      // The id is durably reserved before it is handed out (a restart never hands it out again).
      const allocate = <T>(create: () => T): T | Promise<T> => (options.ids ? options.ids.allocate(create) : create());
      return {
        // Under the request's Bpf-Session, if any: the session holds the creator's handle.
        map_id: await allocate(() => sessions.create(msg, who, () => charges.create(who, {
          map_type: r.map_type,
          key_size: r.key_size,
          value_size: r.value_size,
          max_entries: r.max_entries,
          ...(r.map_flags !== undefined && { map_flags: r.map_flags }),
          ...(r.map_name !== undefined && { map_name: r.map_name }),
          ...(r.map_extra !== undefined && { map_extra: r.map_extra }),
          ...(r.inner_map_id !== undefined && { inner_map_id: r.inner_map_id }),
          ...(r.btf_id !== undefined && { btf_id: r.btf_id }),
          ...(r.btf_key_type_id !== undefined && { btf_key_type_id: r.btf_key_type_id }),
          ...(r.btf_value_type_id !== undefined && { btf_value_type_id: r.btf_value_type_id }),
          ...(btf && { btf }),
        }))),
      };
    }),
  );
  endpoint('map', `${SUBJECT_PREFIX}.map.*.*`, (msg) => {
    const target = idAndCommand(msg, 3);
    if (!target) return;
    const { id, command } = target;
    const who = callerIdentity(msg, policy);
    // An id is not a file descriptor: every command on a map by id needs the right to open it (core/map-access.ts: EPERM).
    if (command === 'info') {
      return serve(msg, EmptySchema, () => {
        directory.access.check(id, who, 'map info');
        return directory.info(id);
      });
    }
    // close(2) of the creator's fd: freed (and uncharged) unless a pin, lease or map of maps holds it.
    if (command === 'close') {
      return serve(msg, EmptySchema, () => {
        charges.checkClose(who, id);
        directory.close(id);
        return {};
      });
    }
    // A leased map's data is with its holder, which answers on the same subject (with the same owner check, from the lease).
    if (MAP_DATA_COMMANDS.has(command) && (directory.isLeased(id) || options.ids?.mayBeUnannounced(id))) return;
    return serveMapCommand(
      () => directory.hosted(id),
      command,
      msg,
      () => saver?.persist(id) ?? Promise.resolve(),
      (inner) => (inner === undefined ? directory.access.check(id, who, `map ${command}`) : directory.access.check(inner, who, `map ${command} (inner map)`)),
    );
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
    serve<ObjPinRequest>(msg, ObjPinRequestSchema, async (r) => {
      const who = callerIdentity(msg, policy);
      const ref = pinRefOf(r);
      // BPF_OBJ_PIN takes an fd: pinning a map needs the right to open it by id (the kernel-sim checks programs and links).
      if (ref.kind === 'map') directory.access.check(ref.id, who, 'obj_pin');
      await pins.pin(r.pathname, ref, msg, who);
      return {};
    }),
  );
  endpoint('obj_get', Subjects.objGet, (msg) =>
    serve<ObjGetRequest>(msg, ObjGetRequestSchema, async (r) => {
      directory.pins.get(r.pathname);
      const who = callerIdentity(msg, policy);
      pinOwners.checkGet(r.pathname, who);
      const { kind, id } = await pins.get(r.pathname, msg);
      // The fd BPF_OBJ_GET returns: the getter may use the map by id from now on (kept with the pinned map's snapshot).
      if (kind === 'map' && directory.access.grant(id, who)) await saver?.persist(id);
      return { [`${kind}_id`]: id };
    }),
  );
  endpoint('obj_unpin', Subjects.objUnpin, (msg) =>
    serve<ObjUnpinRequest>(msg, ObjUnpinRequestSchema, async (r) => {
      directory.pins.get(r.pathname);
      pinOwners.checkUnlink(r.pathname, callerIdentity(msg, policy));
      await pins.unpin(r.pathname);
      pinOwners.forget(r.pathname);
      return {};
    }),
  );
  // A read-only listing (bpftool --bpffs): the pins obj_get would open for this caller.
  endpoint('obj_list', Subjects.objList, (msg) =>
    serve<ObjListRequest>(msg, ObjListRequestSchema, (r) => {
      const who = callerIdentity(msg, policy);
      const prefix = r.prefix ?? '';
      return {
        pins: directory.pins
          .list()
          .filter((p) => p.path.startsWith(prefix) && pinOwners.visible(p.path, who))
          .map((p) => ({ pathname: p.path, kind: p.target.kind, id: p.target.id })),
      };
    }),
  );
  const stopExpiry = leases.startExpiry(Math.max(50, Math.min(1000, directory.leases.ttlMs / 4)));
  void service.stopped.then(stopExpiry);
  const stopSessionExpiry = sessions.startExpiry(SESSION_TTL.min / 2);
  void service.stopped.then(stopSessionExpiry);
  return service;
}
