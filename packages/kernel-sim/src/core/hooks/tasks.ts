import type { Task } from '../tasks.js';
import type { TaskSnapshot } from '../../world/index.js';

/**
 * The kernel's Task (what bpf_get_current_* report) for each world task snapshot. One object per
 * task while its identity stays the same, so the kernel's task_struct stand-in (TaskStructs keeps
 * one per Task object) is not made again for every event; a new one after execve changes comm.
 */
export class TaskCache {
  readonly #tasks = new Map<number, Task>();

  of(snapshot: TaskSnapshot): Task {
    const known = this.#tasks.get(snapshot.pid);
    if (known && known.tgid === snapshot.tgid && known.comm === snapshot.comm && known.uid === snapshot.uid && known.gid === snapshot.gid && known.cgroupId === snapshot.cgroupId) {
      return known;
    }
    const task: Task = { pid: snapshot.pid, tgid: snapshot.tgid, uid: snapshot.uid, gid: snapshot.gid, comm: snapshot.comm, cgroupId: snapshot.cgroupId };
    this.#tasks.set(snapshot.pid, task);
    return task;
  }
}
