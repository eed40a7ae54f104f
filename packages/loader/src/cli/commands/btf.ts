import { BpfClient } from '../../client/index.js';
import type { Command } from '../command.js';
import { Output } from '../format/output.js';
import { type CliIo, UsageError } from '../io.js';
import { btfDump } from './btf-dump.js';
import { btfList, btfShow } from './btf-show.js';
import { ArgCursor, UsageRequested, isPrefix } from './map-args.js';
import { EXIT_FAILURE, EXIT_OK, type MapContext, type MapSubcommand } from './map-context.js';
import { type MapOptions, parseMapOptions } from './map.js';

const LEGEND = [
  '       BTF_SRC := { id BTF_ID | prog PROG | map MAP [{key | value | kv | all}] | file FILE }',
  '       FORMAT  := { raw | c [unsorted] }',
  '       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }',
  '       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }',
  '       OPTIONS := { {-j|--json} [{-p|--pretty}] | --nats URL }',
  '',
  '  FILE is an eBPF object (its .BTF section) or a raw BTF blob such as the kernel-sim\'s',
  '  packages/kernel-sim/btf/vmlinux.btf; `format c` of the kernel\'s BTF is a vmlinux.h. Ids, maps',
  '  and programs are asked for over NATS (--nats URL, else NATS_URL, else nats://127.0.0.1:4222).',
  '  Exit status: 0 on success, 255 on any failure (bpftool\'s -1).',
].join('\n');

const btfHelp: MapSubcommand = {
  name: 'help',
  synopsis: 'help',
  run: async (ctx) => {
    if (ctx.out.json) ctx.out.json.null();
    else ctx.out.plain(`${BTF_USAGE}\n`);
    return EXIT_OK;
  },
};

/** bpftool's order: a prefix picks the first subcommand it starts (`d` is dump, `l` is list). */
const SUBCOMMANDS: readonly MapSubcommand[] = [btfShow, btfList, btfHelp, btfDump];

const BTF_USAGE = [
  `Usage: bpfhive btf ${btfShow.synopsis}`,
  `       bpfhive btf ${btfDump.synopsis}`,
  '       bpfhive btf help',
  '',
  LEGEND,
].join('\n');

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * `bpfhive btf …`: bpftool's BTF commands. `dump file` works offline; ids, maps and programs
 * go over NATS. Handles its own errors (JSON mode reports them on standard output) and exits
 * 0 or 255, as `map` and `prog` do.
 */
export const btfCommand: Command = {
  name: 'btf',
  summary: 'dump BTF from an object, a raw blob or a BTF id (raw, JSON or C), as bpftool btf does',
  usage: BTF_USAGE,
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
    const subcommand = word === undefined ? btfShow : SUBCOMMANDS.find((s) => isPrefix(word, s.name));
    let client: Promise<BpfClient> | undefined;
    const ctx: MapContext = {
      out,
      client: () => (client ??= BpfClient.connect({ ...(options.nats !== undefined && { servers: options.nats }), name: 'bpfhive-cli' })),
    };
    let status: number;
    try {
      if (!subcommand) throw new UsageError(`unknown btf command '${word}'; run 'bpfhive btf help'`);
      status = await subcommand.run(ctx, new ArgCursor(rest, subcommand.name));
    } catch (e) {
      if (e instanceof UsageRequested) {
        if (out.json) out.error(`usage: bpfhive btf ${subcommand?.synopsis ?? ''}`);
        else io.stderr(`${BTF_USAGE}\n`);
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
