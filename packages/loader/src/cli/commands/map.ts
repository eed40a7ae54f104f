import type { Command } from '../command.js';
import { isPrefix } from './map-args.js';
import { EXIT_OK, type MapContext, type MapSubcommand } from './map-context.js';
import { mapCreate, mapFreeze, mapPin } from './map-create.js';
import { mapDump } from './map-dump.js';
import { mapEventPipe } from './map-event-pipe.js';
import { mapDelete, mapDequeue, mapEnqueue, mapGetnext, mapLookup, mapPeek, mapPop, mapPush, mapUpdate } from './map-elem.js';
import { mapList, mapShow } from './map-show.js';
import { mapUsage, subcommandUsage } from './map-usage.js';
import { parseToolOptions, runTool } from './tool-run.js';

const mapHelp: MapSubcommand = {
  name: 'help',
  synopsis: 'help',
  run: async (ctx) => {
    if (ctx.out.json) ctx.out.json.null();
    else ctx.out.plain(`${MAP_USAGE}\n`);
    return EXIT_OK;
  },
};

/** bpftool's order: a prefix picks the first subcommand it starts (`d` is dump, `p` is pin). */
const SUBCOMMANDS: readonly MapSubcommand[] = [
  mapShow,
  mapList,
  mapHelp,
  mapDump,
  mapUpdate,
  mapLookup,
  mapGetnext,
  mapDelete,
  mapPin,
  mapEventPipe,
  mapCreate,
  mapPeek,
  mapPush,
  mapEnqueue,
  mapPop,
  mapDequeue,
  mapFreeze,
];

/** `bpfhive map help`, subcommands in bpftool's order. */
const MAP_USAGE = mapUsage([mapShow, mapCreate, mapDump, mapUpdate, mapLookup, mapGetnext, mapDelete, mapPin, mapEventPipe, mapPeek, mapPush, mapPop, mapEnqueue, mapDequeue, mapFreeze]);

/** The subcommand a word names (bpftool's cmd_select); none: `show`. */
export function findSubcommand(word: string | undefined): MapSubcommand | undefined {
  return word === undefined ? mapShow : SUBCOMMANDS.find((s) => isPrefix(word, s.name));
}

/**
 * `bpfhive map …`: bpftool's map commands over NATS, printing what bpftool prints. Handles its
 * own errors (JSON mode reports them on standard output) and exits 0 or 255, as bpftool does.
 */
export const mapCommand: Command = {
  name: 'map',
  summary: 'show, dump, create, update and pin maps, as bpftool map does (over NATS)',
  usage: MAP_USAGE,
  help(args) {
    const [word] = parseToolOptions(args.filter((a) => a !== '--help' && a !== '-h')).rest;
    const subcommand = word === undefined ? undefined : findSubcommand(word);
    return subcommand && subcommand !== mapHelp ? subcommandUsage(subcommand) : MAP_USAGE;
  },
  run: (args, io) =>
    runTool<MapContext, MapSubcommand>(args, io, {
      tool: 'map',
      find: findSubcommand,
      context: (out, _io, client, options) => ({ out, client, bpffs: options.bpffs }),
      usageOf: (s) => (s ? subcommandUsage(s) : MAP_USAGE),
    }),
};
