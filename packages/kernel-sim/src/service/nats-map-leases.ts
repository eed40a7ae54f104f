import type { NatsConnection } from '@nats-io/transport-node';
import {
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
 */
export class NatsMapLeases implements MapLeasePort {
  constructor(
    private readonly nc: NatsConnection,
    readonly holder: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async open(mapId: number): Promise<MapCommandInbox> {
    const inbox = new NatsMapInbox(() => subscription.unsubscribe());
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
    const maps = held.map(({ map_id, spec, frozen, epoch }) => ({
      spec: {
        map_id,
        map_type: spec.map_type,
        key_size: spec.key_size,
        value_size: spec.value_size,
        max_entries: spec.max_entries,
        map_flags: spec.map_flags,
        ...(spec.map_name !== undefined && { map_name: spec.map_name }),
        ...(spec.map_extra !== undefined && { map_extra: spec.map_extra }),
        ...(spec.inner_map !== undefined && { inner_map: spec.inner_map }),
        frozen,
      },
      epoch,
    }));
    const reply = validateWire<LeaseRenewReply>(LeaseRenewReplySchema, await this.#request(Subjects.leaseRenew, { holder: this.holder, maps }));
    return { leases: reply.leases, ttlMs: reply.ttl_ms, ...(reply.checkpoint && { checkpoint: reply.checkpoint }) };
  }

  #returned(contents: LeaseContents): object {
    return { holder: this.holder, epoch: contents.epoch, snapshot: toBase64(contents.image), frozen: contents.frozen };
  }

  #request(subject: string, body: object): Promise<unknown> {
    return requestJson(this.nc, subject, body, this.timeoutMs);
  }
}
