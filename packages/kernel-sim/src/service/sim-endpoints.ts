import { readFileSync } from 'node:fs';
import type { Service, ServiceMsg } from '@nats-io/services';
import {
  BpfError,
  type CallerIdentity,
  DEFAULT_IDENTITY_POLICY,
  EmptySchema,
  type IdentityPolicy,
  type SimCountersReply,
  type SimDevCreateRequest,
  SimDevCreateRequestSchema,
  type SimDevRef,
  SimDevRefSchema,
  type SimInjectRequest,
  SimInjectRequestSchema,
  type SimPcapReplayRequest,
  SimPcapReplayRequestSchema,
  type SimProcSpawnRequest,
  SimProcSpawnRequestSchema,
  type SimScenarioRunRequest,
  SimScenarioRunRequestSchema,
  SimSubjects,
  type SimSyscallRequest,
  SimSyscallRequestSchema,
  type SimTrafficStartRequest,
  SimTrafficStartRequestSchema,
  type SimTrafficStopRequest,
  SimTrafficStopRequestSchema,
  callerIdentity,
  fromBase64,
  requireCapability,
  respond,
  serve,
  type SimTimeAdvanceRequest,
  SimTimeAdvanceRequestSchema,
} from '@bpfhive/uapi';
import type { Simulation } from '../core/hooks/simulation.js';
import { type PcapFile, TrafficGenerator, nodeScenarioFiles, parseScenario, readPcap, replayPcap } from '../world/index.js';
import { deviceSpec, syscallRequest, taskSpec, trafficSpec, wireDevice, wireHookCounter, wireStats, wireTask } from './sim-convert.js';
import { NatsSimOutputs } from './sim-outputs.js';
import { FrameSources } from './sim-sources.js';

/** A device named by `ifindex` or `name`; EINVAL when the request names neither. */
function deviceOf(r: SimDevRef): string | number {
  const which = r.ifindex ?? r.name;
  if (which === undefined) throw new BpfError('EINVAL', 'name the device by ifindex or name');
  return which;
}

/** A pcap capture from a path on this host or from the request; EINVAL when it does not parse. */
function capture(r: SimPcapReplayRequest, who: CallerIdentity): PcapFile {
  if ((r.path === undefined) === (r.file === undefined)) throw new BpfError('EINVAL', 'pcap.replay: give path or file');
  let bytes: Uint8Array;
  if (r.path !== undefined) {
    requireCapability(who, 'CAP_SYS_ADMIN', 'pcap.replay from a path on the kernel-sim host');
    try {
      bytes = new Uint8Array(readFileSync(r.path));
    } catch (e) {
      throw new BpfError('ENOENT', `pcap.replay: ${(e as Error).message}`, { cause: e });
    }
  } else bytes = fromBase64(r.file!, 'file');
  try {
    return readPcap(bytes);
  } catch (e) {
    throw new BpfError('EINVAL', `pcap.replay: ${(e as Error).message}`, { cause: e });
  }
}


/**
 * The simulated world's endpoints (`bpf.v1.sim.>`), between uapi's sim schemas and the
 * Simulation: devices (ip link) and injected frames, the traffic generator and pcap replays
 * (background sources; `wait` replies when one is done), processes and their system calls,
 * scenarios, counters. Privileges (identity.ts): CAP_NET_ADMIN for devices and traffic,
 * CAP_SYS_ADMIN for the rest. Every call runs its events' programs before it replies. Returns
 * the sources, to stop with the service.
 */
