import type { FromSchema } from 'json-schema-to-ts';
import { base64, u32 } from './common.js';
import { mapBtfIds, mapValueFields } from './maps.js';

/**
 * Map leases (DESIGN.md §4): how a kernel takes a map's data from the maps-store and gives it back.
 *
 * 1. The holder (a kernel-sim, named by a string unique to it, e.g. `kernel-sim-<uuid>`)
 *    subscribes to `bpf.v1.map.<id>.>` and flushes, but does not answer yet.
 * 2. `bpf.v1.internal.map.<id>.lease {holder}` → `{spec, epoch, snapshot, ttl_ms, access?}`: spec is the
 *    map_create fields with map_id and frozen, snapshot the map image (base64; u32 count, then per
 *    record u32 key length, key, u32 value length, value, little-endian — what the maps-store
 *    engines' records() give and restoreRecord/update take back). Errors: ENOENT (no such map),
 *    EBUSY (another holder has it); `access` says who may name the map by id (the holder applies
 *    the maps-store's owner check to the commands it answers). The same holder asking again gets a new epoch and the last
 *    checkpoint. From the reply on, the maps-store stays silent on the map's data commands
 *    (lookup_elem, update_elem, delete_elem, get_next_key, lookup_and_delete_elem, lookup_batch,
 *    update_batch, delete_batch, freeze): the holder answers them (NATS request/reply takes the
 *    first reply). `info`, pins (obj_pin, obj_get) and map_get_next_id stay with the maps-store.
 * 3. `bpf.v1.internal.lease_renew {holder, maps?}` → `{leases: [{map_id, epoch, access?}], ttl_ms}`, at
 *    least once per ttl_ms (one heartbeat per holder renews all its leases; the reply lists what it
 *    still holds — a map missing from it was lost — with each map's access now). `maps` lists the holder's maps as `{spec,
 *    epoch, access?}`: a restarted maps-store restores only pinned maps, so it registers a listed map it
 *    does not know (a live unpinned map) as leased to the holder under that epoch, with empty
 *    contents, and names it in the reply's `checkpoint`: the holder checkpoints it at once; for one TTL after its start it stays silent on the data
 *    commands of ids it handed out before the restart and does not know, so their holder answers. A lease not renewed for ttl_ms (the
 *    maps-store's MAPS_STORE_LEASE_TTL_MS, default 10 s) ends: the maps-store restores the last
 *    checkpoint and serves the map again.
 * 4. `bpf.v1.internal.map.<id>.checkpoint {holder, epoch, snapshot, frozen?}` → `{}`: the
 *    maps-store takes the contents as the map's (stored before the reply for a pinned map, so
 *    they survive any restart) and renews the holder's leases; the holder keeps serving.
 * 5. `bpf.v1.internal.map.<id>.release {holder, epoch, snapshot, frozen?}` → `{}`: the map
 *    comes home with these contents and the maps-store serves it again; the holder unsubscribes
 *    after the reply.
 *
 * A checkpoint or release with another holder or epoch than the lease's is ESTALE (the lease
 * ended or was granted again). A lease of a pinned map is recorded with its snapshot and
 * survives a maps-store restart (the holder must renew within ttl_ms of the restart).
 *
 * Maps of maps (ARRAY_OF_MAPS, HASH_OF_MAPS): each record's value is an inner map id (u32). The
 * holder leases every inner map a record names as well, and holds one as long as a slot names
 * it; it releases an outer map before the inner maps only that map held, so every snapshot it
 * sends names maps the maps-store has.
 */
const object = <const P extends Record<string, unknown>, const R extends readonly string[]>(id: string, title: string, properties: P, required: R) =>
  ({ $id: id, title, type: 'object', additionalProperties: false, required, properties }) as const;

const holder = { type: 'string', minLength: 1, maxLength: 256, description: 'who holds the lease, e.g. kernel-sim-<uuid>' } as const;
const epoch = { ...u32, minimum: 1, description: 'the lease, counted per map; every grant takes the next' } as const;
const snapshot = { ...base64, description: 'the map image: u32 count, then per record u32 key length, key, u32 value length, value (little-endian)' } as const;
const ttl_ms = { type: 'integer', minimum: 1, description: 'renew at least this often (ms)' } as const;
const mapShape = { map_type: u32, key_size: u32, value_size: u32, max_entries: u32, map_flags: u32 } as const;

