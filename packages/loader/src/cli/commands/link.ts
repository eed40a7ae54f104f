import { lookupEnum } from '@bpfhive/uapi';
import type { BpfClient } from '../../client/index.js';
import { simDevices } from '../../examples/sim.js';
import type { Command } from '../command.js';
import { type LinkFormatContext, linkJson, linkPlain } from '../format/link-info.js';
import type { ArgCursor } from './map-args.js';
import { EXIT_OK, attempt } from './map-context.js';
import { type LinkInfo, type ToolContext, type ToolSubcommand, allLinks, attachTypeName, parseLinkHandle, resolveLink, toolCommand } from './link-context.js';
import { pinnedPaths } from './pin-paths.js';
import { progInfo } from './prog-resolve.js';

/** What printing links needs: device names (from the simulated world) and the programs' types. */
export async function linkFormatContext(client: BpfClient, links: readonly LinkInfo[]): Promise<LinkFormatContext> {
  const devices = new Map<number, string>();
  if (links.some((l) => l.xdp || l.tcx)) {
    for (const d of await simDevices(client).catch(() => [])) devices.set(d.ifindex, d.name);
  }
  const progTypes = new Map<number, string>();
  for (const link of links.filter((l) => l.tracing)) {
    const info = await progInfo(client, link.prog_id).catch(() => undefined);
    if (info) progTypes.set(link.prog_id, lookupEnum('bpf_prog_type', info.type)?.bpftool ?? String(info.type));
  }
  return { devices, progTypes, attachType: attachTypeName };
}

/** `show [LINK]` / `list [LINK]`: every link, or the one LINK names. */
async function show(ctx: ToolContext, args: ArgCursor): Promise<number> {
  const client = await ctx.client();
  let links: LinkInfo[];
  const one = args.count > 0;
  if (one) {
    args.require(2);
    links = [await resolveLink(client, parseLinkHandle(args))];
    args.rejectRest();
  } else {
    links = await allLinks(client);
  }
  const pins = await pinnedPaths(ctx, 'link');
  const format = { ...(await linkFormatContext(client, links)), ...(pins && { pins }) };
  const json = ctx.out.json;
  if (json) {
    // bpftool writes one object for `show LINK`, an array for `show`.
    if (!one) json.startArray();
    for (const link of links) linkJson(json, link, format);
    if (!one) json.endArray();
  } else {
    for (const link of links) ctx.out.plain(linkPlain(link, format));
  }
  return EXIT_OK;
}

/** `detach LINK`: BPF_LINK_DETACH (the link stays, its hook lets go). */
async function detach(ctx: ToolContext, args: ArgCursor): Promise<number> {
  args.require(2);
  const client = await ctx.client();
  const link = await resolveLink(client, parseLinkHandle(args));
  args.rejectRest();
  await attempt('failed link detach', () => client.bpf('LINK_DETACH', { link_id: link.id }));
  ctx.out.json?.null();
  return EXIT_OK;
}

/** `pin LINK FILE`: BPF_OBJ_PIN of the link; it then outlives this command (and every handle on it) until the pin is removed. */
async function pin(ctx: ToolContext, args: ArgCursor): Promise<number> {
  args.require(3);
  const client = await ctx.client();
  const link = await resolveLink(client, parseLinkHandle(args));
  const file = args.shift();
  args.rejectRest();
  await attempt(`can't pin the object (${file})`, () => client.objPin(file, { link_id: link.id }));
  ctx.out.json?.null();
  return EXIT_OK;
}

const linkShow: ToolSubcommand = { name: 'show', synopsis: '{ show | list } [LINK]', run: show };
const linkList: ToolSubcommand = { name: 'list', synopsis: '{ show | list } [LINK]', run: show };
const linkPin: ToolSubcommand = { name: 'pin', synopsis: 'pin    LINK FILE', run: pin };
const linkDetach: ToolSubcommand = { name: 'detach', synopsis: 'detach LINK', run: detach };

/** `bpfhive link …`: bpftool's link commands over NATS. */
export const linkCommand: Command = toolCommand(
  'link',
  'show, detach and pin links (attachments), as bpftool link does (over NATS)',
  [linkShow, linkList, linkPin, linkDetach],
  [linkShow, linkPin, linkDetach],
  '       LINK := { id LINK_ID | pinned FILE }',
);
