import type { CliIo } from '../io.js';
import type { HostClock } from '../format/boot-time.js';
import type { ArgCursor } from './map-args.js';
import type { MapContext } from './map-context.js';

/**
 * What a `prog` subcommand works with: `map`'s context (where it prints, a client connected on
 * first use), the streams (`data_in -` reads standard input) and the clock `loaded_at` is
 * computed with.
 */
export interface ProgContext extends MapContext {
  readonly io: CliIo;
  clock(): HostClock;
}

/** One `prog` subcommand: `bpfhive prog NAME ARGS`. */
export interface ProgSubcommand {
  readonly name: string;
  /** Its line of the usage, after `bpfhive prog `. */
  readonly synopsis: string;
  /** Runs it; returns the exit status. Errors it throws are printed by the `prog` command. */
  run(ctx: ProgContext, args: ArgCursor): Promise<number>;
}
