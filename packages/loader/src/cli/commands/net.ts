import { AttachType } from '@bpfhive/uapi';
import { type SimDevice, linkClose, linkCreate, simDevices } from '../../examples/sim.js';
import type { Command } from '../command.js';
import { UsageError } from '../io.js';
import { type ArgCursor, isPrefix } from './map-args.js';
import { EXIT_OK, attempt } from './map-context.js';
import { type ToolContext, type ToolSubcommand, toolCommand } from './link-context.js';
import { parseDevice } from './net-device.js';
import { netReplay } from './net-replay.js';
import { parseProgHandle } from './prog-args.js';
import { progInfo, resolveProgram } from './prog-resolve.js';

/** XDP_FLAGS_SKB_MODE, XDP_FLAGS_DRV_MODE */
const XDP_FLAGS_SKB_MODE = 2;
const XDP_FLAGS_DRV_MODE = 4;

/** bpftool net's ATTACH_TYPE, as a hook of the kernel-sim. */
type NetAttach = { readonly kind: 'xdp'; readonly flags: number } | { readonly kind: 'tcx'; readonly attachType: number; readonly name: 'tcx_ingress' | 'tcx_egress' };

function parseAttachType(word: string): NetAttach {
  switch (word) {
    case 'xdp':
      return { kind: 'xdp', flags: 0 };
    case 'xdpgeneric':
      return { kind: 'xdp', flags: XDP_FLAGS_SKB_MODE };
    case 'xdpdrv':
      return { kind: 'xdp', flags: XDP_FLAGS_DRV_MODE };
    case 'tcx_ingress':
      return { kind: 'tcx', attachType: AttachType.TCX_INGRESS, name: 'tcx_ingress' };
    case 'tcx_egress':
      return { kind: 'tcx', attachType: AttachType.TCX_EGRESS, name: 'tcx_egress' };
    case 'xdpoffload':
      throw new UsageError('offloaded XDP is not simulated: use xdp, xdpgeneric or xdpdrv');
    default:
      throw new UsageError(`invalid net attach/detach type: ${word}`);
  }
}

/** `attach ATTACH_TYPE PROG dev NAME [overwrite]`: a link on the device's hook, left in place. */
async function attach(ctx: ToolContext, args: ArgCursor): Promise<number> {
  args.require(5);
  const type = parseAttachType(args.shift());
  const client = await ctx.client();
  const program = await resolveProgram(client, parseProgHandle(args));
  const device = await parseDevice(client, args);
  const overwrite = isPrefix(args.peek(), 'overwrite');
  if (overwrite) args.shift();
  args.rejectRest();
  if (type.kind === 'xdp' && device.xdp) {
    if (!overwrite) throw new UsageError(`interface ${device.name} already has an XDP program (link ${device.xdp.link_id}); add 'overwrite' to replace it`);
    await attempt('failed to replace the XDP program', () => client.bpf('LINK_UPDATE', { link_id: device.xdp!.link_id, new_prog_id: program.id }));
    ctx.out.info(`link ${device.xdp.link_id}: XDP program on ${device.name} replaced by prog ${program.id}`);
    ctx.out.json?.startObject().field('link_id', device.xdp.link_id).endObject();
    return EXIT_OK;
  }
  const attr = type.kind === 'xdp'
    ? { prog_id: program.id, attach_type: AttachType.XDP, target_ifindex: device.ifindex, flags: type.flags }
    : { prog_id: program.id, attach_type: type.attachType, target_ifindex: device.ifindex };
  const linkId = await attempt(`interface ${device.name} attach failed`, () => linkCreate(client, attr));
  ctx.out.info(`link ${linkId}: prog ${program.id} attached to ${device.name}(${device.ifindex}); 'bpfhive link detach id ${linkId}' or 'bpfhive net detach' removes it`);
  ctx.out.json?.startObject().field('link_id', linkId).endObject();
  return EXIT_OK;
}

/** `detach ATTACH_TYPE dev NAME`: closes the links on the device's hook. */
async function detach(ctx: ToolContext, args: ArgCursor): Promise<number> {
  args.require(3);
  const type = parseAttachType(args.shift());
  const client = await ctx.client();
  const device = await parseDevice(client, args);
  args.rejectRest();
  const links = type.kind === 'xdp' ? (device.xdp ? [device.xdp.link_id] : []) : (type.name === 'tcx_ingress' ? device.tc_ingress : device.tc_egress).map((l) => l.link_id);
  if (links.length === 0) throw new UsageError(`interface ${device.name} has no ${type.kind === 'xdp' ? 'XDP' : type.name} program attached`);
  for (const id of links) await attempt(`interface ${device.name} detach failed`, () => linkClose(client, id));
  ctx.out.json?.null();
  return EXIT_OK;
}