export function addSimEndpoints(service: Service, sim: Simulation, policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY): FrameSources {
  const sources = new FrameSources(sim);
  const endpoint = (name: string, subject: string, capability: 'CAP_NET_ADMIN' | 'CAP_SYS_ADMIN', handle: (msg: ServiceMsg, who: CallerIdentity) => unknown): void => {
    service.addEndpoint(name, {
      subject,
      handler: (err, msg) => {
        if (err) return;
        const who = callerIdentity(msg, policy);
        try {
          requireCapability(who, capability, msg.subject);
        } catch (e) {
          void respond(msg, () => {
            throw e;
          });
          return;
        }
        void handle(msg, who);
      },
    });
  };
  const devices = () => ({ devices: sim.world.devices.list().map((d) => wireDevice(d, sim.links.points)) });

  endpoint('sim_dev_create', SimSubjects.devCreate, 'CAP_NET_ADMIN', (msg) =>
    serve<SimDevCreateRequest>(msg, SimDevCreateRequestSchema, (r) => {
      const made = sim.createDevice({ ...deviceSpec(r), ...(r.kind && { kind: r.kind }) }, r.peer && deviceSpec(r.peer));
      return { devices: made.map((d) => wireDevice(d, sim.links.points)) };
    }),
  );
  endpoint('sim_dev_delete', SimSubjects.devDelete, 'CAP_NET_ADMIN', (msg) =>
    serve<SimDevRef>(msg, SimDevRefSchema, (r) => ({ deleted: sim.deleteDevice(deviceOf(r)).map((d) => d.ifindex) })),
  );
  endpoint('sim_dev_list', SimSubjects.devList, 'CAP_NET_ADMIN', (msg) => serve(msg, EmptySchema, devices));
  endpoint('sim_dev_info', SimSubjects.devInfo, 'CAP_NET_ADMIN', (msg) =>
    serve<SimDevRef>(msg, SimDevRefSchema, (r) => wireDevice(sim.world.devices.resolve(deviceOf(r)), sim.links.points)),
  );
  endpoint('sim_dev_inject', SimSubjects.devInjectAny, 'CAP_NET_ADMIN', (msg) =>
    serve<SimInjectRequest>(msg, SimInjectRequestSchema, (r) => {
      const idText = msg.subject.split('.')[4] ?? '';
      if (!/^\d+$/.test(idText)) throw new BpfError('EINVAL', `${msg.subject}: the ifindex must be a number`);
      const frames = r.frames.map((f, i) => fromBase64(f, `frames[${i}]`));
      const ifindex = Number(idText);
      return { injected: r.egress ? sim.send(ifindex, frames, r.pid) : sim.receive(ifindex, frames) };
    }),
  );

  const started = async (source: ReturnType<FrameSources['start']>, wait: boolean | undefined) => {
    if (wait) await source.done;
    return sources.status(source);
  };
  endpoint('sim_traffic_start', SimSubjects.trafficStart, 'CAP_NET_ADMIN', (msg) =>
    serve<SimTrafficStartRequest>(msg, SimTrafficStartRequestSchema, (r) => {
      const device = sim.world.devices.resolve(r.device);
      const generator = new TrafficGenerator(trafficSpec(r, sim.world.now));
      return started(sources.start('traffic', device.name, generator, { realtime: r.realtime ?? true, total: generator.total, virtualStart: sim.world.now }), r.wait);
    }),
  );
  endpoint('sim_pcap_replay', SimSubjects.pcapReplay, 'CAP_NET_ADMIN', (msg, who) =>
    serve<SimPcapReplayRequest>(msg, SimPcapReplayRequestSchema, (r) => {
      const device = sim.world.devices.resolve(r.device);
      const file = capture(r, who);
      const loops = r.loops ?? 1;
      const start = sim.world.now;
      const frames = replayPcap(file, { start, loops, ...(r.rate !== undefined && { rate: r.rate }), ...(r.speed !== undefined && { speed: r.speed }) });
      return started(sources.start('pcap', device.name, frames, { realtime: r.realtime ?? true, total: file.records.length * loops, virtualStart: start }), r.wait);
    }),
  );
  endpoint('sim_traffic_stop', SimSubjects.trafficStop, 'CAP_NET_ADMIN', (msg) =>
    serve<SimTrafficStopRequest>(msg, SimTrafficStopRequestSchema, (r) => {
      sources.stop(r.source_id);
      return { sources: sources.list() };
    }),
  );
  endpoint('sim_traffic_status', SimSubjects.trafficStatus, 'CAP_NET_ADMIN', (msg) => serve(msg, EmptySchema, () => ({ sources: sources.list() })));

  endpoint('sim_proc_spawn', SimSubjects.procSpawn, 'CAP_SYS_ADMIN', (msg) => serve<SimProcSpawnRequest>(msg, SimProcSpawnRequestSchema, (r) => wireTask(sim.spawn(taskSpec(r)))));
  endpoint('sim_proc_syscall', SimSubjects.procSyscall, 'CAP_SYS_ADMIN', (msg) =>
    serve<SimSyscallRequest>(msg, SimSyscallRequestSchema, (r) => {
      const outcome = sim.syscall(r.pid, syscallRequest(r), r.at);
      return { ...(outcome.ret !== undefined && { ret: outcome.ret }), events: outcome.events.length, end: outcome.end, ...(outcome.addr !== undefined && { addr: outcome.addr }) };
    }),
  );
  endpoint('sim_time_advance', SimSubjects.timeAdvance, 'CAP_SYS_ADMIN', (msg) =>
    serve<SimTimeAdvanceRequest>(msg, SimTimeAdvanceRequestSchema, (r) => ({ now: sim.advance(r.by) })),
  );
  endpoint('sim_proc_list', SimSubjects.procList, 'CAP_SYS_ADMIN', (msg) => serve(msg, EmptySchema, () => ({ tasks: sim.world.processes.tasks.list().map(wireTask) })));

  endpoint('sim_scenario_run', SimSubjects.scenarioRun, 'CAP_SYS_ADMIN', (msg) =>
    serve<SimScenarioRunRequest>(msg, SimScenarioRunRequestSchema, (r) => {
      const summary = sim.runScenario(parseScenario(r.yaml, r.file ?? 'scenario.yaml'), nodeScenarioFiles(process.cwd()), r.max_events);
      return { batches: summary.batches, packets: summary.packets, hook_events: summary.hookEvents, end: summary.end, ...devices() };
    }),
  );
  endpoint('sim_counters', SimSubjects.counters, 'CAP_SYS_ADMIN', (msg) =>
    serve(msg, EmptySchema, (): SimCountersReply => {
      const { sockets } = sim.world;
      const published = sim.outputs instanceof NatsSimOutputs ? sim.outputs : undefined;
      return {
        devices: sim.world.devices.list().map((d) => ({ ifindex: d.ifindex, name: d.name, stats: wireStats(d.totals()), queues: d.queues.map(wireStats) })),
        hooks: sim.hooks.counters.list().map(wireHookCounter),
        flowlog: { records: sim.hooks.flowLog.total, published: published?.published ?? 0, dropped: published?.dropped ?? 0 },
        sockets: { queued: sockets.length, overflow: sockets.overflow, by_port: Object.fromEntries(sockets.countsByPort()) },
      };
    }),
  );
  return sources;
}
