import { BpfSyscallError } from '../client/index.js';
import type { ObjectCloser, ObjectKind } from './closer.js';
import type { Unreleased } from './errors.js';

/** One object a load handed back: what it is, and whether the loader owns (created) it. */
export interface LedgerEntry {
  readonly kind: ObjectKind;
  readonly name: string;
  readonly id: number;
  /** Created by this load (false: reused from a pin or the caller). Only owned objects are closed. */
  readonly owned: boolean;
  /** Paths it is pinned at. */
  readonly pins: string[];
}

/**
 * The objects of one load, in the order they came: what a failed load must release and what
 * close() closes. Programs are closed before maps (a program holds its maps), each kind in the
 * reverse order of creation.
 */
export class Ledger {
  readonly #entries: LedgerEntry[] = [];

  constructor(private readonly closer: ObjectCloser) {}

  add(kind: ObjectKind, name: string, id: number, owned: boolean, pins: readonly string[] = []): LedgerEntry {
    const entry: LedgerEntry = { kind, name, id, owned, pins: [...pins] };
    this.#entries.push(entry);
    return entry;
  }

  /** The entry of the object of this kind and name (the first one added). */
  find(kind: ObjectKind, name: string): LedgerEntry | undefined {
    return this.#entries.find((e) => e.kind === kind && e.name === name);
  }

  /**
   * Closes every owned object that is not pinned and reports what stayed: for `close`, the
   * closes that failed; for `rollback`, those and every owned object left pinned (the wire has
   * no unpin, so a pin made before the failure cannot be taken back).
   */
  async release(mode: 'close' | 'rollback'): Promise<Unreleased[]> {
    const unreleased: Unreleased[] = [];
    const latestFirst = (kind: ObjectKind): LedgerEntry[] => this.#entries.filter((e) => e.kind === kind).reverse();
    for (const entry of [...latestFirst('prog'), ...latestFirst('map')]) {
      if (!entry.owned) continue;
      const kind = entry.kind === 'prog' ? 'program' : 'map';
      if (entry.pins.length > 0) {
        if (mode === 'rollback') unreleased.push({ kind, name: entry.name, id: entry.id, reason: `pinned at ${entry.pins.join(', ')} (no unpin over the wire)` });
        continue;
      }
      try {
        await this.closer.close(entry.kind, entry.id);
      } catch (e) {
        unreleased.push({ kind, name: entry.name, id: entry.id, reason: e instanceof BpfSyscallError ? `${e.code}: ${e.message}` : String(e) });
      }
    }
    return unreleased;
  }
}