/**
 * Who may name the map by id (maps-store core/map-access.ts): the holder answers the map's data
 * commands with the same owner check as the maps-store — the accounts listed, or CAP_SYS_ADMIN,
 * else EPERM. Absent (an older maps-store): the holder does not check.
 */
const access = {
  type: 'object',
  additionalProperties: false,
  required: ['owner', 'accounts'],
  properties: {
    owner: { type: 'string', maxLength: 256, description: "the principal the map is charged to: its creator's account, or (unidentified)" },
    accounts: {
      type: 'array',
      maxItems: 4096,
      items: { type: 'string', minLength: 1, maxLength: 256 },
      description: 'the accounts that may name the map by id: its creator and those that opened it with obj_get',
    },
  },
} as const;

/** A leased map's spec as the maps-store gives it (and a holder re-registers it): map_create's fields, map_id and frozen. */
const leasedSpec = {
  type: 'object',
  additionalProperties: false,
  required: ['map_id', 'map_type', 'key_size', 'value_size', 'max_entries', 'map_flags', 'frozen'],
  properties: {
    map_id: u32,
    ...mapShape,
    map_name: { type: 'string', maxLength: 15 },
    map_extra: { type: 'integer', minimum: 0, maximum: 9007199254740991 },
    inner_map: {
      type: 'object',
      additionalProperties: false,
      required: ['map_type', 'key_size', 'value_size', 'max_entries', 'map_flags'],
      properties: mapShape,
      description: 'maps of maps: the template every inner map matches',
    },
    frozen: { type: 'boolean' },
    ...mapBtfIds,
    // Found at map_create (maps-store core/map-btf.ts): the kernel-sim needs no BTF object to lease the map.
    value_fields: mapValueFields,
  },
} as const;

export const LeaseRequestSchema = object('bpf.v1.internal.map.lease.request', 'Take a map: bpf.v1.internal.map.<id>.lease', { holder }, ['holder'] as const);
export type LeaseRequest = FromSchema<typeof LeaseRequestSchema>;

export const LeaseReplySchema = object(
  'bpf.v1.internal.map.lease.reply',
  'A lease: everything to host the map',
  {
    spec: leasedSpec,
    epoch,
    snapshot,
    ttl_ms,
    access,
  },
  ['spec', 'epoch', 'snapshot', 'ttl_ms'] as const,
);
export type LeaseReply = FromSchema<typeof LeaseReplySchema>;

export const LeaseReturnRequestSchema = object(
  'bpf.v1.internal.map.lease_return.request',
  'Contents back to the maps-store: bpf.v1.internal.map.<id>.checkpoint (the lease goes on) or .release (it ends)',
  { holder, epoch, snapshot, frozen: { type: 'boolean', description: 'absent: unchanged' } },
  ['holder', 'epoch', 'snapshot'] as const,
);
export type LeaseReturnRequest = FromSchema<typeof LeaseReturnRequestSchema>;

export const LeaseRenewRequestSchema = object(
  'bpf.v1.internal.lease_renew.request',
  "A holder's heartbeat: bpf.v1.internal.lease_renew",
  {
    holder,
    maps: {
      type: 'array',
      description: 'the maps the holder hosts, re-registered by a restarted maps-store that does not know them (only pinned maps are restored)',
      items: { type: 'object', additionalProperties: false, required: ['spec', 'epoch'], properties: { spec: leasedSpec, epoch, access } },
    },
  },
  ['holder'] as const,
);
export type LeaseRenewRequest = FromSchema<typeof LeaseRenewRequestSchema>;

export const LeaseRenewReplySchema = object(
  'bpf.v1.internal.lease_renew.reply',
  'The leases the holder still has, renewed',
  {
    leases: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['map_id', 'epoch'], properties: { map_id: u32, epoch, access } },
      description: "each map's access as the maps-store knows it now (an obj_get may have granted an account more since the lease)",
    },
    ttl_ms,
    checkpoint: { type: 'array', items: u32, description: 'maps just re-registered, whose contents the maps-store lacks: checkpoint them now' },
  },
  ['leases', 'ttl_ms'] as const,
);
export type LeaseRenewReply = FromSchema<typeof LeaseRenewReplySchema>;
