/**
 * Lookups over the helper table in src/generated/helpers.ts.
 *
 * A helper is found by its id (the imm of a `call`) or by name, with or without the `bpf_` prefix
 * (`bpf_map_lookup_elem`, `map_lookup_elem`, `BPF_FUNC_map_lookup_elem`). Id 0 (`unspec`) is in
 * HELPERS to keep it indexed by id, but it is not a helper: the lookups treat it as unknown.
 * Nothing here throws.
 */
import { HELPERS, type ArgFlag, type HelperArg, type HelperProto } from '../generated/helpers.js';

/** The highest helper id in the table. */
export const MAX_HELPER_ID = HELPERS.length - 1;

const byName = new Map<string, HelperProto>();
for (const helper of HELPERS) {
  if (helper.reserved) continue;
  byName.set(helper.name, helper);
  byName.set(helper.funcName, helper);
  byName.set(`BPF_FUNC_${helper.name}`, helper);
}

/** The helper with this id, or `undefined` for an unknown id and for the reserved id 0. */
export function helperById(id: number): HelperProto | undefined {
  if (!Number.isInteger(id)) return undefined;
  const helper = HELPERS[id];
  return helper && !helper.reserved ? helper : undefined;
}

/** The helper named `bpf_map_lookup_elem`, `map_lookup_elem` or `BPF_FUNC_map_lookup_elem`. */
export function helperByName(name: string): HelperProto | undefined {
  return byName.get(name.trim());
}

/** The C name of helper `id` (`bpf_map_lookup_elem`) for printing, or `undefined`. */
export function helperName(id: number): string | undefined {
  return helperById(id)?.funcName;
}

/** Whether an argument carries a modifier: `argHasFlag(arg, 'PTR_MAYBE_NULL')`. */
export function argHasFlag(arg: HelperArg, flag: ArgFlag): boolean {
  return arg.flags.includes(flag);
}
