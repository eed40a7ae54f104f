import type { Arena } from '@bpfhive/maps-store';

/** TASK_COMM_LEN: a task's name holds 15 characters and a NUL. */
export const TASK_COMM_LEN = 16;

/** A simulated task (thread): what bpf_get_current_* report about `current`. */
export interface Task {
  readonly pid: number;
  readonly tgid: number;
  readonly uid: number;
  readonly gid: number;
  /** At most 15 characters are kept, as in Linux. */
  readonly comm: string;
  readonly cgroupId: bigint;
  /**
   * Where the world laid out its task_struct (BtfKernelObjects, vmlinux's layout), which
   * bpf_get_current_task returns; absent (or an address outside the arena): the stand-in below.
   */
  readonly taskStruct?: bigint;
}

/**
 * The task programs see when a client's bpf(2) call runs them (BPF_PROG_TEST_RUN): Linux runs
 * them as the calling process; remote clients have none, so this one stands in.
 */
export const SYSCALL_TASK: Task = { pid: 1000, tgid: 1000, uid: 0, gid: 0, comm: 'bpfhive', cgroupId: 1n };

/**
 * The idle task of CPU `cpu` (`swapper/N`, pid 0, so bpf_get_current_pid_tgid gives 0), current
 * when nothing else runs there. `taskStruct`: the world's swapper/N (KernelObjects.idleTask, CPU 0's
 * is init_task), which bpf_get_current_task then returns; without it, TaskStructs' stand-in. Each
 * Cpu holds its own (Cpu.idle): make one per CPU, not per use, so the stand-in is written once.
 */
export const idleTask = (cpu: number, taskStruct?: bigint): Task => ({
  pid: 0,
  tgid: 0,
  uid: 0,
  gid: 0,
  comm: `swapper/${cpu}`,
  cgroupId: 1n,
  ...(taskStruct !== undefined && { taskStruct }),
});

/**
 * Every task's `struct task_struct`, as bpf_get_current_task returns it: the world's, laid out by
 * the kernel's BTF, for a task that has one; for the others (the syscall task of test_run, idle
 * tasks) a block in the arena with a stand-in layout a program can read:
 *
 *   +0 pid (u32)  +4 tgid  +8 uid  +12 gid  +16 cgroup id (u64)  +24 comm[16]
 */
export class TaskStructs {
  static readonly SIZE = 40;
  readonly #addresses = new Map<Task, number>();

  constructor(private readonly arena: Arena) {}

  /** The address of `task`'s task_struct, written on first use. */
  addressOf(task: Task): number {
    if (task.taskStruct !== undefined && task.taskStruct <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(task.taskStruct);
    let address = this.#addresses.get(task);
    if (address === undefined) {
      address = this.arena.alloc(TaskStructs.SIZE);
      const view = new DataView(this.arena.bytes.buffer, address, TaskStructs.SIZE);
      [task.pid, task.tgid, task.uid, task.gid].forEach((v, i) => view.setUint32(i * 4, v >>> 0, true));
      view.setBigUint64(16, task.cgroupId, true);
      this.arena.bytes.set(commBytes(task.comm), address + 24);
      this.#addresses.set(task, address);
    }
    return address;
  }
}

/** The comm as the kernel stores it: at most 15 bytes, NUL-padded to 16. */
export function commBytes(comm: string): Uint8Array {
  const out = new Uint8Array(TASK_COMM_LEN);
  out.set(Buffer.from(comm, 'latin1').subarray(0, TASK_COMM_LEN - 1));
  return out;
}
