/**
 * The numbers Linux stores in the objects kernel-objects.ts lays out, from its headers
 * (include/uapi/linux/stat.h, include/linux/fs.h, include/net/tcp_states.h, include/linux/net.h,
 * include/linux/proc_ns.h, include/uapi/linux/sched.h, include/linux/sched.h,
 * include/uapi/linux/capability.h, include/uapi/linux/magic.h).
 */

/** i_mode file types. */
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;

/** file.f_mode bits. */
export const FMODE_READ = 0x1;
export const FMODE_WRITE = 0x2;

/** The access mode bits of open flags. */
export const O_ACCMODE = 3;

/** sock_common.skc_state (enum of include/net/tcp_states.h). */
export const TCP_ESTABLISHED = 1;
export const TCP_CLOSE = 7;
export const TCP_LISTEN = 10;

/** socket.state (socket_state). */
export const SS_UNCONNECTED = 1;
export const SS_CONNECTED = 3;

/** Inode numbers of the initial namespaces (PROC_*_INIT_INO); mnt and net get the first dynamic ones. */
export const NS_INUM = {
  ipc: 0xefffffff,
  uts: 0xeffffffe,
  user: 0xeffffffd,
  pid: 0xeffffffc,
  cgroup: 0xeffffffb,
  time: 0xeffffffa,
  net: 0xf0000000,
  mnt: 0xf0000001,
} as const;

/** ns_common.ns_type: the CLONE_NEW* flag of the namespace's kind. */
export const NS_TYPE = {
  mnt: 0x00020000,
  cgroup: 0x02000000,
  uts: 0x04000000,
  ipc: 0x08000000,
  user: 0x10000000,
  pid: 0x20000000,
  net: 0x40000000,
  time: 0x00000080,
} as const;

/** task_struct.flags and exit_state of a task that is going away. */
export const PF_EXITING = 0x4;
export const EXIT_DEAD = 0x10;

/** Every capability up to CAP_CHECKPOINT_RESTORE (40): what root holds. */
export const CAP_FULL_SET = (1n << 41n) - 1n;

/** Default nice-0 priority (the world's DEFAULT_PRIO). */
export const NICE_0_PRIO = 120;

/** super_block.s_magic. */
export const EXT4_SUPER_MAGIC = 0xef53;
export const SOCKFS_MAGIC = 0x534f434b;

/** MKDEV(major, minor) as the kernel packs dev_t (20 bits of minor). */
export const mkdev = (major: number, minor: number): number => ((major << 20) | minor) >>> 0;
