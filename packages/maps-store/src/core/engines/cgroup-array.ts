import { BpfError, MapType } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import type { CgroupInfo, ObjectTable } from '../ports.js';
import type { MapSpec } from '../spec.js';
import { FdArrayMap, arrayFlags, checkFdArraySpec } from './fd-array.js';
import { negErrno } from './queue-stack.js';
import type { MapTypeSupport } from './types.js';

/**
 * BPF_MAP_TYPE_CGROUP_ARRAY: one cgroup per slot, for bpf_skb_under_cgroup and
 * bpf_current_task_under_cgroup. User space writes a cgroup id (the kernel takes a cgroup
 * directory fd); the map takes a reference through the `cgroups` port (EBADF when there is no
 * such cgroup). A syscall lookup is ENOTSUPP.
 */
export class CgroupArrayMap extends FdArrayMap {
  protected readonly sysLookup = undefined;

  constructor(
    spec: MapSpec,
    arena: Arena,
    private readonly cgroups: ObjectTable<CgroupInfo> | undefined,
  ) {
    super(spec, arena);
  }

  protected take(id: number): number {
    if (this.cgroups && !this.cgroups.acquire(id)) throw new BpfError('EBADF', `update: no cgroup with id ${id}`);
    return id;
  }

  protected drop(id: number): void {
    this.cgroups?.release(id);
  }

  /**
   * The cgroup the helpers test against: its id, or -E2BIG for an index past the end and -EAGAIN
   * for an empty slot (what bpf_skb_under_cgroup and bpf_current_task_under_cgroup return then).
   * Whether the task or skb is under it is the kernel's question.
   */
  cgroupAt(index: number): number {
    if (index >= this.spec.max_entries) return negErrno('E2BIG');
    const id = this.slotAt(index);
    return id === 0 ? negErrno('EAGAIN') : id;
  }
}

/** CGROUP_ARRAY: fd_array_map_alloc_check. */
export const cgroupArrayMapType: MapTypeSupport = {
  allowedFlags: arrayFlags(MapType.CGROUP_ARRAY),
  check: checkFdArraySpec,
  create: (spec, arena, _cpus, ports) => new CgroupArrayMap(spec, arena, ports?.cgroups),
};
