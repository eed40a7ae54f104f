import { BpfError } from '@bpfhive/uapi';
import {
  type DeviceSpec,
  type KernelObjects,
  type NetDevice,
  type Packet,
  type RunSummary,
  type Scenario,
  type ScenarioFiles,
  ScenarioRunner,
  type SyscallOutcome,
  type SyscallRequest,
  type Task,
  type TaskSpec,
  type TimedFrame,
  arrive,
} from '../../world/index.js';
import type { Kernel } from '../kernel.js';
import { LinkTable } from '../links/link-table.js';
import { type HookOutputs, Hooks, type HooksOptions } from './hooks.js';
import { worldTargets } from './world-targets.js';
import type { PerfEvents } from '../perf/perf-events.js';
import { SimWorld } from './world.js';
import { BtfKernelObjects } from '../../kbtf/kernel-objects.js';
import { idleTask } from '../tasks.js';

export interface SimulationOptions extends HooksOptions {
  readonly outputs?: HookOutputs;
  /** The world's kernel objects (default: opaque addresses). */
  readonly objects?: KernelObjects;
  /** The kernel's perf events, whose sampling ones PERF_EVENT programs attach to (default: none). */
  readonly perfEvents?: PerfEvents;
}

/**
 * The kernel's simulated machine, whole: the world (devices, processes, sockets), the links
 * programs attach with, and the hooks that run them when the world does something. Everything
 * the `bpf.v1.sim.>` and link subjects do goes through here; each call runs its events' programs
 * before it returns.
 */
export class Simulation {
  readonly world: SimWorld;
  readonly links: LinkTable;
  readonly hooks: Hooks;
  /** Where the hooks' outputs go. */
  readonly outputs: HookOutputs;

  constructor(
    readonly kernel: Kernel,
    options: SimulationOptions = {},
  ) {
    this.world = new SimWorld(kernel.arena, kernel.cpus.length, options.objects ? { objects: options.objects } : {});
    const objects = this.world.objects;
    if (objects instanceof BtfKernelObjects) {
      // The task kfuncs find and count references on the world's task_structs.
      kernel.taskRefs.taskRefs = objects.taskRefs;
      // An idle CPU's current is the world's swapper/N (init_task on CPU 0), as sched_switch names it.
      for (const cpu of kernel.cpus) cpu.idle = idleTask(cpu.index, objects.idleTask(cpu.index));
    }
    this.links = new LinkTable(kernel, worldTargets(this.world, options.perfEvents));
    this.outputs = options.outputs ?? {};
    this.hooks = new Hooks(kernel, this.links.points, this.world, this.outputs, options);
  }

  /** Creates a device, or (with `peer`) a veth pair. */
  createDevice(spec: DeviceSpec & { readonly kind?: 'ether' | 'veth' }, peer?: DeviceSpec): NetDevice[] {
    if (spec.kind === 'veth' || peer) {
      if (!peer) throw new BpfError('EINVAL', `create device ${spec.name}: a veth needs a peer`);
      return this.world.devices.createVethPair(spec, peer);
    }
    return [this.world.devices.create(spec)];
  }

  /** Deletes a device (and its veth peer); links on them are detached. */
  deleteDevice(which: string | number): NetDevice[] {
    const gone = this.world.devices.delete(which);
    for (const dev of gone) this.links.deviceGone(dev.ifindex);
    return gone;
  }

  /**
   * Frames arriving on a device (by name or ifindex) at their times, or at the world's time:
   * RSS picks each one's queue and CPU, then the hooks run. A device that is down counts them as
   * rx_dropped. Returns how many arrived.
   */
  receive(device: string | number, frames: readonly (TimedFrame | Uint8Array)[]): number {
    const dev = this.world.devices.resolve(device);
    if (!dev.up) {
      dev.queue(0).rxDropped += frames.length;
      return 0;
    }
    const cpus = this.kernel.cpus.length;
    const events = frames.map((f) => {
      const packet = f instanceof Uint8Array ? arrive(dev, f, this.world.now, cpus) : arrive(dev, f.frame, f.time, cpus);
      return { kind: 'packet' as const, time: packet.time, cpu: packet.cpu, packet };
    });
    this.hooks.fire(events);
    return events.length;
  }

  /** Frames a host task (`pid`, for its cgroup and CPU) sends out of a device. Returns how many were sent. */
  send(device: string | number, frames: readonly Uint8Array[], pid?: number): number {
    const dev = this.world.devices.resolve(device);
    const task = pid === undefined ? undefined : this.world.processes.tasks.get(pid);
    const cpu = (task?.cpu ?? 0) % this.kernel.cpus.length;
    const packets: Packet[] = frames.map((frame) => ({ time: this.world.now, ifindex: dev.ifindex, queue: 0, cpu, hash: 0, frame }));
    this.hooks.send(packets, task?.cgroupId);
    return packets.length;
  }

  spawn(spec: TaskSpec): Task {
    return this.world.processes.spawn(spec);
  }

  /** Task `pid` makes a system call at `at` (default: the world's time); its events run their programs. */
  syscall(pid: number, request: SyscallRequest, at = this.world.now): SyscallOutcome {
    // Time passes up to the call first, so samples before it see the CPUs as they were.
    if (at > this.world.now) this.hooks.advanceTo(at);
    const outcome = this.world.processes.syscall(Math.max(at, this.world.now), pid, request);
    this.hooks.fire(outcome.events);
    this.world.advance(outcome.end);
    return outcome;
  }

  /** Moves virtual time on by `ns` with no world events (sampling perf events fire); the time after. */
  advance(ns: number): number {
    this.hooks.advanceTo(this.world.now + ns);
    return this.world.now;
  }

  /**
   * Runs a scenario: its machine becomes the world (links stay, by ifindex), then all its events
   * go through the hooks, `maxEvents` at a time. Its CPUs beyond the kernel's fold onto them.
   */
  runScenario(scenario: Scenario, files?: ScenarioFiles, maxEvents = 1024): RunSummary {
    const runner = new ScenarioRunner(scenario, { memory: this.world.memory, objects: this.world.objects, ...(files && { files }) });
    this.world.adopt(runner);
    this.world.now = 0;
    return runner.run(this.hooks, maxEvents);
  }
}
