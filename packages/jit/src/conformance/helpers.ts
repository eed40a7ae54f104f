import type { CallArgs, CallEnv } from '../interp/index.js';
import { HelperRegistry } from '../interp/index.js';

/**
 * Helpers the bpf_conformance suite expects of an engine.
 */

/** Id of the suite's "unwind" helper (call_unwind_fail.data, callx.data). */
export const UNWIND_HELPER_ID = 5;

/** Returns its first argument; when that is 0 the program stops at once and returns 0. */
export function unwindHelper(args: CallArgs, env: CallEnv): bigint {
  if (args[0] === 0n) env.exit(0n);
  return args[0];
}

/** A registry holding the suite's helpers. */
export function conformanceHelpers(): HelperRegistry {
  return new HelperRegistry().register(UNWIND_HELPER_ID, 'unwind', unwindHelper);
}
