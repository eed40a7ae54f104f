/**
 * Builds the ordered hook events of one system call (or of a task's death): tracepoints with
 * their records, and kernel function entries and exits with pt_regs and u64 arguments. Each event
 * is 100 ns after the previous one, so durations measured between probes are non-zero and the
 * stream stays deterministic.
 */
import type { HookEvent, Stacks } from '../events.js';
import { kernelSymbol } from './kallsyms.js';
import { callRegs, encodeRegs, returnRegs } from './pt-regs.js';
import type { Task } from './task.js';
import { encodeRecord, type FieldValue, type TraceLayout } from './trace-layout.js';

export const EVENT_STEP_NS = 100;
/** Where a called function returns to inside its caller (a made-up, fixed offset). */
const RETURN_OFFSET = 0x2an;

interface Frame {
  readonly func: string;
  readonly addr: bigint;
  readonly args: readonly bigint[];
}

export class EventTrace {
  readonly events: HookEvent[] = [];
  #time: number;
  readonly #stack: Frame[] = [];
  /**
   * The user-space return addresses of the system call being made (innermost first; set by
   * syscallFrame), under which the kernel stack starts at do_syscall_64. Empty: none.
   */
  userStack: readonly bigint[] = [];

  constructor(
    start: number,
    /** The task events happen in; may change mid-trace (the child of a clone, the target of a kill). */
    public task: Task,
  ) {
    this.#time = start;
  }

  /** The time the next event gets. */
  get now(): number {
    return this.#time;
  }

  /** Moves the clock forward (never back). */
  advanceTo(time: number): void {
    this.#time = Math.max(this.#time, time);
  }

  #tick(): number {
    const t = this.#time;
    this.#time += EVENT_STEP_NS;
    return t;
  }

  /** A tracepoint in the current task; `rawArgs` for raw tracepoint programs. */
  tracepoint(layout: TraceLayout, values: Readonly<Record<string, FieldValue>>, rawArgs?: readonly bigint[]): void {
    this.events.push({
      kind: 'tracepoint', time: this.#tick(), cpu: this.task.cpu, task: this.task.snapshot(),
      category: layout.category, name: layout.name, record: encodeRecord(layout, { pid: this.task.pid }, values),
      ...(rawArgs ? { rawArgs } : {}), stacks: this.#stacks(),
    });
  }

  /** Enters kernel function `func` with `args` (u64 each). */
  enter(func: string, args: readonly bigint[]): void {
    const addr = kernelSymbol(func).address;
    const u64 = args.map((a) => BigInt.asUintN(64, a));
    this.events.push({
      kind: 'func_entry', time: this.#tick(), cpu: this.task.cpu, task: this.task.snapshot(), func, addr,
      regs: encodeRegs(callRegs(addr, u64, this.#sp())), args: u64, stacks: this.#stacks(addr),
    });
    this.#stack.push({ func, addr, args: u64 });
  }

  /** Returns from the innermost entered function, which must be `func`, with `ret`. */
  exit(func: string, ret: number | bigint): void {
    const frame = this.#stack.at(-1);
    if (!frame || frame.func !== func) throw new Error(`event trace: exit from ${func} but the innermost call is ${frame?.func ?? 'none'}`);
    // A kretprobe runs as the function returns: still inside it, as Linux's stack shows.
    const stacks = this.#stacks();
    this.#stack.pop();
    const caller = this.#stack.at(-1)?.addr ?? kernelSymbol('do_syscall_64').address;
    const r = BigInt.asUintN(64, BigInt(ret));
    this.events.push({
      kind: 'func_exit', time: this.#tick(), cpu: this.task.cpu, task: this.task.snapshot(), func, addr: frame.addr,
      regs: encodeRegs(returnRegs(caller + RETURN_OFFSET, r, this.#sp())), args: frame.args, ret: r, stacks,
    });
  }

  /** Calls `func`: entry, then `body` (nested calls) computes the return value, then exit. */
  call(func: string, args: readonly bigint[], body: () => number | bigint = () => 0): number | bigint {
    this.enter(func, args);
    const ret = body();
    this.exit(func, ret);
    return ret;
  }

  /** Drops the open frames of a task that will not return (do_exit). */
  abandon(): void {
    this.#stack.length = 0;
  }

  /**
   * The stacks at this point: `ip` (a function being entered) or the call site in the innermost
   * open function, then each caller's return address, down to do_syscall_64 under a system call.
   */
  #stacks(ip?: bigint): Stacks {
    const kernel: bigint[] = ip === undefined ? [] : [ip];
    for (let i = this.#stack.length - 1; i >= 0; i--) kernel.push(this.#stack[i]!.addr + RETURN_OFFSET);
    if (this.userStack.length > 0) kernel.push(kernelSymbol('do_syscall_64').address + RETURN_OFFSET);
    return { kernel, user: this.userStack };
  }

  /** A kernel stack pointer per task and depth: fixed, distinct, 16-byte aligned. */
  #sp(): bigint {
    return 0xffffc90000000000n + BigInt(this.task.pid) * 0x4000n + 0x3f00n - BigInt(this.#stack.length) * 0x60n;
  }
}
