/**
 * Candidate target types (libbpf's bpf_core_find_cands and its cand_cache): every type of the
 * target BTF, in id order, of a compatible kind whose essential name is the local type's.
 * The list is kept per local type for the whole object and shrinks to the candidates that
 * matched, so later relocations of the same type only consider those (as libbpf prunes it).
 */
import type { Btf } from '@bpfhive/uapi';
import { kindCoreCompat } from './compat.js';
import { essentialName } from './names.js';
import { typeAt } from './spec.js';

export class CandidateCache {
  readonly #byLocalId = new Map<number, number[]>();
  /** Target type ids by essential name, built on first use. */
  #byName: Map<string, number[]> | undefined;

  constructor(
    private readonly local: Btf,
    private readonly target: Btf,
  ) {}

  /** The candidates of local type `localId` (named: the caller refuses anonymous types). */
  candidates(localId: number): readonly number[] {
    let list = this.#byLocalId.get(localId);
    if (list === undefined) {
      const localType = typeAt(this.local, localId);
      const named = this.#index().get(essentialName(localType.name)) ?? [];
      list = named.filter((id) => kindCoreCompat(typeAt(this.target, id), localType));
      this.#byLocalId.set(localId, list);
    }
    return list;
  }

  /** Keeps only `matched` (a non-empty subset, in order) for later relocations of `localId`. */
  prune(localId: number, matched: readonly number[]): void {
    if (matched.length > 0) this.#byLocalId.set(localId, [...matched]);
  }

  #index(): Map<string, number[]> {
    if (this.#byName) return this.#byName;
    const index = new Map<string, number[]>();
    for (let id = 1; id < this.target.types.length; id++) {
      const name = this.target.types[id]!.name;
      if (name === '') continue;
      const key = essentialName(name);
      const ids = index.get(key);
      if (ids) ids.push(id);
      else index.set(key, [id]);
    }
    this.#byName = index;
    return index;
  }
}
