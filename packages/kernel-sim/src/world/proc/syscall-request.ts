/**
 * What a process asks of the kernel, in the scenario's terms: paths and text rather than
 * pointers (the world writes them into the task's memory), flags as numbers or `O_*` names,
 * addresses as `ip:port`.
 */
import { BpfError } from '@bpfhive/uapi';
import { familyOf } from '../net/addr.js';

export type SyscallRequest =
  | { readonly syscall: 'openat'; readonly path: string; readonly flags?: number | string; readonly mode?: number; readonly dfd?: number }
  | { readonly syscall: 'read'; readonly fd: number; readonly count?: number }
  | { readonly syscall: 'write'; readonly fd: number; readonly data?: string; readonly count?: number }
  | { readonly syscall: 'close'; readonly fd: number }
  | { readonly syscall: 'socket'; readonly family?: 'inet' | 'inet6'; readonly type?: 'stream' | 'dgram' }
  | { readonly syscall: 'bind'; readonly fd: number; readonly addr: string }
  | { readonly syscall: 'listen'; readonly fd: number; readonly backlog?: number }
  | { readonly syscall: 'connect'; readonly fd: number; readonly addr: string }
  | { readonly syscall: 'accept'; readonly fd: number; readonly peer?: string }
  /** `addr`: the destination of an unconnected datagram (sendto's dest_addr); absent: the socket's peer. */
  | { readonly syscall: 'sendto'; readonly fd: number; readonly data?: string; readonly count?: number; readonly addr?: string }
  | { readonly syscall: 'recvfrom'; readonly fd: number; readonly count?: number }
  | { readonly syscall: 'execve'; readonly path: string; readonly argv?: readonly string[]; readonly envp?: readonly string[] }
  /** fork is clone with SIGCHLD, as glibc makes it. */
  | { readonly syscall: 'clone' | 'fork'; readonly flags?: number; readonly child?: number; readonly cpu?: number }
  | { readonly syscall: 'exit' | 'exit_group'; readonly code?: number }
  | { readonly syscall: 'kill'; readonly target: number; readonly signal?: number | string };

export type SyscallKind = SyscallRequest['syscall'];

export const O_FLAGS = {
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 0o100, O_EXCL: 0o200, O_NOCTTY: 0o400, O_TRUNC: 0o1000,
  O_APPEND: 0o2000, O_NONBLOCK: 0o4000, O_DIRECTORY: 0o200000, O_NOFOLLOW: 0o400000, O_CLOEXEC: 0o2000000,
} as const;

export const AT_FDCWD = -100;
export const SIGCHLD = 17;
export const CLONE_THREAD = 0x10000;

export const SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10,
  SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20,
  SIGURG: 23, SIGWINCH: 28,
};

/** Signals whose default action ends the process (term or core). */
export const FATAL_SIGNALS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);

/** `O_WRONLY|O_CREAT`, a number, or undefined (O_RDONLY). EINVAL for unknown names. */
export function parseOpenFlags(flags: number | string | undefined): number {
  if (flags === undefined) return 0;
  if (typeof flags === 'number') return flags;
  return flags.split(/[|,\s]+/).filter(Boolean).reduce((acc, name) => {
    const bit = O_FLAGS[name.toUpperCase() as keyof typeof O_FLAGS];
    if (bit === undefined) throw new BpfError('EINVAL', `openat flags: unknown flag "${name}"`);
    return acc | bit;
  }, 0);
}

/** `SIGTERM`, `TERM`, `15` → 15. EINVAL for unknown names. */
export function parseSignal(sig: number | string | undefined): number {
  if (sig === undefined) return 15;
  if (typeof sig === 'number') return sig;
  if (/^\d+$/.test(sig)) return Number(sig);
  const n = SIGNALS[sig.toUpperCase().startsWith('SIG') ? sig.toUpperCase() : `SIG${sig.toUpperCase()}`];
  if (n === undefined) throw new BpfError('EINVAL', `kill: unknown signal "${sig}"`);
  return n;
}

/** `10.0.0.1:80`, `[fd00::1]:443` → address and port. EINVAL when malformed. */
export function parseEndpoint(text: string): { address: string; port: number; family: 4 | 6 } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new BpfError('EINVAL', `address "${text}": want ip:port or [ipv6]:port`);
  return { address: m[1]!, port, family: familyOf(m[1]!) };
}
