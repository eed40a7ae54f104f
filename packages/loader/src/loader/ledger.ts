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
  /** Pins this load made, in order: what a rollback takes back. */
  readonly #made: { readonly entry: LedgerEntry; readonly path: string }[] = [];

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

  /** This load pinned `entry` at `path`. */
  pinned(entry: LedgerEntry, path: string): void {
    entry.pins.push(path);
    this.#made.push({ entry, path });
  }

  /**
   * Closes the handle of every owned object (a pinned one lives on through its pin) and reports
   * the closes that failed. A `rollback` first removes the pins this load made, latest first, so
   * a failed load leaves nothing behind; a pin it cannot remove is reported and its object left.
   */
  async release(mode: 'close' | 'rollback'): Promise<Unreleased[]> {
    const unreleased: Unreleased[] = [];
    const report = (entry: LedgerEntry, reason: string): void => {
      unreleased.push({ kind: entry.kind === 'prog' ? 'program' : 'map', name: entry.name, id: entry.id, reason });
    };
    const stuck = new Set<LedgerEntry>();
    if (mode === 'rollback') {
      for (const { entry, path } of [...this.#made].reverse()) {
        try {
          await this.closer.unpin(path);
          entry.pins.splice(entry.pins.indexOf(path), 1);
        } catch (e) {
          stuck.add(entry);
          report(entry, `pinned at ${path}, and the unpin failed: ${reasonOf(e)}`);
        }
      }
    }
    const latestFirst = (kind: ObjectKind): LedgerEntry[] => this.#entries.filter((e) => e.kind === kind).reverse();
    for (const entry of [...latestFirst('prog'), ...latestFirst('map')]) {
      if (!entry.owned || stuck.has(entry)) continue;
      try {
        await this.closer.close(entry.kind, entry.id);
      } catch (e) {
        report(entry, reasonOf(e));
      }
    }
    return unreleased;
  }
}

const reasonOf = (e: unknown): string => (e instanceof BpfSyscallError ? `${e.code}: ${e.message}` : String(e));
