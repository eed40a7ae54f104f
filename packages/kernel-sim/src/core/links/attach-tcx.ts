import { AttachType, LinkType } from '@bpfhive/uapi';
import { type AttachFunction, linkError } from './attachment.js';
import { AttachFlags, MAX_HOOK_PROGS } from './flags.js';
import { HookKeys } from './hook-points.js';

const KNOWN = AttachFlags.BEFORE | AttachFlags.AFTER | AttachFlags.ID | AttachFlags.LINK;

/**
 * A TCX link on a device's ingress or egress (tcx_link_attach → bpf_mprog_attach): several
 * programs run in order. Placement: BPF_F_BEFORE first, BPF_F_AFTER or nothing last; with
 * tcx.relative_id, right before or after that program (or link, with BPF_F_LINK; ids are what
 * Linux takes fds for, so BPF_F_ID changes nothing). Errors: no such device ENODEV; unknown flags,
 * both BEFORE and AFTER, or a relative id without either EINVAL; expected_revision not the hook's
 * ESTALE; a relative that is not on the hook ENOENT; the program already there EEXIST; 64
 * programs already ERANGE.
 */
export const attachTcx: AttachFunction = ({ targets, points, link }, program, attr, attachType) => {
  const device = attr.target_ifindex ? targets.device(attr.target_ifindex) : undefined;
  if (!device) throw linkError('ENODEV', `target_ifindex ${attr.target_ifindex ?? 0} names no device`);
  const flags = attr.flags ?? 0;
  if ((flags & ~KNOWN) !== 0) throw linkError('EINVAL', `TCX links take BPF_F_BEFORE, BPF_F_AFTER, BPF_F_ID and BPF_F_LINK only, got 0x${flags.toString(16)}`);
  const before = (flags & AttachFlags.BEFORE) !== 0;
  const after = (flags & AttachFlags.AFTER) !== 0;
  if (before && after) throw linkError('EINVAL', 'BPF_F_BEFORE and BPF_F_AFTER together are not supported');
  const direction = attachType === AttachType.TCX_INGRESS ? 'ingress' : 'egress';
  const point = HookKeys.tc(device.ifindex, direction);
  const expected = attr.tcx?.expected_revision ?? 0;
  if (expected !== 0 && expected !== points.revision(point)) throw linkError('ESTALE', `expected revision ${expected}, the hook is at ${points.revision(point)}`);
  const list = points.list(point);
  if (list.some((l) => l.program === program)) throw linkError('EEXIST', `program ${program.id} is already on ${direction} of ifindex ${device.ifindex}`);
  if (list.length >= MAX_HOOK_PROGS) throw linkError('ERANGE', `${direction} of ifindex ${device.ifindex} already has ${MAX_HOOK_PROGS} programs`);
  const relative = attr.tcx?.relative_id ?? 0;
  let index = before ? 0 : list.length;
  if (relative !== 0) {
    if (!before && !after) throw linkError('EINVAL', 'tcx.relative_id needs BPF_F_BEFORE or BPF_F_AFTER');
    const byLink = (flags & AttachFlags.LINK) !== 0;
    const at = list.findIndex((l) => (byLink ? l === link(relative) : l.program.id === relative));
    if (at < 0) throw linkError('ENOENT', `${byLink ? 'link' : 'program'} ${relative} is not on ${direction} of ifindex ${device.ifindex}`);
    index = before ? at : at + 1;
  }
  return { type: LinkType.TCX, target: { kind: 'tcx', ifindex: device.ifindex, direction }, places: [{ point, index }] };
};
