import type { BpfClient } from '../../client/index.js';
import { BpfSyscallError } from '../../client/index.js';
import type { Output } from '../format/output.js';
import { UsageError } from '../io.js';
import type { ArgCursor } from './map-args.js';

/** Exit statuses of the `map` command: bpftool's (its -1 is 255). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 255;

/** What a `map` subcommand works with: where it prints, and a client connected on first use. */
export interface MapContext {
  readonly out: Output;
  client(): Promise<BpfClient>;
  /** `-f`/`--bpffs`: `show` prints the paths each object is pinned at. */
  readonly bpffs?: boolean;
}

/** One `map` subcommand: `bpfhive map NAME ARGS`. */
export interface MapSubcommand {
  readonly name: string;
  /** Its line of the usage, after `bpfhive map `. */
  readonly synopsis: string;
  /** Runs it; returns the exit status. Errors it throws are printed by the `map` command. */
  run(ctx: MapContext, args: ArgCursor): Promise<number>;
}

/**
 * The error bpftool prints when a call fails, `what: strerror` (`update failed: File exists`),
 * with the service's own explanation after it in parentheses. Other errors pass through.
 */
export function failure(what: string, e: unknown): Error {
  if (!(e instanceof BpfSyscallError)) return e instanceof Error ? e : new Error(String(e));
  return new UsageError(`${what}: ${e.strerror}${e.message ? ` (${e.message})` : ''}`);
}

/** Runs `call`, turning a failed bpf() into bpftool's `what: strerror` error. */
export async function attempt<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw failure(what, e);
  }
}

/** Whether `e` is a failed bpf() with this errno name. */
export const isErrno = (e: unknown, code: string): e is BpfSyscallError => e instanceof BpfSyscallError && e.code === code;
