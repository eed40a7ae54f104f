import { BpfError, type CallerIdentity, principalOf } from '@bpfhive/uapi';

/**
 * Who may name a map by its id (packages/uapi/src/wire/identity.ts). In Linux a map id becomes a
 * file descriptor only three ways: the creator's fd from BPF_MAP_CREATE, BPF_OBJ_GET of a pin
 * (bpffs permissions), or BPF_MAP_GET_FD_BY_ID, which needs CAP_SYS_ADMIN. bpfhive names maps by
 * id on the wire, so `bpf.v1.map.<id>.*` is allowed to:
 * - the account that created the map,
 * - every account that opened it with obj_get (the fd BPF_OBJ_GET would have returned),
 * - CAP_SYS_ADMIN (BPF_MAP_GET_FD_BY_ID),
 * and is EPERM for everyone else — what bpf_map_get_fd_by_id returns without CAP_SYS_ADMIN
 * (`if (!capable(CAP_SYS_ADMIN)) return -EPERM`), before it looks the id up: a map that does
 * not exist is EPERM too, so the answer does not tell others which ids exist. (EACCES is the
 * bpffs answer, for a pin another account made: PinOwners.)
 *
 * An unidentified caller (no accounts configured: the embedded, all-in-one mode) holds every
 * capability and passes; in secure mode it holds none and is refused. A kernel holding a lease
 * uses the map through the internal subjects, which are not checked here.
 *
 * Also kept: the principal a map is charged to (its creator; service/map-limits.ts), so a map
 * restored from a snapshot is charged again and its creator may still close it.
 */
export interface MapAccessRecord {
  /** The principal the map is charged to (principalOf its creator: an account or `(unidentified)`). */
  readonly owner: string;
  /** The accounts that may name the map by id. */
  readonly accounts: readonly string[];
}

export class MapAccess {
  readonly #records = new Map<number, { owner: string; accounts: Set<string> }>();

  /** `who` created map `id`: it is charged to it and it may use it. */
  created(id: number, who: CallerIdentity): void {
    this.#records.set(id, { owner: principalOf(who), accounts: new Set(who.account === '' ? [] : [who.account]) });
  }

  /**
   * `who` opened map `id` from a pin (obj_get): it may use it from now on. Returns whether that is
   * new (a pinned map's snapshot must then be stored again).
   */
  grant(id: number, who: CallerIdentity): boolean {
    if (who.account === '') return false;
    let record = this.#records.get(id);
    if (!record) this.#records.set(id, (record = { owner: '', accounts: new Set() }));
    if (record.accounts.has(who.account)) return false;
    record.accounts.add(who.account);
    return true;
  }

  /** What is kept of map `id` (for its snapshot and its lease); undefined when nothing is. */
  recordOf(id: number): MapAccessRecord | undefined {
    const record = this.#records.get(id);
    return record && { owner: record.owner, accounts: [...record.accounts].sort() };
  }

  /** The principal map `id` is charged to; undefined when none is known (a snapshot from before owners were kept). */
  ownerOf(id: number): string | undefined {
    const owner = this.#records.get(id)?.owner;
    return owner === '' ? undefined : owner;
  }

  /** Brings back what a snapshot kept. */
  restore(id: number, record: MapAccessRecord): void {
    this.#records.set(id, { owner: record.owner, accounts: new Set(record.accounts) });
  }

  /** Map `id` is freed. */
  forget(id: number): void {
    this.#records.delete(id);
  }

  /** Throws EPERM for `action` ("map lookup_elem") unless `who` may name map `id` (see above). */
  check(id: number, who: CallerIdentity, action: string): void {
    checkMapAccess(who, this.#records.get(id)?.accounts, id, action);
  }

  /**
   * close of map `id` (close(2) of the creator's fd): allowed to the account it is charged to and
   * with CAP_SYS_ADMIN, else EPERM. An account that only opened it with obj_get holds its own fd,
   * not the creator's handle this drops.
   */
  checkClose(id: number, who: CallerIdentity): void {
    if (who.capabilities.has('CAP_SYS_ADMIN')) return;
    const owner = this.ownerOf(id);
    if (owner !== undefined && who.account !== '' && owner === principalOf(who)) return;
    throw new BpfError('EPERM', `map close: map ${id} was not created by ${principalOf(who)}; CAP_SYS_ADMIN required`);
  }
}

/**
 * The rule of MapAccess.check over a plain set of accounts, for a kernel answering the commands
 * of a map it leases with the accounts the lease carries. `accounts` undefined: nothing is known
 * of the map, so only CAP_SYS_ADMIN may use it.
 */
export function checkMapAccess(who: CallerIdentity, accounts: ReadonlySet<string> | undefined, id: number, action: string): void {
  if (who.capabilities.has('CAP_SYS_ADMIN')) return;
  if (who.account !== '' && accounts?.has(who.account)) return;
  const name = who.account === '' ? 'an unidentified caller' : `${who.account}${who.user ? `/${who.user}` : ''}`;
  throw new BpfError('EPERM', `${action}: map ${id} was neither created nor opened (obj_get) by ${name}; CAP_SYS_ADMIN required`);
}
