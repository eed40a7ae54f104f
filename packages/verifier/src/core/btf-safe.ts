/**
 * The kernel's allowlists of struct members whose pointers keep their parent's trust when walked
 * (verifier.c, BTF_TYPE_SAFE_RCU / _RCU_OR_NULL / _TRUSTED / _TRUSTED_OR_NULL): every other
 * pointer read out of a trusted struct is an old-style PTR_TO_BTF_ID (in an RCU read section) or
 * untrusted. The kernel matches a member by name and by the struct it points to.
 */

export type SafeKind = 'trusted' | 'trusted_or_null' | 'rcu' | 'rcu_or_null';

/** struct → member → [the kind, the struct pointed to]. */
const SAFE: Record<string, Record<string, readonly [SafeKind, string]>> = {
  task_struct: { cpus_ptr: ['rcu', 'cpumask'], cgroups: ['rcu', 'css_set'], real_parent: ['rcu', 'task_struct'], group_leader: ['rcu', 'task_struct'] },
  cgroup: { kn: ['rcu', 'kernfs_node'] },
  css_set: { dfl_cgrp: ['rcu', 'cgroup'] },
  cgroup_subsys_state: { cgroup: ['rcu', 'cgroup'] },
  mm_struct: { exe_file: ['rcu_or_null', 'file'], owner: ['rcu_or_null', 'task_struct'] },
  sk_buff: { sk: ['rcu_or_null', 'sock'] },
  request_sock: { sk: ['rcu_or_null', 'sock'] },
  bpf_iter_meta: { seq: ['trusted', 'seq_file'] },
  'bpf_iter__task': { meta: ['trusted', 'bpf_iter_meta'], task: ['trusted', 'task_struct'] },
  linux_binprm: { file: ['trusted', 'file'] },
  file: { f_inode: ['trusted', 'inode'] },
  dentry: { d_inode: ['trusted_or_null', 'inode'] },
  socket: { sk: ['trusted_or_null', 'sock'] },
  vm_area_struct: { vm_file: ['trusted_or_null', 'file'] },
};

/** How member `field` of struct `parent`, a pointer to struct `target`, keeps its parent's trust; undefined when it does not. */
export function safeField(parent: string, field: string, target: string): SafeKind | undefined {
  const entry = SAFE[parent]?.[field];
  return entry && entry[1] === target ? entry[0] : undefined;
}
