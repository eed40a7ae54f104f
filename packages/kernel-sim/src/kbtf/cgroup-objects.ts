/**
 * cgroup v2 as kernel objects, one per cgroup id the world's tasks name: a `css_set` whose
 * dfl_cgrp is the `struct cgroup`, whose kernfs node carries the id (what
 * bpf_get_current_cgroup_id reports: `task->cgroups->dfl_cgrp->kn->id`) and a name. The root
 * cgroup (id 1) is level 0 and named "" as in Linux; every other is a child of it, named by its
 * id (the world gives cgroups no names).
 */
import type { KernelStructs } from './kernel-structs.js';

const ROOT_CGROUP_ID = 1n;

export class CgroupObjects {
  readonly #sets = new Map<bigint, number>();
  readonly #cgroups = new Map<bigint, number>();

  constructor(private readonly structs: KernelStructs) {}

  /** The css_set of the tasks in cgroup `id` (made on first use, kept for the kernel's life). */
  cssSet(id: bigint): number {
    let set = this.#sets.get(id);
    if (set === undefined) {
      set = this.structs.create('css_set', { dfl_cgrp: this.#cgroup(id) }).address;
      this.#sets.set(id, set);
    }
    return set;
  }

  #cgroup(id: bigint): number {
    let cgroup = this.#cgroups.get(id);
    if (cgroup !== undefined) return cgroup;
    const s = this.structs;
    const root = id === ROOT_CGROUP_ID;
    const parent = root ? 0 : this.#cgroup(ROOT_CGROUP_ID);
    const parentKn = root ? 0 : s.pointer(parent, 'cgroup', 'kn');
    const kn = s.create('kernfs_node', { __parent: parentKn, name: s.string(root ? '' : String(id)).address, id }).address;
    cgroup = s.create('cgroup', { level: root ? 0 : 1, kn }).address;
    s.write(cgroup, 'cgroup', { 'self.cgroup': cgroup, 'self.parent': root ? 0 : s.addressOf(parent, 'cgroup', 'self') });
    this.#cgroups.set(id, cgroup);
    return cgroup;
  }
}
