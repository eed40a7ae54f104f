import type { NatsConnection } from '@nats-io/transport-node';
import { leasedSpecOf } from '@bpfhive/maps-store';
import {
  DEFAULT_IDENTITY_POLICY,
  type IdentityPolicy,
  type LeaseRenewReply,
  LeaseRenewReplySchema,
  type LeaseReply,
  LeaseReplySchema,
  SUBJECT_PREFIX,
  Subjects,
  fromBase64,
  toBase64,
  validateWire,
} from '@bpfhive/uapi';
import type { HeldMap, LeaseContents, LeaseGrant, MapCommandInbox, MapLeasePort, RenewedLeases } from '../core/maps/lease-port.js';
import { NatsMapInbox } from './map-inbox.js';
import { requestJson } from './request.js';

/**
 * The lease protocol (packages/uapi/src/wire/schemas/lease.ts) over NATS, as this kernel's
 * MapLeasePort: `open` subscribes to `bpf.v1.map.<id>.>` and flushes before resolving; the
 * others are requests to the maps-store on `bpf.v1.internal.…` whose replies are checked against
 * their schemas. An errno reply rejects with the maps-store's errno (requestJson).
 *
 * Owner checks: the `access` of the lease grant and of every renewal goes to the map's inbox,
 * which refuses callers the maps-store would refuse (EPERM), judged under `policy` (the kernel's
 * identity policy: who holds CAP_SYS_ADMIN); the renewal lists it back so a restarted maps-store
 * re-registers the map with its owner.
 */
export class NatsMapLeases implements MapLeasePort {
  readonly #inboxes = new Map<number, NatsMapInbox>();

  constructor(
    private readonly nc: NatsConnection,
    readonly holder: string,
    private readonly timeoutMs = 10_000,
    private readonly policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
  ) {}

  async open(mapId: number): Promise<MapCommandInbox> {
    const inbox = new NatsMapInbox(() => {
      subscription.unsubscribe();
      if (this.#inboxes.get(mapId) === inbox) this.#inboxes.delete(mapId);
    }, this.policy);
    this.#inboxes.set(mapId, inbox);
    const subscription = this.nc.subscribe(`${SUBJECT_PREFIX}.map.${mapId}.>`, {
      callback: (err, msg) => {
        if (!err) inbox.receive(msg);
      },
    });
    await this.nc.flush();
    return inbox;
  }

  async lease(mapId: number): Promise<LeaseGrant> {
    const reply = validateWire<LeaseReply>(LeaseReplySchema, await this.#request(Subjects.internalMap(mapId, 'lease'), { holder: this.holder }));
    if (reply.access) this.#inboxes.get(mapId)?.allow(reply.access);
    const { map_id: _id, frozen, map_name, map_extra, inner_map, ...shape } = reply.spec;
    return {
      spec: { ...shape, ...(map_name !== undefined && { map_name }), ...(map_extra !== undefined && { map_extra }), ...(inner_map !== undefined && { inner_map }) },
      frozen,
      epoch: reply.epoch,
      image: fromBase64(reply.snapshot, 'snapshot'),
      ttlMs: reply.ttl_ms,
    };
  }

  async checkpoint(mapId: number, contents: LeaseContents): Promise<void> {
    await this.#request(Subjects.internalMap(mapId, 'checkpoint'), this.#returned(contents));
  }

  async release(mapId: number, contents: LeaseContents): Promise<void> {
    await this.#request(Subjects.internalMap(mapId, 'release'), this.#returned(contents));
  }

  async renew(held: readonly HeldMap[]): Promise<RenewedLeases> {
    const maps = held.map(({ map_id, spec, frozen, epoch }) => {
      const access = this.#inboxes.get(map_id)?.access;
      return {
        spec: leasedSpecOf(map_id, spec, frozen),
        epoch,
        ...(access && { access }),
      };
    });
    const reply = validateWire<LeaseRenewReply>(LeaseRenewReplySchema, await this.#request(Subjects.leaseRenew, { holder: this.holder, maps }));
    for (const lease of reply.leases) if (lease.access) this.#inboxes.get(lease.map_id)?.allow(lease.access);
    return { leases: reply.leases, ttlMs: reply.ttl_ms, ...(reply.checkpoint && { checkpoint: reply.checkpoint }) };
  }

  #returned(contents: LeaseContents): object {
    return { holder: this.holder, epoch: contents.epoch, snapshot: toBase64(contents.image), frozen: contents.frozen };
  }

  #request(subject: string, body: object): Promise<unknown> {
    return requestJson(this.nc, subject, body, this.timeoutMs);
  }
}
