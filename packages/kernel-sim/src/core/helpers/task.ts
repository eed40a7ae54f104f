import { HelperId } from '@bpfhive/uapi';
import { commBytes } from '../tasks.js';
import { type HelperDef, type KernelServices, cpuOf, ptr, u32 } from './common.js';

/**
 * Helpers about `current`, the task running on the CPU (bpf_trace.c, helpers.c):
 * pid_tgid = tgid << 32 | pid, uid_gid = gid << 32 | uid, the comm copied NUL-padded into the
 * buffer (strscpy_pad), the task_struct address, and the task's cgroup id.
 */
export function taskHelpers(kernel: KernelServices): HelperDef[] {
  const taskStruct = (env: Parameters<HelperDef['fn']>[1]): bigint => BigInt(kernel.tasks.addressOf(cpuOf(env).task));
  return [
    {
      id: HelperId.get_current_pid_tgid,
      fn: (_args, env) => {
        const task = cpuOf(env).task;
        return (BigInt(task.tgid >>> 0) << 32n) | BigInt(task.pid >>> 0);
      },
    },
    {
      id: HelperId.get_current_uid_gid,
      fn: (_args, env) => {
        const task = cpuOf(env).task;
        return (BigInt(task.gid >>> 0) << 32n) | BigInt(task.uid >>> 0);
      },
    },
    {
      id: HelperId.get_current_comm,
      fn: ([buf, size], env) => {
        const out = kernel.memory.bytes(ptr(buf), u32(size));
        out.fill(0);
        if (out.length > 0) out.set(commBytes(cpuOf(env).task.comm).subarray(0, out.length - 1));
        return 0n;
      },
    },
    { id: HelperId.get_current_task, fn: (_args, env) => taskStruct(env) },
    { id: HelperId.get_current_task_btf, fn: (_args, env) => taskStruct(env) },
    { id: HelperId.get_current_cgroup_id, fn: (_args, env) => cpuOf(env).task.cgroupId },
  ];
}
