/**
 * The simulated kernel's symbol table: the functions system calls pass through, with made-up but
 * fixed addresses in the kernel text range and their C prototypes (Linux 6.6), so kprobes can
 * name them, `bpf_get_func_ip` and stack traces can report them, and the kernel-sim's BTF can
 * describe them for fentry/fexit.
 */

export interface KernelParam {
  readonly name: string;
  readonly type: string;
}

export interface KernelSymbol {
  readonly name: string;
  readonly address: bigint;
  /** Text symbol type as /proc/kallsyms prints it (`T` global, `t` local). */
  readonly kind: 'T' | 't';
  readonly params: readonly KernelParam[];
  readonly ret: string;
}

const p = (type: string, name: string): KernelParam => ({ type, name });
const REGS = [p('const struct pt_regs *', 'regs')];

/** [name, offset from _stext, kind, params, return type]; sorted by address. */
const TABLE: readonly [string, number, 'T' | 't', readonly KernelParam[], string][] = [
  ['do_syscall_64', 0x0001a0, 'T', [p('struct pt_regs *', 'regs'), p('int', 'nr')], 'bool'],
  ['ret_from_fork', 0x0003c0, 'T', [], 'void'],
  ['default_idle', 0x0012f0, 'T', [], 'void'],
  ['kernel_clone', 0x0a1b20, 'T', [p('struct kernel_clone_args *', 'args')], 'pid_t'],
  ['__x64_sys_clone', 0x0a1e40, 'T', REGS, 'long'],
  ['do_exit', 0x0a9f60, 'T', [p('long', 'code')], 'void'],
  ['do_group_exit', 0x0aa8a0, 'T', [p('int', 'exit_code')], 'void'],
  ['__x64_sys_exit', 0x0aa9a0, 'T', REGS, 'long'],
  ['__x64_sys_exit_group', 0x0aa9c0, 'T', REGS, 'long'],
  ['kill_something_info', 0x0b6f10, 't', [p('int', 'sig'), p('struct kernel_siginfo *', 'info'), p('pid_t', 'pid')], 'int'],
  ['__x64_sys_kill', 0x0b7320, 'T', REGS, 'long'],
  ['wake_up_new_task', 0x0d3e10, 'T', [p('struct task_struct *', 'p')], 'void'],
  // kfuncs (kernel/bpf/helpers.c), called by programs by BTF id.
  ['bpf_rcu_read_lock', 0x2a4c60, 'T', [], 'void'],
  ['bpf_rcu_read_unlock', 0x2a4c80, 'T', [], 'void'],
  ['bpf_task_acquire', 0x2a5a10, 'T', [p('struct task_struct *', 'p')], 'struct task_struct *'],
  ['bpf_task_release', 0x2a5a40, 'T', [p('struct task_struct *', 'p')], 'void'],
  ['bpf_task_from_pid', 0x2a5d80, 'T', [p('s32', 'pid')], 'struct task_struct *'],
  ['do_sys_openat2', 0x3c28a0, 'T', [p('int', 'dfd'), p('const char *', 'filename'), p('struct open_how *', 'how')], 'long'],
  ['__x64_sys_openat', 0x3c2b30, 'T', REGS, 'long'],
  ['filp_close', 0x3c2e70, 'T', [p('struct file *', 'filp'), p('fl_owner_t', 'id')], 'int'],
  ['__x64_sys_close', 0x3c3020, 'T', REGS, 'long'],
  ['vfs_read', 0x3c5a40, 'T', [p('struct file *', 'file'), p('char *', 'buf'), p('size_t', 'count'), p('loff_t *', 'pos')], 'ssize_t'],
  ['vfs_write', 0x3c5f80, 'T', [p('struct file *', 'file'), p('const char *', 'buf'), p('size_t', 'count'), p('loff_t *', 'pos')], 'ssize_t'],
  ['ksys_read', 0x3c64e0, 'T', [p('unsigned int', 'fd'), p('char *', 'buf'), p('size_t', 'count')], 'ssize_t'],
  ['__x64_sys_read', 0x3c65b0, 'T', REGS, 'long'],
  ['ksys_write', 0x3c65d0, 'T', [p('unsigned int', 'fd'), p('const char *', 'buf'), p('size_t', 'count')], 'ssize_t'],
  ['__x64_sys_write', 0x3c66a0, 'T', REGS, 'long'],
  ['bprm_execve', 0x3d1c70, 't', [p('struct linux_binprm *', 'bprm'), p('int', 'fd'), p('struct filename *', 'filename'), p('int', 'flags')], 'int'],
  ['__x64_sys_execve', 0x3d2a50, 'T', REGS, 'long'],
  ['__sys_socket', 0x9e4f30, 'T', [p('int', 'family'), p('int', 'type'), p('int', 'protocol')], 'int'],
  ['__x64_sys_socket', 0x9e5010, 'T', REGS, 'long'],
  ['__sys_bind', 0x9e5230, 'T', [p('int', 'fd'), p('struct sockaddr *', 'umyaddr'), p('int', 'addrlen')], 'int'],
  ['__x64_sys_bind', 0x9e5330, 'T', REGS, 'long'],
  ['__sys_listen', 0x9e5350, 'T', [p('int', 'fd'), p('int', 'backlog')], 'int'],
  ['__x64_sys_listen', 0x9e5420, 'T', REGS, 'long'],
  ['__sys_accept4', 0x9e5870, 'T', [p('int', 'upeer_fd'), p('struct sockaddr *', 'upeer_sockaddr'), p('int *', 'upeer_addrlen'), p('int', 'flags')], 'int'],
  ['__x64_sys_accept', 0x9e5940, 'T', REGS, 'long'],
  ['__sys_connect', 0x9e5b60, 'T', [p('int', 'fd'), p('struct sockaddr *', 'uservaddr'), p('int', 'addrlen')], 'int'],
  ['__x64_sys_connect', 0x9e5c40, 'T', REGS, 'long'],
  ['__x64_sys_sendto', 0x9e6190, 'T', REGS, 'long'],
  ['__x64_sys_recvfrom', 0x9e63d0, 'T', REGS, 'long'],
  ['inet_csk_accept', 0xaa7e20, 'T', [p('struct sock *', 'sk'), p('int', 'flags'), p('int *', 'err'), p('bool', 'kern')], 'struct sock *'],
  ['tcp_v4_connect', 0xac1b90, 'T', [p('struct sock *', 'sk'), p('struct sockaddr *', 'uaddr'), p('int', 'addr_len')], 'int'],
  ['tcp_v6_connect', 0xb3d0f0, 't', [p('struct sock *', 'sk'), p('struct sockaddr *', 'uaddr'), p('int', 'addr_len')], 'int'],
];

/** Where the kernel text starts (`_stext`), as on an x86-64 kernel without KASLR. */
export const KERNEL_TEXT = 0xffffffff81000000n;

export const KALLSYMS: readonly KernelSymbol[] = TABLE.map(([name, off, kind, params, ret]) => ({ name, address: KERNEL_TEXT + BigInt(off), kind, params, ret }));

const byName = new Map(KALLSYMS.map((s) => [s.name, s]));

export function kernelSymbol(name: string): KernelSymbol {
  const s = byName.get(name);
  if (!s) throw new Error(`kallsyms: no symbol "${name}"`);
  return s;
}

/** The symbol containing `address` and the offset into it (`do_sys_openat2+0x40`), if any. */
export function symbolize(address: bigint): { symbol: KernelSymbol; offset: bigint } | undefined {
  let found: KernelSymbol | undefined;
  for (const s of KALLSYMS) {
    if (s.address > address) break;
    found = s;
  }
  return found && address - found.address < 0x1000n ? { symbol: found, offset: address - found.address } : undefined;
}

/** /proc/kallsyms text. */
export function formatKallsyms(): string {
  return KALLSYMS.map((s) => `${s.address.toString(16)} ${s.kind} ${s.name}`).join('\n') + '\n';
}
