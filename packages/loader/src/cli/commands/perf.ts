import type { Command } from '../command.js';
import type { ArgCursor } from './map-args.js';
import { EXIT_OK } from './map-context.js';
import { type LinkInfo, type ToolContext, type ToolSubcommand, allLinks, toolCommand } from './link-context.js';

const BPF_PERF_EVENT_KRETPROBE = 4;
const BPF_PERF_EVENT_TRACEPOINT = 5;

/** One attached tracing program as bpftool perf describes it: fd_type and what it names. */
interface PerfEntry {
  readonly link: LinkInfo;
  readonly fdType: 'raw_tracepoint' | 'tracepoint' | 'kprobe' | 'kretprobe';
  readonly name: string;
  readonly offset: number;
}

function perfEntries(links: readonly LinkInfo[]): PerfEntry[] {
  const out: PerfEntry[] = [];
  for (const link of links) {
    if (link.detached) continue;
    if (link.raw_tracepoint) out.push({ link, fdType: 'raw_tracepoint', name: link.raw_tracepoint.tp_name ?? '', offset: 0 });
    else if (link.perf_event?.type === BPF_PERF_EVENT_TRACEPOINT) out.push({ link, fdType: 'tracepoint', name: link.perf_event.tracepoint?.tp_name ?? '', offset: 0 });
    else if (link.perf_event?.kprobe) {
      out.push({ link, fdType: link.perf_event.type === BPF_PERF_EVENT_KRETPROBE ? 'kretprobe' : 'kprobe', name: link.perf_event.kprobe.func_name ?? '', offset: link.perf_event.kprobe.offset ?? 0 });
    } else if (link.kprobe_multi) {
      const retprobe = Boolean((link.kprobe_multi.flags ?? 0) & 1);
      for (const sym of link.kprobe_multi.syms ?? []) out.push({ link, fdType: retprobe ? 'kretprobe' : 'kprobe', name: sym, offset: 0 });
    }
  }
  return out;
}

/**
 * `show`: bpftool perf's list of tracing programs attached through perf events. Linux names
 * each by the pid and fd holding the event; bpfhive's attachments are links, so each line names
 * its link id where bpftool prints `pid P  fd F`.
 */
async function show(ctx: ToolContext, args: ArgCursor): Promise<number> {
  args.rejectRest();
  const entries = perfEntries(await allLinks(await ctx.client()));
  const json = ctx.out.json;
  if (json) {
    json.startArray();
    for (const e of entries) {
      json.startObject().field('link_id', e.link.id).field('prog_id', e.link.prog_id).field('fd_type', e.fdType);
      if (e.fdType === 'kprobe' || e.fdType === 'kretprobe') json.field('func', e.name).field('offset', e.offset);
      else json.field(e.fdType, e.name);
      json.endObject();
    }
    json.endArray();
    return EXIT_OK;
  }
  for (const e of entries) {
    const what = e.fdType === 'kprobe' || e.fdType === 'kretprobe' ? `${e.fdType}  func ${e.name}  offset ${e.offset}` : `${e.fdType}  ${e.name}`;
    ctx.out.plain(`link ${e.link.id}: prog_id ${e.link.prog_id}  ${what}\n`);
  }
  return EXIT_OK;
}

const perfShow: ToolSubcommand = { name: 'show', synopsis: '{ show | list }', run: show };
const perfList: ToolSubcommand = { name: 'list', synopsis: '{ show | list }', run: show };

/** `bpfhive perf …`: bpftool perf over the kernel-sim's links. */
export const perfCommand: Command = toolCommand(
  'perf',
  'show the tracing programs attached to tracepoints and kprobes, as bpftool perf does',
  [perfShow, perfList],
  [perfShow],
  "  Each line names the link (bpfhive's attach handle) where bpftool names a pid and fd.",
);
