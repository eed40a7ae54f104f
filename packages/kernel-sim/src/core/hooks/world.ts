import type { Arena } from '@bpfhive/maps-store';
import { BtfKernelObjects } from '../../kbtf/kernel-objects.js';
import {
  DeviceTable,
  type KernelObjects,
  Processes,
  type ScenarioRunner,
  SocketQueue,
  type UserMemory,
} from '../../world/index.js';

/**
 * The world's UserMemory in the kernel's arena: the strings, buffers and socket addresses system
 * calls pass, and the registers they save, are where programs' bpf_probe_read_user and
 * bpf_probe_read_kernel look for them.
 */
export function arenaUserMemory(arena: Arena): UserMemory {
  return {
    alloc: (size) => arena.alloc(size),
    write: (address, bytes) => arena.bytes.set(bytes, address),
    free: (address, size) => arena.free(address, size),
  };
}

export interface SimWorldOptions {
  /**
   * Addresses of kernel objects. Default: BtfKernelObjects in the arena, laid out by the
   * kernel's BTF (task_struct, file, sock…), so CO-RE reads see vmlinux's layout.
   */
  readonly objects?: KernelObjects;
}

/**
 * The simulated machine the hooks fire from: its devices, its processes and the sockets frames
 * reach, with user memory in the kernel's arena. A scenario brings a machine of its own; `adopt`
 * makes that the world (links name ifindexes, so they apply to the scenario's devices of those
 * numbers). `now` is the world's virtual time: the latest event seen.
 */
export class SimWorld {
  devices = new DeviceTable();
  sockets = new SocketQueue();
  processes: Processes;
  readonly memory: UserMemory;
  readonly objects: KernelObjects;
  now = 0;
  /** Whether the processes were swapped since the last sync: the next one writes every task and frees the old machine's. */
  #adopted = false;

  constructor(
    arena: Arena,
    readonly cpus: number,
    options: SimWorldOptions = {},
  ) {
    this.memory = arenaUserMemory(arena);
    this.objects = options.objects ?? new BtfKernelObjects(arena);
    this.processes = new Processes({ cpus, memory: this.memory, objects: this.objects });
  }

  /** Makes a scenario's machine (devices, processes, sockets) the world. */
  adopt(runner: ScenarioRunner): void {
    // The cgroup sock_addr hook (set by Hooks) stays with the world, whatever machine it runs.
    runner.processes.sockAddrHook = this.processes.sockAddrHook;
    this.devices = runner.devices;
    this.processes = runner.processes;
    this.sockets = runner.sockets;
    this.#adopted = true;
  }

  /**
   * Brings the kernel objects up to the world's state (credentials, parents, files, sockets…
   * of every task; those of tasks gone freed): once per batch of hook events, before their
   * programs run (the world's Processes also syncs after each system call that makes or ends
   * tasks or descriptors; this catches spawned tasks and file positions). Objects that only hand
   * out addresses have nothing to do.
   */
  syncObjects(): void {
    if (!(this.objects instanceof BtfKernelObjects)) return;
    const changed = this.processes.tasks.takeChanged();
    this.objects.sync(this.processes.tasks.list(), this.processes.vfs, this.#adopted ? undefined : changed);
    this.#adopted = false;
  }

  /** Moves the virtual clock to `time` if that is later. */
  advance(time: number): void {
    if (time > this.now) this.now = time;
  }
}
