/**
 * The task kfuncs (kernel/bpf/helpers.c) over the world's reference-counted task_structs
 * (kbtf/task-refs.ts): bpf_task_from_pid takes a reference on a live task, bpf_task_acquire
 * another on a task the program holds, bpf_task_release drops one. Without a world (a bare
 * kernel, BPF_PROG_TEST_RUN alone) no pid names a task: bpf_task_from_pid returns NULL.
 * bpf_rcu_read_lock/unlock do nothing here: programs run to completion, and task objects are
 * only ever freed between runs, so an RCU read section always holds.
 */
import type { CallableFunction } from '@bpfhive/jit';
import type { TaskRefs } from '../../kbtf/task-refs.js';

/** Where the kfuncs find tasks: set once the kernel has a world (Simulation). */
export interface TaskRefsHolder {
  taskRefs: TaskRefs | undefined;
}

const s32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
const address = (v: bigint): number => Number(BigInt.asUintN(64, v));

/** Each kfunc by its name in the kernel BTF. */
export function taskKfuncs(holder: TaskRefsHolder): Record<string, CallableFunction> {
  return {
    bpf_task_from_pid: ([pid]) => BigInt(holder.taskRefs?.fromPid(s32(pid)) ?? 0),
    bpf_task_acquire: ([p]) => (holder.taskRefs?.acquire(address(p)) ? p : 0n),
    bpf_task_release: ([p]) => {
      if (!holder.taskRefs) throw new Error('bpf_task_release: the kernel has no tasks');
      holder.taskRefs.release(address(p));
      return 0n;
    },
    bpf_rcu_read_lock: () => 0n,
    bpf_rcu_read_unlock: () => 0n,
  };
}
