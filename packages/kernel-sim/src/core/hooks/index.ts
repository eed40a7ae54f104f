/**
 * Hooks: the simulated world's events running the programs links attached — the network path
 * (XDP in batches, TCX, cgroup skb, the stack), tracepoints, raw tracepoints, kprobes and
 * fentry/fexit, cgroup sock_addr — with the flow log, hook counters and output ports; and the
 * Simulation that puts the world, the links and the hooks together.
 */
export { Simulation, type SimulationOptions } from './simulation.js';
export { Hooks, type HookOutputs, type HooksOptions } from './hooks.js';
export { SimWorld, arenaUserMemory } from './world.js';
export { FlowLog, type FlowHook, type HookFlowRecord, formatHookFlowRecord } from './flow-log.js';
export { HookCounters, type HookCounter } from './counters.js';
export { PacketPath, MAX_HOPS } from './packet-path.js';
export { TimerFiring, MAX_FIRINGS_PER_CATCH_UP } from './timer-firing.js';
export { XdpRunner, XDP_BATCH, XDP_MAX_FRAME } from './xdp.js';
export { batchable } from './batchable.js';
export { worldTargets } from './world-targets.js';
export { kernelDevice, worldNetDevices } from './net-devices.js';
