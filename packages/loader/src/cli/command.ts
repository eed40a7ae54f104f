import type { CliIo } from './io.js';

/** One `bpfhive` command. `run` returns the exit status; errors it throws are printed by main. */
export interface Command {
  readonly name: string;
  /** One line for `bpfhive help`. */
  readonly summary: string;
  /** The full usage text, bpftool style. */
  readonly usage: string;
  /** The usage `--help` prints for these arguments (a subcommand's own); `usage` when absent. */
  help?(args: readonly string[]): string;
  run(args: string[], io: CliIo): Promise<number>;
}
