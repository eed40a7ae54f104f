import { LinkType } from '@bpfhive/uapi';
import { type AttachFunction, linkError } from './attachment.js';
import { MAX_HOOK_PROGS } from './flags.js';
import { HookKeys } from './hook-points.js';

/** The root cgroup's id on cgroup v2, where every task is unless it says otherwise. */
export const ROOT_CGROUP = 1n;

/**
 * A cgroup link (cgroup_bpf_link_attach): `target_fd` names the cgroup by id. Links are always
 * multi-attach, as BPF_F_ALLOW_MULTI, so link_create takes no flags (EINVAL). The same program
 * twice on one cgroup and attach type EINVAL; 64 programs already E2BIG; cgroup 0 EBADF.
 * bpfhive's cgroups are flat: a task in cgroup X runs X's programs, then the root's.
 */
export const attachCgroup: AttachFunction = ({ points }, program, attr, attachType) => {
  if (attr.flags) throw linkError('EINVAL', `cgroup links take no flags (they are always multi-attach), got 0x${attr.flags.toString(16)}`);
  if (!attr.target_fd) throw linkError('EBADF', 'target_fd must name a cgroup by id (1 is the root)');
  const cgroupId = BigInt(attr.target_fd);
  const point = HookKeys.cgroup(cgroupId, attachType);
  const list = points.list(point);
  if (list.some((l) => l.program === program)) throw linkError('EINVAL', `program ${program.id} is already attached to cgroup ${cgroupId} there`);
  if (list.length >= MAX_HOOK_PROGS) throw linkError('E2BIG', `cgroup ${cgroupId} already has ${MAX_HOOK_PROGS} programs there`);
  return { type: LinkType.CGROUP, target: { kind: 'cgroup', cgroupId, attachType }, places: [{ point }] };
};
