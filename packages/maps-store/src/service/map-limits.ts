import { BpfError, type CallerIdentity, type Charge, type ResourceLedger, mapTypeName, parseMapType } from '@bpfhive/uapi';
import type { CreateRequest, MapDirectory } from '../core/directory.js';
import { mapMemoryUsage } from '../core/memory-usage.js';

/**
 * The maps-store's share of the per-account limits (uapi wire/limits.ts): each map is charged to
 * the account that created it — one map and its bpf_map_memory_usage (core/memory-usage.ts) —
 * before it is made, and uncharged when the directory frees it, whoever holds it in between (a
 * kernel leasing it does not take the charge over). A create that fails after the charge gives
 * the charge back before the error goes out. The creator is recorded in the directory's
 * MapAccess (core/map-access.ts), which snapshots keep: a map restored after a restart (or
 * re-registered by the kernel leasing it) is charged to it again (chargeRestored).
 */
export class MapCharges {
  readonly #charges = new Map<number, Charge>();

  constructor(
    readonly ledger: ResourceLedger,
    private readonly directory: MapDirectory,
    private readonly cpus: number,
  ) {
    directory.onFree((id) => {
      this.#charges.get(id)?.release();
      this.#charges.delete(id);
    });
  }

  /** map_create for `who`: ENOMEM / E2BIG over a limit (nothing made), else the new map's id. */
  create(who: CallerIdentity, request: CreateRequest): number {
    const charge = this.ledger.charge(who, { maps: 1, map_bytes: this.#bytesOf(request) }, `map_create (${typeName(request.map_type)})`);
    try {
      const id = this.directory.create(request);
      this.#charges.set(id, charge);
      this.directory.access.created(id, who);
      return id;
    } catch (e) {
      charge.release();
      throw e;
    }
  }

  /**
   * close of map `id` by `who`: allowed to the account it is charged to (its creator) and with
   * CAP_SYS_ADMIN, else EPERM — an id is not a file descriptor (wire/identity.ts; MapAccess.checkClose).
   * A map whose creator is not known (restored from a snapshot older than owner records) is CAP_SYS_ADMIN's.
   */
  checkClose(who: CallerIdentity, id: number): void {
    this.directory.access.checkClose(id, who);
  }

  /**
   * Charges every map the directory has that is charged to no one and whose owner it knows: maps
   * restored from snapshots and maps a kernel re-registered after a restart. The charge is taken
   * as an exempt one (the map exists; refusing it would lose data): under BPFHIVE_LIMIT_ADMIN=exempt
   * it always succeeds and may leave the account over its limit, so its next create is refused;
   * under `limited` a charge over the limit is reported to `log` and the map stays uncharged.
   * Returns the ids charged.
   */
  chargeRestored(log: (line: string) => void = () => undefined): number[] {
    const charged: number[] = [];
    for (const id of this.directory.mapIds()) {
      const owner = this.directory.access.ownerOf(id);
      if (this.#charges.has(id) || owner === undefined) continue;
      const who: CallerIdentity = { account: owner === UNIDENTIFIED ? '' : owner, user: '', capabilities: ADMIN, source: 'absent' };
      const { spec } = this.directory.get(id);
      try {
        this.#charges.set(id, this.ledger.charge(who, { maps: 1, map_bytes: this.#bytesOf(spec) }, `restore of map ${id}`));
        charged.push(id);
      } catch (e) {
        if (!(e instanceof BpfError)) throw e;
        log(`map ${id}: not charged to ${owner} again: ${e.message}`);
      }
    }
    return charged;
  }

  /** The bytes a map of `request` is charged; 0 for a request create() will refuse anyway (EINVAL comes from there). */
  #bytesOf(request: CreateRequest): number {
    const map_type = parseMapType(request.map_type);
    if (map_type === undefined) return 0;
    const bytes = mapMemoryUsage({ ...request, map_type, map_flags: request.map_flags ?? 0 }, this.cpus);
    return Number.isFinite(bytes) && bytes >= 0 ? bytes : 0;
  }

  /** What the maps-store's STATS report: live maps, and each account's use. */
  stats(): { maps: number; accounts: Record<string, { maps: number; map_bytes: number }> } {
    const accounts = Object.fromEntries(Object.entries(this.ledger.accounts()).map(([a, u]) => [a, { maps: u.maps, map_bytes: u.map_bytes }]));
    return { maps: this.#charges.size, accounts };
  }
}

/** principalOf's name for a caller the server named no account for. */
const UNIDENTIFIED = '(unidentified)';
const ADMIN: ReadonlySet<'CAP_SYS_ADMIN'> = new Set(['CAP_SYS_ADMIN']);

const typeName = (t: number | string): string => (typeof t === 'string' ? t : (mapTypeName(t) ?? String(t)));
