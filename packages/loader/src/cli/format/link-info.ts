import type { LinkInfoReply } from '@bpfhive/uapi';
import type { JsonWriter } from './json-writer.js';

/** What formatting a link needs besides its info: device names by ifindex, attach type names. */
export interface LinkFormatContext {
  readonly devices: ReadonlyMap<number, string>;
  attachType(value: number): string;
  /** The program type's name of the link's program (tracing links print it, as bpftool does). */
  readonly progTypes?: ReadonlyMap<number, string>;
  /** `-f`: the paths each link is pinned at, by link id (printed as bpftool --bpffs prints them). */
  readonly pins?: ReadonlyMap<number, readonly string[]>;
}

const BPF_PERF_EVENT_KPROBE = 3;
const BPF_PERF_EVENT_KRETPROBE = 4;
const BPF_PERF_EVENT_TRACEPOINT = 5;

/** bpftool's show_link_ifindex_plain: `ifindex eth0(2)  `, `ifindex (detached)  `. */
function ifindexPlain(ifindex: number, ctx: LinkFormatContext): string {
  if (!ifindex) return 'ifindex (detached)  ';
  const name = ctx.devices.get(ifindex);
  return `ifindex ${name === undefined ? '(unknown)' : `${name}(${ifindex})`}  `;
}

function ifindexJson(json: JsonWriter, ifindex: number, ctx: LinkFormatContext): void {
  const name = ctx.devices.get(ifindex);
  if (name !== undefined) json.field('devname', name);
  json.field('ifindex', ifindex);
}

/** A link as bpftool's show_link_info_plain prints it, with its final newline. */
export function linkPlain(info: LinkInfoReply, ctx: LinkFormatContext): string {
  let text = `${info.id}: ${info.type_name || `type ${info.type}`}  prog ${info.prog_id}  `;
  const attach = (value: number): string => `attach_type ${ctx.attachType(value)}  `;
  if (info.raw_tracepoint) {
    text += `\n\ttp '${info.raw_tracepoint.tp_name ?? ''}'  `;
  } else if (info.tracing) {
    const progType = ctx.progTypes?.get(info.prog_id);
    if (progType !== undefined) text += `\n\tprog_type ${progType}  `;
    else text += '\n\t';
    text += attach(info.tracing.attach_type ?? info.attach_type);
    if (info.tracing.target_obj_id || info.tracing.target_btf_id) text += `\n\ttarget_obj_id ${info.tracing.target_obj_id ?? 0}  target_btf_id ${info.tracing.target_btf_id ?? 0}  `;
  } else if (info.cgroup) {
    text += `\n\tcgroup_id ${info.cgroup.cgroup_id ?? 0}  ${attach(info.cgroup.attach_type ?? info.attach_type)}`;
  } else if (info.xdp) {
    text += `\n\t${ifindexPlain(info.xdp.ifindex ?? 0, ctx)}`;
  } else if (info.tcx) {
    text += `\n\t${ifindexPlain(info.tcx.ifindex ?? 0, ctx)}${attach(info.tcx.attach_type ?? info.attach_type)}`;
  } else if (info.kprobe_multi) {
    const k = info.kprobe_multi;
    text += `\n\t${(k.flags ?? 0) & 1 ? 'kretprobe.multi' : 'kprobe.multi'}  func_cnt ${k.count ?? 0}  `;
    if (k.missed) text += `missed ${k.missed}  `;
    const syms = k.syms ?? [];
    if (syms.length > 0) text += `\n\t${'addr'.padEnd(18)} ${'cookie'.padEnd(8)} func [module]`;
    syms.forEach((sym, i) => (text += `\n\t${(k.addrs?.[i] ?? '0x0').replace(/^0x/, '').padStart(16, '0')}   ${String(k.cookies?.[i] ?? 0).padEnd(8)} ${sym}`));
  } else if (info.perf_event) {
    const p = info.perf_event;
    if (p.type === BPF_PERF_EVENT_TRACEPOINT && p.tracepoint) {
      text += `\n\ttracepoint ${p.tracepoint.tp_name ?? ''}  `;
      if (p.tracepoint.cookie) text += `cookie ${p.tracepoint.cookie}  `;
    } else if ((p.type === BPF_PERF_EVENT_KPROBE || p.type === BPF_PERF_EVENT_KRETPROBE) && p.kprobe) {
      const k = p.kprobe;
      text += `\n\t${p.type === BPF_PERF_EVENT_KRETPROBE ? 'kretprobe' : 'kprobe'} `;
      if (k.addr && k.addr !== '0x0') text += `${k.addr.replace(/^0x/, '')} `;
      text += k.func_name ?? '';
      if (k.offset) text += `+0x${k.offset.toString(16)}`;
      if (k.missed) text += `  missed ${k.missed}`;
      if (k.cookie) text += `  cookie ${k.cookie}`;
      text += '  ';
    }
  }
  for (const path of ctx.pins?.get(info.id) ?? []) text += `\n\tpinned ${path}`;
  if (info.detached) text += '\n\tdetached  ';
  return `${text}\n`;
}

