import { BpfClient } from '../../client/index.js';
import type { Command } from '../command.js';
import { Output } from '../format/output.js';
import { type CliIo, UsageError } from '../io.js';
import { ArgCursor, UsageRequested, isPrefix } from './map-args.js';
import { EXIT_FAILURE, EXIT_OK, type MapContext, type MapSubcommand } from './map-context.js';
import { mapCreate, mapFreeze, mapPin } from './map-create.js';
import { mapDump } from './map-dump.js';
import { mapDelete, mapDequeue, mapEnqueue, mapGetnext, mapLookup, mapPeek, mapPop, mapPush, mapUpdate } from './map-elem.js';
import { mapList, mapShow } from './map-show.js';
import { mapUsage, subcommandUsage } from './map-usage.js';

const mapHelp: MapSubcommand = {
  name: 'help',
  synopsis: 'help',
  run: async (ctx) => {
    if (ctx.out.json) ctx.out.json.null();
    else ctx.out.plain(`${MAP_USAGE}\n`);
    return EXIT_OK;
  },
};

const mapEventPipe: MapSubcommand = {
  name: 'event_pipe',
  synopsis: 'event_pipe MAP [cpu N index M]',
  run: () => Promise.reject(new UsageError('event_pipe: perf event arrays are not served over NATS yet')),
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
const MAP_USAGE = mapUsage([mapShow, mapCreate, mapDump, mapUpdate, mapLookup, mapGetnext, mapDelete, mapPin, mapPeek, mapPush, mapPop, mapEnqueue, mapDequeue, mapFreeze]);

/** The options bpftool takes anywhere on the line, and the arguments left. */
export interface MapOptions {
  readonly json: boolean;
  readonly pretty: boolean;
  readonly nats?: string;
  readonly rest: string[];
}

/** Takes `-j`/`--json`, `-p`/`--pretty` (implies JSON), `--nats URL` out of the arguments; anything else stays. */
export function parseMapOptions(args: readonly string[]): MapOptions {
  let json = false;
  let pretty = false;
  let nats: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json' || arg === '--pretty' || /^-[jp]+$/.test(arg)) {
      json = true;
      pretty ||= arg === '--pretty' || /^-[jp]*p/.test(arg);
    } else if (arg === '--nats') {
      nats = args[++i];
      if (nats === undefined) throw new UsageError("option '--nats' needs a URL");
    } else if (arg.startsWith('--nats=')) {
      nats = arg.slice('--nats='.length);
    } else {
      rest.push(arg);
    }
  }
  return { json, pretty, ...(nats !== undefined && { nats }), rest };
}

/** The subcommand a word names (bpftool's cmd_select); none: `show`. */
export function findSubcommand(word: string | undefined): MapSubcommand | undefined {
  return word === undefined ? mapShow : SUBCOMMANDS.find((s) => isPrefix(word, s.name));
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
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
    const [word] = parseMapOptions(args.filter((a) => a !== '--help' && a !== '-h')).rest;
    const subcommand = word === undefined ? undefined : findSubcommand(word);
    return subcommand && subcommand !== mapHelp ? subcommandUsage(subcommand) : MAP_USAGE;
  },
  async run(args: string[], io: CliIo): Promise<number> {
    let options: MapOptions;
    try {
      options = parseMapOptions(args);
    } catch (e) {
      io.stderr(`Error: ${describe(e)}\n`);
      return EXIT_FAILURE;
    }
    const out = new Output(io, options);
    const [word, ...rest] = options.rest;
    const subcommand = findSubcommand(word);
    let client: Promise<BpfClient> | undefined;
    const ctx: MapContext = { out, client: () => (client ??= BpfClient.connect({ ...(options.nats !== undefined && { servers: options.nats }), name: 'bpfhive-cli' })) };
    let status: number;
    try {
      if (!subcommand) throw new UsageError(`unknown map command '${word}'; run 'bpfhive map help'`);
      status = await subcommand.run(ctx, new ArgCursor(rest, subcommand.name));
    } catch (e) {
      if (e instanceof UsageRequested && subcommand) {
        if (out.json) out.error(`usage: bpfhive map ${subcommand.synopsis}`);
        else io.stderr(`${subcommandUsage(subcommand)}\n`);
      } else {
        out.error(describe(e));
      }
      status = EXIT_FAILURE;
    } finally {
      await client?.then((c) => c.close()).catch(() => undefined);
    }
    out.finish();
    return status;
  },
};
