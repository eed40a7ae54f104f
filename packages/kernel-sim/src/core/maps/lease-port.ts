import type { HostedMap, MapSpec } from '@bpfhive/maps-store';
import type { CallerIdentity } from '@bpfhive/uapi';

/**
 * The lease protocol's transport, as the LeasedMapProvider needs it (the protocol itself: the top
 * of packages/uapi/src/wire/schemas/lease.ts). The service implements it over NATS
 * (service/nats-map-leases.ts); tests may implement it in memory. Every call names this kernel as
 * the holder; failures reject with the maps-store's BpfError (ENOENT, EBUSY, ESTALE, …) or
 * EAGAIN / ETIMEDOUT when it does not answer.
 */
export interface MapLeasePort {
  /** Who holds the leases, e.g. `kernel-sim-<uuid>`: for log lines. */
  readonly holder: string;
  /**
   * Starts receiving map `mapId`'s data commands (`bpf.v1.map.<id>.>`) without answering them;
   * resolves once the server has the subscription, so nothing sent after the lease is missed.
   */
  open(mapId: number): Promise<MapCommandInbox>;
  /** `bpf.v1.internal.map.<id>.lease`: the map's spec, state, contents and the new epoch. */
  lease(mapId: number): Promise<LeaseGrant>;
  /** `bpf.v1.internal.map.<id>.checkpoint`: the maps-store takes these contents; the lease goes on. */
  checkpoint(mapId: number, contents: LeaseContents): Promise<void>;
  /** `bpf.v1.internal.map.<id>.release`: the map goes home with these contents. */
  release(mapId: number, contents: LeaseContents): Promise<void>;
  /**
   * `bpf.v1.internal.lease_renew`: renews every lease; the ones the maps-store still counts as ours.
   * `held` are the maps this kernel hosts: a restarted maps-store that lost them re-registers them.
   */
  renew(held: readonly HeldMap[]): Promise<RenewedLeases>;
}

/** A lease as granted, decoded from the wire. */
export interface LeaseGrant {
  readonly spec: MapSpec;
  readonly frozen: boolean;
  readonly epoch: number;
  /** The map image (maps-store's encodeImage). */
  readonly image: Uint8Array;
  /** Renew at least this often. */
  readonly ttlMs: number;
}

/** What a checkpoint or a release hands back. */
export interface LeaseContents {
  readonly epoch: number;
  readonly image: Uint8Array;
  readonly frozen: boolean;
}

/** A map this kernel hosts, as a renewal lists it. */
export interface HeldMap {
  readonly map_id: number;
  readonly spec: MapSpec;
  readonly frozen: boolean;
  readonly epoch: number;
}

export interface RenewedLeases {
  readonly leases: readonly { readonly map_id: number; readonly epoch: number }[];
  readonly ttlMs: number;
  /** Maps a restarted maps-store just registered again without their contents: checkpoint them now. */
  readonly checkpoint?: readonly number[];
}

/**
 * One map's data commands as they arrive. Until `serve` they wait, in order; `serve` answers them
 * and every later one with the map; `readOnly` keeps answering only the commands that do not
 * change the map (it is on its way home: a change would be lost), leaving the others to the
 * maps-store; `close` stops receiving, and what still waits gets no answer from here.
 */
export interface MapCommandInbox {
  /**
   * `changed` runs after a command changed the map, before its reply (a checkpoint). `inner`, for
   * a map of maps: an update's inner map ids are held through it before the engine's update runs.
   */
  serve(hosted: HostedMap, changed: () => Promise<void>, inner?: InnerMapHolds): void;
  readOnly(): void;
  close(): void;
  /** EPERM unless `who` may name map `mapId` as the lease's owner record says; absent or without a record: no check. */
  checkAccess?(who: CallerIdentity, mapId: number, action: string): void;
}

/**
 * What a map of maps' user space updates need from the kernel hosting it (Linux takes an inner
 * map fd; bpfhive takes an id, and the kernel may have to lease that map first). The engine's
 * update is synchronous and finds inner maps through its `maps` port, so the inbox holds each id
 * an update names before running it and drops the holds once it answered: a map the update did
 * not keep then goes home.
 */
export interface InnerMapHolds {
  /**
   * Holds map `id` here, leasing it first when this kernel does not host it; resolves to the
   * function that drops this hold. EBADF when `id` names no map; EBUSY when another kernel holds it.
   */
  hold(id: number): Promise<() => void>;
  /** EPERM unless `who` may name held map `id` as its lease's owner record says (no record: no check). */
  checkAccess(id: number, who: CallerIdentity, action: string): void;
}