/** A link as bpftool's show_link_info_json writes it: one object. */
export function linkJson(json: JsonWriter, info: LinkInfoReply, ctx: LinkFormatContext): void {
  json.startObject().field('id', info.id).field('type', info.type_name || info.type).field('prog_id', info.prog_id);
  if (info.raw_tracepoint) {
    json.field('tp_name', info.raw_tracepoint.tp_name ?? '');
  } else if (info.tracing) {
    const progType = ctx.progTypes?.get(info.prog_id);
    if (progType !== undefined) json.field('prog_type', progType);
    json.field('attach_type', ctx.attachType(info.tracing.attach_type ?? info.attach_type));
    json.field('target_obj_id', info.tracing.target_obj_id ?? 0).field('target_btf_id', info.tracing.target_btf_id ?? 0);
    if (info.tracing.target_name !== undefined) json.field('target_name', info.tracing.target_name);
  } else if (info.cgroup) {
    json.field('cgroup_id', info.cgroup.cgroup_id ?? 0).field('attach_type', ctx.attachType(info.cgroup.attach_type ?? info.attach_type));
  } else if (info.xdp) {
    ifindexJson(json, info.xdp.ifindex ?? 0, ctx);
    if (info.xdp.mode !== undefined) json.field('mode', info.xdp.mode);
  } else if (info.tcx) {
    ifindexJson(json, info.tcx.ifindex ?? 0, ctx);
    json.field('attach_type', ctx.attachType(info.tcx.attach_type ?? info.attach_type));
  } else if (info.kprobe_multi) {
    const k = info.kprobe_multi;
    json.field('func_cnt', k.count ?? 0).field('missed', k.missed ?? 0).field('retprobe', Boolean((k.flags ?? 0) & 1));
    json.name('funcs').startArray();
    (k.syms ?? []).forEach((sym, i) => json.startObject().field('addr', k.addrs?.[i] ?? '0x0').field('func', sym).field('cookie', k.cookies?.[i] ?? 0).endObject());
    json.endArray();
  } else if (info.perf_event) {
    const p = info.perf_event;
    if (p.type === BPF_PERF_EVENT_TRACEPOINT && p.tracepoint) {
      json.field('event_type', 'tracepoint').field('tracepoint', p.tracepoint.tp_name ?? '').field('cookie', p.tracepoint.cookie ?? 0);
    } else if (p.kprobe) {
      const k = p.kprobe;
      json.field('event_type', p.type === BPF_PERF_EVENT_KRETPROBE ? 'kretprobe' : 'kprobe');
      json.field('retprobe', p.type === BPF_PERF_EVENT_KRETPROBE).field('addr', k.addr ?? '0x0').field('func', k.func_name ?? '').field('offset', k.offset ?? 0).field('missed', k.missed ?? 0).field('cookie', k.cookie ?? 0);
    }
  }
  if (ctx.pins) {
    json.name('pinned').startArray();
    for (const path of ctx.pins.get(info.id) ?? []) json.string(path);
    json.endArray();
  }
  if (info.detached) json.field('detached', true);
  json.endObject();
}
