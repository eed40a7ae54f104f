/**
 * The system calls the world models, with their x86-64 numbers and the argument lists of their
 * SYSCALL_DEFINE (names and C types as the `syscalls:sys_enter_<name>` format files print them).
 */

export interface SyscallArg {
  readonly name: string;
  readonly type: string;
}

export interface SyscallDef {
  readonly name: string;
  /** x86-64 number (`__NR_<name>`, arch/x86/entry/syscalls/syscall_64.tbl). */
  readonly nr: number;
  readonly args: readonly SyscallArg[];
}

const a = (type: string, name: string): SyscallArg => ({ name, type });

export const SYSCALLS = {
  read: { name: 'read', nr: 0, args: [a('unsigned int', 'fd'), a('char *', 'buf'), a('size_t', 'count')] },
  write: { name: 'write', nr: 1, args: [a('unsigned int', 'fd'), a('const char *', 'buf'), a('size_t', 'count')] },
  close: { name: 'close', nr: 3, args: [a('unsigned int', 'fd')] },
  socket: { name: 'socket', nr: 41, args: [a('int', 'family'), a('int', 'type'), a('int', 'protocol')] },
  connect: { name: 'connect', nr: 42, args: [a('int', 'fd'), a('struct sockaddr *', 'uservaddr'), a('int', 'addrlen')] },
  accept: { name: 'accept', nr: 43, args: [a('int', 'fd'), a('struct sockaddr *', 'upeer_sockaddr'), a('int *', 'upeer_addrlen')] },
  sendto: {
    name: 'sendto', nr: 44,
    args: [a('int', 'fd'), a('void *', 'buff'), a('size_t', 'len'), a('unsigned int', 'flags'), a('struct sockaddr *', 'addr'), a('int', 'addr_len')],
  },
  recvfrom: {
    name: 'recvfrom', nr: 45,
    args: [a('int', 'fd'), a('void *', 'ubuf'), a('size_t', 'size'), a('unsigned int', 'flags'), a('struct sockaddr *', 'addr'), a('int *', 'addr_len')],
  },
  bind: { name: 'bind', nr: 49, args: [a('int', 'fd'), a('struct sockaddr *', 'umyaddr'), a('int', 'addrlen')] },
  listen: { name: 'listen', nr: 50, args: [a('int', 'fd'), a('int', 'backlog')] },
  clone: {
    name: 'clone', nr: 56,
    args: [a('unsigned long', 'clone_flags'), a('unsigned long', 'newsp'), a('int *', 'parent_tidptr'), a('int *', 'child_tidptr'), a('unsigned long', 'tls')],
  },
  execve: { name: 'execve', nr: 59, args: [a('const char *', 'filename'), a('const char *const *', 'argv'), a('const char *const *', 'envp')] },
  exit: { name: 'exit', nr: 60, args: [a('int', 'error_code')] },
  kill: { name: 'kill', nr: 62, args: [a('pid_t', 'pid'), a('int', 'sig')] },
  exit_group: { name: 'exit_group', nr: 231, args: [a('int', 'error_code')] },
  openat: { name: 'openat', nr: 257, args: [a('int', 'dfd'), a('const char *', 'filename'), a('int', 'flags'), a('umode_t', 'mode')] },
} as const satisfies Record<string, SyscallDef>;

export type SyscallName = keyof typeof SYSCALLS;

export function syscallByNr(nr: number): SyscallDef | undefined {
  return Object.values(SYSCALLS).find((s) => s.nr === nr);
}
