import type { Command } from '../command.js';
import { hostClock } from '../format/boot-time.js';
import { isPrefix } from './map-args.js';
import { EXIT_OK } from './map-context.js';
import { parseToolOptions, runTool } from './tool-run.js';
import type { ProgContext, ProgSubcommand } from './prog-context.js';
import { progDump } from './prog-dump.js';
import { progLoad, progLoadall } from './prog-load.js';
import { progPin } from './prog-pin.js';
import { progRun } from './prog-run.js';
import { progList, progShow } from './prog-show.js';
import { progSubcommandUsage, progUsage } from './prog-usage.js';

const progHelp: ProgSubcommand = {
  name: 'help',
  synopsis: 'help',
  run: async (ctx) => {
    if (ctx.out.json) ctx.out.json.null();
    else ctx.out.plain(`${PROG_USAGE}\n`);
    return EXIT_OK;
  },
};

/** bpftool's order: a prefix picks the first subcommand it starts (`l` is list, `load` is load). */
const SUBCOMMANDS: readonly ProgSubcommand[] = [progShow, progList, progHelp, progDump, progPin, progLoad, progLoadall, progRun];

/** `bpfhive prog help`, subcommands in bpftool's order (load and loadall share a line). */
const PROG_USAGE = progUsage([progShow, progDump, progPin, progLoad, progRun]);

/** The subcommand a word names (bpftool's cmd_select); none: `show`. */
function findSubcommand(word: string | undefined): ProgSubcommand | undefined {
  return word === undefined ? progShow : SUBCOMMANDS.find((s) => isPrefix(word, s.name));
}

/**
 * `bpfhive prog …`: bpftool's program commands over NATS, printing what bpftool prints. Handles
 * its own errors (JSON mode reports them on standard output) and exits 0 or 255, as `map` does.
 */
export const progCommand: Command = {
  name: 'prog',
  summary: 'load, show, dump, run and pin programs, as bpftool prog does (over NATS)',
  usage: PROG_USAGE,
  help(args) {
    const [word] = parseToolOptions(args.filter((a) => a !== '--help' && a !== '-h')).rest;
    const subcommand = word === undefined ? undefined : findSubcommand(word);
    return subcommand && subcommand !== progHelp ? progSubcommandUsage(subcommand) : PROG_USAGE;
  },
  run: (args, io) =>
    runTool<ProgContext, ProgSubcommand>(args, io, {
      tool: 'prog',
      find: findSubcommand,
      context: (out, streams, client, options) => ({ out, io: streams, clock: hostClock, client, bpffs: options.bpffs }),
      usageOf: (s) => (s ? progSubcommandUsage(s) : PROG_USAGE),
    }),
};
