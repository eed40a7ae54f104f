/**
 * What a kernel has from boot, before any process: the initial namespaces (uts, ipc, mnt, pid,
 * net, cgroup, user, time) and the nsproxy naming them, root's credentials, and the idle task
 * `swapper/0` (pid 0, init_task), which is its own parent. Every task of the simulated world
 * shares these namespaces.
 */
import { CAP_FULL_SET, NICE_0_PRIO, NS_INUM, NS_TYPE } from './linux-constants.js';
import type { KernelStructs } from './kernel-structs.js';

export interface KernelRootsOptions {
  /** uname -n (default `bpfhive`). */
  readonly hostname?: string;
  /** uname -r (default `6.6.0-bpfhive`, the kernel the world's functions and tracepoints follow). */
  readonly release?: string;
}

export interface KernelRoots {
  /** `init_task`: swapper/0. */
  readonly initTask: number;
  /** `init_cred`: uid 0 with every capability. */
  readonly initCred: number;
  readonly nsproxy: number;
  readonly pidNs: number;
  readonly userNs: number;
}

/** PF_IDLE | PF_KTHREAD: the idle task's flags. */
const IDLE_FLAGS = 0x00200002;

/** Lays the boot-time objects out in kernel memory (they live as long as the kernel). */
export function bootKernelRoots(structs: KernelStructs, options: KernelRootsOptions = {}): KernelRoots {
  const ns = (kind: keyof typeof NS_INUM): Record<string, number> => ({ 'ns.ns_type': NS_TYPE[kind], 'ns.inum': NS_INUM[kind] });
  const make = (name: string, values: Record<string, number | bigint | string>): number => structs.create(name, values).address;

  const userNs = make('user_namespace', { level: 0, ...ns('user') });
  const pidNs = make('pid_namespace', { level: 0, pid_allocated: 1, user_ns: userNs, ...ns('pid') });
  const utsNs = make('uts_namespace', {
    'name.sysname': 'Linux',
    'name.nodename': options.hostname ?? 'bpfhive',
    'name.release': options.release ?? '6.6.0-bpfhive',
    'name.version': '#1 SMP PREEMPT_DYNAMIC',
    'name.machine': 'x86_64',
    'name.domainname': '(none)',
    user_ns: userNs,
    ...ns('uts'),
  });
  const timeNs = make('time_namespace', ns('time'));
  const nsproxy = make('nsproxy', {
    'count.refs.counter': 1,
    uts_ns: utsNs,
    ipc_ns: make('ipc_namespace', ns('ipc')),
    mnt_ns: make('mnt_namespace', ns('mnt')),
    pid_ns_for_children: pidNs,
    net_ns: make('net', { ifindex: 1, ...ns('net') }),
    time_ns: timeNs,
    time_ns_for_children: timeNs,
    cgroup_ns: make('cgroup_namespace', ns('cgroup')),
  });
  const initCred = make('cred', credValues(0, 0, userNs));
  const initPid = structs.create('pid', { 'count.refs.counter': 1, level: 0, 'numbers[0].nr': 0, 'numbers[0].ns': pidNs }, structs.sizeOf('upid')).address;
  const initTask = make('task_struct', { pid: 0, tgid: 0, comm: 'swapper/0', flags: IDLE_FLAGS, prio: NICE_0_PRIO, static_prio: NICE_0_PRIO, normal_prio: NICE_0_PRIO });
  structs.write(initTask, 'task_struct', {
    real_parent: initTask, parent: initTask, group_leader: initTask, real_cred: initCred, cred: initCred, nsproxy, thread_pid: initPid,
  });
  structs.write(pidNs, 'pid_namespace', { child_reaper: initTask });
  return { initTask, initCred, nsproxy, pidNs, userNs };
}

/**
 * The idle task of CPU `cpu` > 0 (`swapper/<cpu>`, pid 0), forked from init_task at boot as Linux's
 * idle threads are: init_task's credentials, namespaces and pid, its parent init_task.
 */
export function bootIdleTask(structs: KernelStructs, roots: KernelRoots, cpu: number): number {
  const idle = structs.create('task_struct', { pid: 0, tgid: 0, comm: `swapper/${cpu}`, flags: IDLE_FLAGS, prio: NICE_0_PRIO, static_prio: NICE_0_PRIO, normal_prio: NICE_0_PRIO }).address;
  structs.write(idle, 'task_struct', {
    real_parent: roots.initTask, parent: roots.initTask, group_leader: idle, real_cred: roots.initCred, cred: roots.initCred,
    nsproxy: roots.nsproxy, thread_pid: structs.pointer(roots.initTask, 'task_struct', 'thread_pid'),
  });
  return idle;
}

/** A cred's fields for `uid`/`gid` (real, saved, effective and fs ids alike); root holds every capability. */
export function credValues(uid: number, gid: number, userNs: number): Record<string, number | bigint> {
  const caps = uid === 0 ? CAP_FULL_SET : 0n;
  return {
    'usage.counter': 1,
    'uid.val': uid, 'gid.val': gid, 'suid.val': uid, 'sgid.val': gid, 'euid.val': uid, 'egid.val': gid, 'fsuid.val': uid, 'fsgid.val': gid,
    'cap_inheritable.val': 0, 'cap_permitted.val': caps, 'cap_effective.val': caps, 'cap_bset.val': CAP_FULL_SET, 'cap_ambient.val': 0,
    user_ns: userNs,
  };
}
