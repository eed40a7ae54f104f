import type { Command } from '../command.js';
import { btfDump } from './btf-dump.js';
import { btfList, btfShow } from './btf-show.js';
import { isPrefix } from './map-args.js';
import { EXIT_OK, type MapContext, type MapSubcommand } from './map-context.js';
import { parseToolOptions, runTool } from './tool-run.js';

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

/**
 * `bpfhive btf …`: bpftool's BTF commands. `dump file` works offline; ids, maps and programs
 * go over NATS. Handles its own errors (JSON mode reports them on standard output) and exits
 * 0 or 255, as `map` and `prog` do.
 */
/** The subcommand a word names (bpftool's cmd_select); none: `show`. */
function findSubcommand(word: string | undefined): MapSubcommand | undefined {
  return word === undefined ? btfShow : SUBCOMMANDS.find((s) => isPrefix(word, s.name));
}

/** One subcommand's usage, with the legend. */
const subcommandUsage = (s: MapSubcommand): string => `Usage: bpfhive btf ${s.synopsis}\n\n${LEGEND}`;

export const btfCommand: Command = {
  name: 'btf',
  summary: 'dump BTF from an object, a raw blob or a BTF id (raw, JSON or C), as bpftool btf does',
  usage: BTF_USAGE,
  help(args) {
    const [word] = parseToolOptions(args.filter((a) => a !== '--help' && a !== '-h')).rest;
    const subcommand = word === undefined ? undefined : findSubcommand(word);
    return subcommand && subcommand !== btfHelp ? subcommandUsage(subcommand) : BTF_USAGE;
  },
  run: (args, io) =>
    runTool<MapContext, MapSubcommand>(args, io, {
      tool: 'btf',
      find: findSubcommand,
      context: (out, _io, client) => ({ out, client }),
      usageOf: () => BTF_USAGE,
    }),
};
