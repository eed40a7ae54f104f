import { type LinkInfoReply, lookupEnum } from '@bpfhive/uapi';
import type { BpfClient } from '../../client/index.js';
import type { Command } from '../command.js';
import { type CliIo, UsageError } from '../io.js';
import { type ArgCursor, isPrefix, strtoul } from './map-args.js';
import { EXIT_OK, type MapContext, attempt, failure, isErrno } from './map-context.js';
import { type ToolStep, parseToolOptions, runTool } from './tool-run.js';

/** What a `link`, `net` or `perf` subcommand works with: `map`'s context and the streams. */
export interface ToolContext extends MapContext {
  readonly io: CliIo;
}

/** One subcommand: `bpfhive TOOL NAME ARGS`. */
export type ToolSubcommand = ToolStep<ToolContext>;

/**
 * A bpftool-style command (`link`, `net`, `perf`) built as `map` and `prog` are: options anywhere
 * (`-j`, `-p`, `--nats URL`), subcommands by prefix in bpftool's order (none: the first), errors
 * as bpftool reports them (JSON mode on standard output), exit 0 or 255.
 */
export function toolCommand(tool: string, summary: string, subcommands: readonly ToolSubcommand[], listed: readonly ToolSubcommand[], legend: string): Command {
  const usage = [
    ...listed.map((s, i) => `${i === 0 ? 'Usage:' : '      '} bpfhive ${tool} ${s.synopsis}`),
    `       bpfhive ${tool} help`,
    '',
    legend,
    '       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-f|--bpffs} | --nats URL }',
    '',
    '  Exit status: 0 on success, 255 on any failure (bpftool\'s -1).',
  ].join('\n');
  const help: ToolSubcommand = {
    name: 'help',
    synopsis: 'help',
    run: async (ctx) => {
      if (ctx.out.json) ctx.out.json.null();
      else ctx.out.plain(`${usage}\n`);
      return EXIT_OK;
    },
  };
  const all = [...subcommands, help];
  const find = (word: string | undefined): ToolSubcommand | undefined => (word === undefined ? subcommands[0] : all.find((s) => isPrefix(word, s.name)));
  const subUsage = (s: ToolSubcommand): string => `Usage: bpfhive ${tool} ${s.synopsis}\n\n${legend}`;
  return {
    name: tool,
    summary,
    usage,
    help(args) {
      const [word] = parseToolOptions(args.filter((a) => a !== '--help' && a !== '-h')).rest;
      const s = word === undefined ? undefined : find(word);
      return s && s !== help ? subUsage(s) : usage;
    },
    run: (args, io) =>
      runTool<ToolContext, ToolSubcommand>(args, io, {
        tool,
        find,
        context: (out, streams, client, options) => ({ out, io: streams, client, bpffs: options.bpffs }),
        usageOf: (s) => (s ? subUsage(s) : usage),
      }),
  };
}

/** struct bpf_link_info as the kernel-sim sends it. */
export type LinkInfo = LinkInfoReply;

/** `LINK := { id LINK_ID | pinned FILE }` */
export type LinkHandle = { readonly id: number } | { readonly pinned: string };

/** Reads a LINK (two arguments), worded as bpftool words its errors. */
export function parseLinkHandle(args: ArgCursor): LinkHandle {
  const word = args.peek();
  if (isPrefix(word, 'id')) {
    args.shift();
    const text = args.shift();
    const id = strtoul(text);
    if (id === undefined) throw new UsageError(`can't parse ${text} as ID`);
    return { id: Number(id & 0xffffffffn) };
  }
  if (isPrefix(word, 'pinned')) {
    args.shift();
    return { pinned: args.shift() };
  }
  throw new UsageError(`expected 'id' or 'pinned', got: '${word ?? ''}'?`);
}

/** BPF_OBJ_GET_INFO_BY_FD for a link. */
export async function linkInfo(client: BpfClient, id: number): Promise<LinkInfo> {
  return (await client.bpf('OBJ_GET_INFO_BY_FD', { link_id: id })) as unknown as LinkInfo;
}

/** The link a LINK names, with its info. */
export async function resolveLink(client: BpfClient, handle: LinkHandle): Promise<LinkInfo> {
  if ('id' in handle) return attempt(`get link by id (${handle.id})`, () => linkInfo(client, handle.id));
  const object = await attempt(`bpf obj get (${handle.pinned})`, () => client.objGet(handle.pinned));
  if (!('link_id' in object)) throw new UsageError(`incorrect object type: ${'map_id' in object ? 'map' : 'prog'}`);
  return attempt("can't get link info", () => linkInfo(client, object.link_id));
}

/** Every link's info, by id; a link that goes away while listed is skipped. */
export async function allLinks(client: BpfClient): Promise<LinkInfo[]> {
  const ids = client.ids('link');
  const out: LinkInfo[] = [];
  for (;;) {
    const next = await attempt("can't get next link", () => ids.next());
    if (next.done) return out;
    try {
      out.push(await linkInfo(client, next.value));
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw failure(`can't get link by id (${next.value})`, e);
    }
  }
}

/** An attach type's bpftool name (`xdp`, `tcx_ingress`), or its number. */
export const attachTypeName = (value: number): string => lookupEnum('bpf_attach_type', value)?.bpftool ?? String(value);
