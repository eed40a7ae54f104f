import type { Task } from '../tasks.js';
import type { TaskSnapshot } from '../../world/index.js';

/**
 * The kernel's Task (what bpf_get_current_* report) for each world task snapshot. One object per
 * task while its identity stays the same (bpf_get_current_task gives its world task_struct).
 */
export class TaskCache {
  readonly #tasks = new Map<number, Task>();

  of(snapshot: TaskSnapshot): Task {
    const known = this.#tasks.get(snapshot.pid);
    if (known && known.tgid === snapshot.tgid && known.comm === snapshot.comm && known.uid === snapshot.uid && known.gid === snapshot.gid && known.cgroupId === snapshot.cgroupId && known.taskStruct === snapshot.taskStruct) {
      return known;
    }
    const task: Task = { pid: snapshot.pid, tgid: snapshot.tgid, uid: snapshot.uid, gid: snapshot.gid, comm: snapshot.comm, cgroupId: snapshot.cgroupId, taskStruct: snapshot.taskStruct };
    this.#tasks.set(snapshot.pid, task);
    return task;
  }
}
