import type { ServiceMsg } from '@nats-io/services';
import {
  BpfError,
  type LeaseRenewRequest,
  LeaseRenewRequestSchema,
  type LeaseRequest,
  LeaseRequestSchema,
  type LeaseReturnRequest,
  LeaseReturnRequestSchema,
  fromBase64,
  respond,
  serve,
} from '@bpfhive/uapi';
import type { MapDirectory } from '../core/directory.js';
import { decodeImage, encodeImage } from '../core/image.js';
import type { PinnedMapSaver } from '../core/pinned-saver.js';
import { leasedSpecOf } from '../core/spec.js';

/**
 * The maps-store's side of map leases (the protocol: packages/uapi wire/schemas/lease.ts):
 * `bpf.v1.internal.map.<id>.lease|checkpoint|release` and `bpf.v1.internal.lease_renew`. Every
 * change of a pinned map's lease or contents is stored before the reply.
 */
export class LeaseEndpoints {
  constructor(
    private readonly directory: MapDirectory,
    private readonly saver: PinnedMapSaver | undefined,
    private readonly log: (line: string) => void = () => undefined,
    /** Runs after a renewal registered maps this directory did not know (to charge them to their owners). */
    private readonly adopted: () => void = () => undefined,
  ) {}

  /** A request on bpf.v1.internal.map.<id>.<command>. */
  handle(id: number, command: string, msg: ServiceMsg): Promise<void> {
    const d = this.directory;
    const persist = async <T>(result: T): Promise<T> => {
      await this.saver?.persist(id);
      return result;
    };
    switch (command) {
      case 'lease':
        return serve<LeaseRequest>(msg, LeaseRequestSchema, (r) => {
          const grant = d.grantLease(id, r.holder);
          this.log(`map ${id} leased to ${r.holder} (epoch ${grant.epoch})`);
          const { spec } = grant;
          const access = d.access.recordOf(id);
          return persist({
            spec: leasedSpecOf(id, spec, grant.frozen),
            epoch: grant.epoch,
            snapshot: Buffer.from(encodeImage(grant.records)).toString('base64'),
            ttl_ms: d.leases.ttlMs,
            // Who may name the map by id: the holder applies the same owner check (core/map-access.ts).
            access: access ?? { owner: '', accounts: [] },
          });
        });
      case 'checkpoint':
      case 'release':
        return serve<LeaseReturnRequest>(msg, LeaseReturnRequestSchema, (r) => {
          const records = decodeImage(fromBase64(r.snapshot, 'snapshot'));
          let rejected;
          if (command === 'checkpoint') rejected = d.checkpointLease(id, r.holder, r.epoch, records, r.frozen);
          else {
            rejected = d.releaseLease(id, r.holder, r.epoch, records, r.frozen);
            this.log(`map ${id} released by ${r.holder} (epoch ${r.epoch})`);
          }
          // A map of maps' records name inner maps by id; one that names no map here (the holder kept a slot the maps-store lost) is left out.
          if (rejected.length > 0) this.log(`map ${id}: ${rejected.length} records of ${r.holder}'s ${command} were not taken, the first: ${rejected[0]!.error.message}`);
          return persist({});
        });
      default:
        return respond(msg, () => {
          throw new BpfError('EINVAL', `${msg.subject}: unknown lease command '${command}' (lease, checkpoint, release)`);
        });
    }
  }

  /**
   * bpf.v1.internal.lease_renew: registers the listed maps this directory does not know (a restart
   * kept only pinned ones) as leased to the holder, then extends the holder's leases and lists them;
   * the reply's `checkpoint` asks for the contents of the maps just registered.
   * A listed map whose spec no longer makes a map is left out (the holder loses it).
   */
  renew(msg: ServiceMsg): Promise<void> {
    return serve<LeaseRenewRequest>(msg, LeaseRenewRequestSchema, (r) => {
      const adopted: number[] = [];
      for (const { spec, epoch, access } of r.maps ?? []) {
        const { map_id, frozen, ...shape } = spec;
        try {
          if (this.directory.adoptLeased(map_id, shape, frozen, r.holder, epoch, access)) {
            adopted.push(map_id);
            this.log(`map ${map_id} re-registered by its holder ${r.holder} (epoch ${epoch})`);
          }
        } catch (e) {
          this.log(`map ${map_id}: ${r.holder} re-registered it with a spec that makes no map: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      if (adopted.length > 0) this.adopted();
      return {
        leases: this.directory.leases.renew(r.holder).map((l) => {
          const access = this.directory.access.recordOf(l.map_id);
          return { map_id: l.map_id, epoch: l.epoch, ...(access && { access }) };
        }),
        ttl_ms: this.directory.leases.ttlMs,
        ...(adopted.length > 0 && { checkpoint: adopted }),
      };
    });
  }

  /**
   * Ends leases whose holder stopped renewing: those maps are served here again with their last
   * checkpoint. Runs every `everyMs` until the returned function is called.
   */
  startExpiry(everyMs: number): () => void {
    const timer = setInterval(() => {
      for (const lease of this.directory.expireLeases()) {
        this.log(`map ${lease.map_id}: ${lease.holder} stopped renewing its lease (epoch ${lease.epoch}); serving the last checkpoint`);
        this.saver?.persist(lease.map_id).catch((e: unknown) => this.log(`map ${lease.map_id}: storing its snapshot failed: ${String(e)}`));
      }
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
