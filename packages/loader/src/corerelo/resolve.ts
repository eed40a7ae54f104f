/**
 * Resolving one relocation against the target (libbpf's bpf_core_calc_relo_insn): every
 * candidate is matched; all that match must agree on the field's offset and on the value,
 * else the relocation is ambiguous. None matching is no error here: the value says what
 * to do (0 for existence checks and type relocations, poison for the rest).
 */
import { type Btf, CoreReloKind } from '@bpfhive/uapi';
import { type CoreReloValue, calcCoreRelo } from './calc.js';
import type { CandidateCache } from './candidates.js';
import { CoreFailure } from './errors.js';
import { kindStr, typeLabel } from './names.js';
import { type CoreSpec, formatCoreSpec, typeAt } from './spec.js';
import { matchCoreSpec } from './spec-match.js';

export interface ResolvedRelo {
  readonly value: CoreReloValue;
  /** The spec in the first matching candidate; undefined when none matched. */
  readonly target: CoreSpec | undefined;
  /** The candidates considered, `[53] struct task_struct` each. */
  readonly candidates: readonly string[];
}

/**
 * Resolves the relocation whose local spec is `local` against `target`, using and pruning
 * `cache`. Throws CoreFailure for an anonymous root type (no candidate search, as in
 * libbpf), for ambiguity, and for what matching or computing a candidate throws.
 */
export function resolveCoreRelo(local: CoreSpec, target: Btf, cache: CandidateCache, insn: number): ResolvedRelo {
  if (local.kind === CoreReloKind.TYPE_ID_LOCAL) return { value: calcCoreRelo(local.kind, local, undefined, insn), target: undefined, candidates: [] };
  const root = typeAt(local.btf, local.rootTypeId);
  if (root.name === '') throw new CoreFailure('EOPNOTSUPP', `relocation of an anonymous ${kindStr(root)} is not supported`);
  const ids = cache.candidates(local.rootTypeId);
  const candidates = ids.map((id) => typeLabel(id, typeAt(target, id)));
  const matched: number[] = [];
  let first: { spec: CoreSpec; value: CoreReloValue; id: number } | undefined;
  for (const id of ids) {
    const spec = matchCoreSpec(local, target, id);
    if (!spec) continue;
    const value = calcCoreRelo(local.kind, local, spec, insn);
    if (!first) {
      first = { spec, value, id };
    } else if (spec.bitOffset !== first.spec.bitOffset) {
      throw new CoreFailure('EINVAL', `field offset ambiguity: ${spec.bitOffset} != ${first.spec.bitOffset} (${formatCoreSpec(spec)} vs ${formatCoreSpec(first.spec)})`);
    } else if (value.poison !== first.value.poison || value.newVal !== first.value.newVal) {
      throw new CoreFailure(
        'EINVAL',
        `relocation decision ambiguity: ${decision(value)} != ${decision(first.value)} (candidates ${typeLabel(id, typeAt(target, id))} and ${typeLabel(first.id, typeAt(target, first.id))})`,
      );
    }
    matched.push(id);
  }
  cache.prune(local.rootTypeId, matched);
  if (first) return { value: first.value, target: first.spec, candidates };
  return { value: calcCoreRelo(local.kind, local, undefined, insn), target: undefined, candidates };
}

const decision = (v: CoreReloValue): string => `${v.poison ? 'failure' : 'success'} ${v.newVal}`;
