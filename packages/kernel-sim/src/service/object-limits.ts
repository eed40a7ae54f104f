import { type CallerIdentity, type Charge, type LimitPolicy, ResourceLedger } from '@bpfhive/uapi';

/** The kernel-sim's objects counted per account (uapi wire/limits.ts). */
export type KernelObjectKind = 'progs' | 'links' | 'btfs';

/** Whether object `id` of one kind still exists (its table still resolves the id). */
export type AliveCheck = (id: number) => boolean;

/** An AliveCheck from a table's getter that throws (ENOENT) for an id it does not resolve. */
export function resolves(get: (id: number) => unknown): AliveCheck {
  return (id) => {
    try {
      get(id);
      return true;
    } catch {
      return false;
    }
  };
}

/**
 * The kernel-sim's share of the per-account limits: programs, links and BTF objects, each charged
 * to the account that made it before it is made (so concurrent loads cannot overshoot a limit)
 * and uncharged once it is freed. Freed means gone from its table, which may be long after its
 * maker closed it — a link holds its program, a program array its entries — so charges are
 * settled lazily: before every new charge and every report, the charges of objects whose id no
 * longer resolves are released. Maps are the maps-store's to charge; a map a program leases stays
 * charged to its creator there.
 */
export class KernelObjectCharges {
  readonly ledger: ResourceLedger;
  readonly #alive = new Map<KernelObjectKind, AliveCheck>();
  readonly #held = new Map<string, { readonly kind: KernelObjectKind; readonly id: number; readonly charge: Charge }>();

  constructor(policy?: LimitPolicy) {
    this.ledger = new ResourceLedger(policy);
  }

  /** How to tell whether an object of `kind` still exists; objects of a kind without one are never settled. */
  watch(kind: KernelObjectKind, alive: AliveCheck): void {
    this.#alive.set(kind, alive);
  }

  /**
   * Makes one object of `kind` for `who` (`action` names the command in a refusal): E2BIG when
   * the account is at its limit, and nothing is made; otherwise `make()` runs, and if it fails
   * the charge goes back before its error does. Returns what `make` returned.
   */
  async create<T>(who: CallerIdentity, kind: KernelObjectKind, action: string, make: () => T | Promise<T>, idOf: (made: T) => number): Promise<T> {
    this.settle();
    const charge = this.ledger.charge(who, { [kind]: 1 }, action);
    let made: T;
    try {
      made = await make();
    } catch (e) {
      charge.release();
      throw e;
    }
    const id = idOf(made);
    this.#held.get(`${kind}:${id}`)?.charge.release();
    this.#held.set(`${kind}:${id}`, { kind, id, charge });
    return made;
  }

  /** Releases the charges of objects that are gone. */
  settle(): void {
    for (const [key, { kind, id, charge }] of this.#held) {
      const alive = this.#alive.get(kind);
      if (alive && !alive(id)) {
        charge.release();
        this.#held.delete(key);
      }
    }
  }

  /** What the kernel-sim's STATS report: its live objects by kind and each account's counts. */
  stats(): { objects: Record<KernelObjectKind, number>; accounts: Record<string, Record<KernelObjectKind, number>> } {
    this.settle();
    const objects: Record<KernelObjectKind, number> = { progs: 0, links: 0, btfs: 0 };
    for (const { kind } of this.#held.values()) objects[kind]++;
    const accounts = Object.fromEntries(Object.entries(this.ledger.accounts()).map(([a, u]) => [a, { progs: u.progs, links: u.links, btfs: u.btfs }]));
    return { objects, accounts };
  }
}
