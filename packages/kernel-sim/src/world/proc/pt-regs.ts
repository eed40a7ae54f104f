/**
 * `struct pt_regs` values for kprobes: a kernel function's registers at entry (System V calling
 * convention: arguments in di, si, dx, cx, r8, r9) and at return (ax), and the user registers a
 * system call saved on entry (arguments in di, si, dx, r10, r8, r9; orig_ax the number; cx and r11
 * the return address and flags, as the `syscall` instruction leaves them). Laid out as uapi's
 * PT_REGS describes, 8 bytes per register, little-endian.
 */
import { PT_REGS } from '@bpfhive/uapi';

export type RegName =
  | 'r15' | 'r14' | 'r13' | 'r12' | 'bp' | 'bx' | 'r11' | 'r10' | 'r9' | 'r8' | 'ax' | 'cx' | 'dx' | 'si' | 'di'
  | 'orig_ax' | 'ip' | 'cs' | 'flags' | 'sp' | 'ss';

export type Regs = Partial<Record<RegName, bigint>>;

export const PT_REGS_SIZE = PT_REGS.size;
const OFFSET = new Map(PT_REGS.members.map((m) => [m.name, m.offset]));

/** Argument registers of a kernel function call, in order. */
export const CALL_ARG_REGS: readonly RegName[] = ['di', 'si', 'dx', 'cx', 'r8', 'r9'];
/** Argument registers of a system call, in order. */
export const SYSCALL_ARG_REGS: readonly RegName[] = ['di', 'si', 'dx', 'r10', 'r8', 'r9'];

const KERNEL_CS = 0x10n;
const KERNEL_SS = 0x18n;
const USER_CS = 0x33n;
const USER_SS = 0x2bn;
/** IF set, and the always-one bit 1. */
const EFLAGS = 0x246n;
const ENOSYS = 38n;

/** Encodes registers (missing ones are 0; values are taken modulo 2^64). */
export function encodeRegs(regs: Regs): Uint8Array {
  const out = new Uint8Array(PT_REGS_SIZE);
  const view = new DataView(out.buffer);
  for (const [name, value] of Object.entries(regs)) view.setBigUint64(OFFSET.get(name)!, BigInt.asUintN(64, value), true);
  return out;
}

export function decodeRegs(bytes: Uint8Array): Record<RegName, bigint> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Object.fromEntries(PT_REGS.members.map((m) => [m.name, view.getBigUint64(m.offset, true)])) as Record<RegName, bigint>;
}

/** Registers at the entry of a kernel function at `ip` called with `args` (at most 6). */
export function callRegs(ip: bigint, args: readonly bigint[], sp: bigint): Regs {
  const regs: Regs = { ip, sp, cs: KERNEL_CS, ss: KERNEL_SS, flags: EFLAGS };
  args.slice(0, 6).forEach((v, i) => (regs[CALL_ARG_REGS[i]!] = v));
  return regs;
}

/** Registers when a kernel function returns `ret` to `returnIp` (its arguments registers are gone). */
export function returnRegs(returnIp: bigint, ret: bigint, sp: bigint): Regs {
  return { ip: returnIp, sp, ax: ret, cs: KERNEL_CS, ss: KERNEL_SS, flags: EFLAGS };
}

/** The user registers saved by a `syscall` instruction at `userIp` (ax is -ENOSYS until it returns). */
export function syscallRegs(nr: number, args: readonly bigint[], userIp: bigint, userSp: bigint): Regs {
  const regs: Regs = { orig_ax: BigInt(nr), ax: -ENOSYS, ip: userIp, cx: userIp, r11: EFLAGS, flags: EFLAGS, sp: userSp, cs: USER_CS, ss: USER_SS };
  args.slice(0, 6).forEach((v, i) => (regs[SYSCALL_ARG_REGS[i]!] = v));
  return regs;
}

/** Where a program's code calls libc (its user stack's outer frame): a fixed address in a PIE executable. */
export const USER_CALL_SITE = 0x555555555189n;

/** Task `pid`'s user stack pointer (fixed, distinct per task). */
export function userStackPointer(pid: number): bigint {
  return 0x7ffd00000000n + BigInt(pid) * 0x100000n;
}

/** The user registers of task `pid` interrupted at `ip` in its own code (what a sample of a running task sees). */
export function userRegs(ip: bigint, pid: number): Regs {
  return { ip, sp: userStackPointer(pid), cs: USER_CS, ss: USER_SS, flags: EFLAGS };
}

/** The kernel registers of CPU `cpu`'s idle loop interrupted at `ip` (what a sample of an idle CPU sees). */
export function idleRegs(ip: bigint, cpu: number): Regs {
  return { ip, sp: 0xffffffff82c03e80n - BigInt(cpu) * 0x4000n, cs: KERNEL_CS, ss: KERNEL_SS, flags: EFLAGS };
}
