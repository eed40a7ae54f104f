import { type SimSyscallReply, type SimSyscallRequest, SimSubjects } from '@bpfhive/uapi';
import type { BpfClient } from '../client/index.js';
import { BpfSyscallError } from '../client/index.js';
import { simRequest } from './sim.js';

/** A task in the simulated kernel (an existing pid is reused). */
export async function spawn(client: BpfClient, pid: number, comm: string, uid = 1000): Promise<void> {
  try {
    await simRequest(client, SimSubjects.procSpawn, { pid, comm, uid });
  } catch (e) {
    if (!(e instanceof BpfSyscallError && e.code === 'EEXIST')) throw e;
  }
}

/** Task `pid` makes a system call; its tracepoints and kprobes run before the reply. */
export async function syscall(client: BpfClient, request: SimSyscallRequest): Promise<SimSyscallReply> {
  return simRequest<SimSyscallReply>(client, SimSubjects.procSyscall, request);
}
