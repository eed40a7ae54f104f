/**
 * @bpfhive/loader — user space.
 *
 * - runCli(argv, io): the `bpfhive` command line, in-process (the `bpfhive` bin wraps it)
 */
export { runCli, COMMANDS } from './cli/main.js';
export type { CliIo } from './cli/io.js';
export type { Command } from './cli/command.js';
export * from './client/index.js';