/** `show [dev NAME]`: the devices' XDP and TC programs, as bpftool net prints them. */
async function show(ctx: ToolContext, args: ArgCursor): Promise<number> {
  const client = await ctx.client();
  let devices: SimDevice[];
  if (args.count > 0) {
    args.require(2);
    devices = [await parseDevice(client, args)];
    args.rejectRest();
  } else {
    devices = await attempt("can't list devices", () => simDevices(client));
  }
  const names = new Map<number, string>();
  const progName = async (id: number): Promise<string> => {
    if (!names.has(id)) names.set(id, (await progInfo(client, id).catch(() => undefined))?.name ?? '');
    return names.get(id)!;
  };
  const tc: { device: SimDevice; kind: string; prog_id: number; link_id: number; name: string }[] = [];
  for (const device of devices) {
    for (const [kind, list] of [['tcx/ingress', device.tc_ingress], ['tcx/egress', device.tc_egress]] as const) {
      for (const l of list) tc.push({ device, kind, prog_id: l.prog_id, link_id: l.link_id, name: await progName(l.prog_id) });
    }
  }
  const xdp = devices.filter((d) => d.xdp);
  const mode = (d: SimDevice): string => (d.xdp!.mode === 'skb' ? 'generic' : 'driver');
  const json = ctx.out.json;
  if (json) {
    json.startArray().startObject();
    json.name('xdp').startArray();
    for (const d of xdp) json.startObject().field('devname', d.name).field('ifindex', d.ifindex).field('mode', mode(d)).field('id', d.xdp!.prog_id).field('link_id', d.xdp!.link_id).endObject();
    json.endArray();
    json.name('tc').startArray();
    for (const t of tc) json.startObject().field('devname', t.device.name).field('ifindex', t.device.ifindex).field('kind', t.kind).field('name', t.name).field('prog_id', t.prog_id).field('link_id', t.link_id).endObject();
    json.endArray();
    json.name('flow_dissector').startArray().endArray();
    json.name('netfilter').startArray().endArray();
    json.endObject().endArray();
    return EXIT_OK;
  }
  let text = 'xdp:\n';
  for (const d of xdp) text += `${d.name}(${d.ifindex}) ${mode(d)} id ${d.xdp!.prog_id}\n`;
  text += '\ntc:\n';
  for (const t of tc) text += `${t.device.name}(${t.device.ifindex}) ${t.kind}${t.name ? ` ${t.name}` : ''} prog_id ${t.prog_id} link_id ${t.link_id} \n`;
  text += '\nflow_dissector:\n\nnetfilter:\n\n';
  ctx.out.plain(text);
  return EXIT_OK;
}

/** `list`: the devices themselves, as `ip link` prints them (bpfhive's addition: the world is simulated). */
async function devices(ctx: ToolContext, args: ArgCursor): Promise<number> {
  args.rejectRest();
  const list = await attempt("can't list devices", async () => simDevices(await ctx.client()));
  const json = ctx.out.json;
  if (json) {
    json.startArray();
    for (const d of list) {
      json.startObject().field('ifindex', d.ifindex).field('ifname', d.name).field('link_type', d.kind).field('address', d.mac).field('mtu', d.mtu).field('operstate', d.up ? 'UP' : 'DOWN');
      json.name('addresses').startArray();
      for (const a of d.addresses) json.string(a);
      json.endArray().field('rx_packets', d.stats.rx_packets ?? 0).field('tx_packets', d.stats.tx_packets ?? 0).endObject();
    }
    json.endArray();
    return EXIT_OK;
  }
  for (const d of list) {
    const xdp = d.xdp ? ` xdp${d.xdp.mode === 'skb' ? 'generic' : ''}/id:${d.xdp.prog_id}` : '';
    ctx.out.plain(`${d.ifindex}: ${d.name}: <${d.up ? 'UP' : 'DOWN'}> mtu ${d.mtu}${xdp}\n    link/${d.kind} ${d.mac}\n`);
    for (const a of d.addresses) ctx.out.plain(`    inet${a.includes(':') ? '6' : ''} ${a}\n`);
    ctx.out.plain(`    rx ${d.stats.rx_packets ?? 0} packets  tx ${d.stats.tx_packets ?? 0} packets  xdp drop ${d.stats.xdp_drop ?? 0} pass ${d.stats.xdp_pass ?? 0}\n`);
  }
  return EXIT_OK;
}

const netShow: ToolSubcommand = { name: 'show', synopsis: '{ show | list } [dev NAME]', run: show };
const netList: ToolSubcommand = { name: 'list', synopsis: '{ show | list } [dev NAME]', run: show };
const netAttach: ToolSubcommand = { name: 'attach', synopsis: 'attach ATTACH_TYPE PROG dev NAME [ overwrite ]', run: attach };
const netDetach: ToolSubcommand = { name: 'detach', synopsis: 'detach ATTACH_TYPE dev NAME', run: detach };
const netDevices: ToolSubcommand = { name: 'devices', synopsis: 'devices', run: devices };

/** `bpfhive net …`: bpftool net over the kernel-sim's simulated devices. */
export const netCommand: Command = toolCommand(
  'net',
  'show and attach the XDP and TC programs of the simulated devices, as bpftool net does; replay pcap files into them',
  [netShow, netList, netAttach, netDetach, netDevices, netReplay],
  [netShow, netAttach, netDetach, netDevices, netReplay],
  [
    '       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }',
    '       ATTACH_TYPE := { xdp | xdpgeneric | xdpdrv | tcx_ingress | tcx_egress }',
    '       FILE := a classic pcap file of Ethernet frames (not pcapng), or - for standard input',
    '',
    '  Devices are the kernel-sim\'s (bpf.v1.sim.dev.list); `devices` lists them as ip link does.',
    '  Attaching creates a link (bpf.v1.link_create) that stays until detached.',
    '  `replay` checks FILE, then has the kernel-sim replay it into the device (bpf.v1.sim.pcap.replay,',
    '  in pieces that fit NATS\'s max_payload): at the recorded timing (default; speed FACTOR scales it),',
    '  at rate PPS packets per second, or topspeed (as fast as the kernel takes them), loop N times over.',
    '  It shows its progress on a terminal, then prints the packets, bytes, rate and XDP verdicts (-j: as',
    '  JSON). Exit 255 when FILE is broken (nothing is sent), the replay fails or is interrupted.',
  ].join('\n'),
);
