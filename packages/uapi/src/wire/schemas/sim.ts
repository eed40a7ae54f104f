import type { FromSchema } from 'json-schema-to-ts';
import { SUBJECT_PREFIX } from '../subjects.js';
import { base64, u32 } from './common.js';

/**
 * The simulated world of the kernel-sim (`bpf.v1.sim.>`, DESIGN.md §6): devices as `ip link`
 * makes them, frames injected or generated or replayed from pcap files, processes and their
 * system calls, YAML scenarios, counters; and what the world publishes: the flow log of packet
 * verdicts, ring buffer records, AF_XDP frames. Field names follow the world's (snake_case).
 */
const SIM = `${SUBJECT_PREFIX}.sim`;

export const SimSubjects = {
  devCreate: `${SIM}.dev.create`,
  devDelete: `${SIM}.dev.delete`,
  devList: `${SIM}.dev.list`,
  devInfo: `${SIM}.dev.info`,
  /** Frames arriving on (or, with `egress`, sent out of) device `<ifindex>`. */
  devInject: (ifindex: number): string => `${SIM}.dev.${ifindex}.inject`,
  /** What the service subscribes to for every device's inject. */
  devInjectAny: `${SIM}.dev.*.inject`,
  trafficStart: `${SIM}.traffic.start`,
  trafficStop: `${SIM}.traffic.stop`,
  trafficStatus: `${SIM}.traffic.status`,
  pcapReplay: `${SIM}.pcap.replay`,
  procSpawn: `${SIM}.proc.spawn`,
  procSyscall: `${SIM}.proc.syscall`,
  procList: `${SIM}.proc.list`,
  timeAdvance: `${SIM}.time.advance`,
  scenarioRun: `${SIM}.scenario.run`,
  counters: `${SIM}.counters`,
  /** Published: one FlowLogRecord per packet verdict (rate-limited per batch). */
  flowlog: `${SIM}.flowlog`,
  /** Published: frames redirected to an AF_XDP socket (XSKMAP), one XskFrame each. */
  xsk: `${SIM}.xsk`,
  /** Published on `bpf.v1.map.<id>.ringbuf`: one RingbufRecord per record a program submitted. */
  ringbuf: (mapId: number): string => `${SUBJECT_PREFIX}.map.${mapId}.ringbuf`,
  /** Published on `bpf.v1.map.<id>.perf`: one PerfRecord (schemas/perf.ts) per sample or lost count of a perf event array. */
  perf: (mapId: number): string => `${SUBJECT_PREFIX}.map.${mapId}.perf`,
} as const;

const object = <const P extends Record<string, unknown>, const R extends readonly string[]>(id: string, title: string, properties: P, required: R) =>
  ({ $id: id, title, type: 'object', additionalProperties: false, required, properties }) as const;

const sub = <const P extends Record<string, unknown>, const R extends readonly string[] = []>(description: string, properties: P, required?: R) =>
  ({ type: 'object', additionalProperties: false, description, properties, required: required ?? ([] as unknown as R) }) as const;

const name = { type: 'string', minLength: 1, maxLength: 15, description: 'a device name, as ip link takes it' } as const;
const count = { type: 'integer', minimum: 0 } as const;
const ns = { type: 'number', minimum: 0, description: 'virtual time, nanoseconds' } as const;

/** What `ip link add` takes; everything but the name has a default. */
const deviceSpec = {
  name,
  mac: { type: 'string', description: '02:00:00:00:00:02; default from the ifindex' },
  mtu: { type: 'integer', minimum: 68, maximum: 65535 },
  queues: { type: 'integer', minimum: 1, maximum: 256, description: 'receive queues (RSS), default 1' },
  addresses: { type: 'array', items: { type: 'string' }, description: '10.0.0.1/24, fd00::1/64' },
  up: { type: 'boolean', description: 'default true' },
} as const;

export const SimDevCreateRequestSchema = object(
  'bpf.v1.sim.dev.create.request',
  'Create a device (ip link add), or both ends of a veth pair',
  { ...deviceSpec, kind: { type: 'string', enum: ['ether', 'veth'] }, peer: sub('kind veth: the other end', deviceSpec, ['name'] as const) },
  ['name'] as const,
);
export type SimDevCreateRequest = FromSchema<typeof SimDevCreateRequestSchema>;

export const SimDevRefSchema = object('bpf.v1.sim.dev.ref', 'A device by ifindex or by name', { ifindex: u32, name }, [] as const);
export type SimDevRef = FromSchema<typeof SimDevRefSchema>;

const queueStats = sub('counters, summed over the queues', {
  rx_packets: count, rx_bytes: count, rx_dropped: count, tx_packets: count, tx_bytes: count, tx_dropped: count,
  xdp_pass: count, xdp_drop: count, xdp_tx: count, xdp_redirect: count, xdp_aborted: count,
});

const attached = { type: 'array', items: sub('a link on the hook', { link_id: u32, prog_id: u32 }, ['link_id', 'prog_id'] as const) } as const;

const deviceInfo = sub(
  'a device',
  {
    ifindex: u32,
    name,
    kind: { type: 'string', enum: ['loopback', 'ether', 'veth'] },
    mac: { type: 'string' },
    mtu: u32,
    up: { type: 'boolean' },
    queues: u32,
    addresses: { type: 'array', items: { type: 'string' } },
    peer: { ...u32, description: 'veth: the ifindex of the other end' },
    stats: queueStats,
    xdp: sub('the XDP link', { link_id: u32, prog_id: u32, mode: { type: 'string', enum: ['skb', 'drv'] } }, ['link_id', 'prog_id', 'mode'] as const),
    tc_ingress: attached,
    tc_egress: attached,
  },
  ['ifindex', 'name', 'kind', 'mac', 'mtu', 'up', 'queues', 'addresses', 'stats', 'tc_ingress', 'tc_egress'] as const,
);

export const SimDevInfoReplySchema = object('bpf.v1.sim.dev.info.reply', 'A device', deviceInfo.properties, deviceInfo.required);
export type SimDevInfoReply = FromSchema<typeof SimDevInfoReplySchema>;

export const SimDevListReplySchema = object('bpf.v1.sim.dev.list.reply', 'Devices, in ifindex order (dev.list; dev.create answers with the devices it made)', { devices: { type: 'array', items: deviceInfo } }, ['devices'] as const);
export type SimDevListReply = FromSchema<typeof SimDevListReplySchema>;

export const SimDevDeleteReplySchema = object('bpf.v1.sim.dev.delete.reply', 'The devices deleted (a veth pair goes as one)', { deleted: { type: 'array', items: u32 } }, ['deleted'] as const);
export type SimDevDeleteReply = FromSchema<typeof SimDevDeleteReplySchema>;

export const SimInjectRequestSchema = object(
  'bpf.v1.sim.dev.inject.request',
  'Frames arriving on the device (its XDP, TC ingress and stack), or sent out of it',
  {
    frames: { type: 'array', minItems: 1, maxItems: 65536, items: base64, description: 'Ethernet frames, base64' },
    egress: { type: 'boolean', description: 'sent by the host: cgroup skb egress (with pid), TC egress, then out of the device' },
    pid: { ...u32, description: 'egress: the sending task (its cgroup runs cgroup_skb/egress)' },
  },
  ['frames'] as const,
);
export type SimInjectRequest = FromSchema<typeof SimInjectRequestSchema>;

export const SimInjectReplySchema = object('bpf.v1.sim.dev.inject.reply', 'Frames taken', { injected: count }, ['injected'] as const);
export type SimInjectReply = FromSchema<typeof SimInjectReplySchema>;

const ports = {
  description: 'a port, a list of ports, or a range',
  anyOf: [u32, { type: 'array', items: u32, minItems: 1 }, sub('an inclusive range', { from: u32, to: u32 }, ['from', 'to'] as const)],
} as const;

/** How a frame source runs: paced by the wall clock (its virtual times), or as fast as it can. */
const pacing = {
  realtime: { type: 'boolean', description: 'default true: frames go out at their virtual times from the start; false: as fast as the kernel takes them' },
  wait: { type: 'boolean', description: 'reply when the source is done (with its final status) instead of at once' },
} as const;

export const SimTrafficStartRequestSchema = object(
  'bpf.v1.sim.traffic.start.request',
  'Start the traffic generator on a device',
  {
    device: { type: ['string', 'integer'], description: 'name or ifindex' },
    rate: { type: 'number', exclusiveMinimum: 0, description: 'packets per second' },
    count: { ...count, description: 'frames to send (or duration)' },
    duration: { ...ns, description: 'how long to send, ns (or count)' },
    seed: u32,
    src_mac: { type: 'string' },
    dst_mac: { type: 'string' },
    vlan: { type: 'integer', minimum: 0, maximum: 4095 },
    flows: sub('the flows', { count: { type: 'integer', minimum: 1 }, src: { type: 'string' }, dst: { type: 'string' }, sport: ports, dport: ports }, ['src', 'dst'] as const),
    mix: sub('protocol weights (default all TCP)', { tcp: { type: 'number', minimum: 0 }, udp: { type: 'number', minimum: 0 }, icmp: { type: 'number', minimum: 0 } }),
    sizes: {
      description: 'frame sizes: a number (fixed), "imix", [min, max] (uniform) or [[bytes, weight], ...]',
      anyOf: [
        { type: 'integer', minimum: 60, maximum: 65535 },
        { type: 'string', enum: ['imix'] },
        { type: 'array', minItems: 2, maxItems: 2, items: { type: 'integer', minimum: 60, maximum: 65535 } },
        { type: 'array', minItems: 1, items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number', minimum: 0 } } },
      ],
    },
    http: sub('HTTP requests on TCP flows', {
      methods: { type: 'array', items: { type: 'string' } },
      paths: { type: 'array', items: { type: 'string' } },
      hosts: { type: 'array', items: { type: 'string' } },
      share: { type: 'number', minimum: 0, maximum: 1 },
    }),
    ...pacing,
  },
  ['device', 'rate', 'flows'] as const,
);
export type SimTrafficStartRequest = FromSchema<typeof SimTrafficStartRequestSchema>;

export const SimPcapReplayRequestSchema = object(
  'bpf.v1.sim.pcap.replay.request',
  'Replay a pcap capture on a device',
  {
    device: { type: ['string', 'integer'], description: 'name or ifindex' },
    path: { type: 'string', description: "a file on the kernel-sim's host" },
    file: { ...base64, description: 'the capture itself (path or file)' },
    rate: { description: 'packets per second, or "recorded" (default) for the capture\'s own timing', anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'string', enum: ['recorded'] }] },
    speed: { type: 'number', exclusiveMinimum: 0, description: 'with recorded timing: 2 plays twice as fast' },
    loops: { type: 'integer', minimum: 1 },
    ...pacing,
  },
  ['device'] as const,
);
export type SimPcapReplayRequest = FromSchema<typeof SimPcapReplayRequestSchema>;

const sourceStatus = sub(
  'a frame source',
  {
    source_id: u32,
    kind: { type: 'string', enum: ['traffic', 'pcap'] },
    device: { type: 'string' },
    sent: count,
    total: { ...count, description: 'frames in all (pcap: known once done)' },
    running: { type: 'boolean' },
    error: { type: 'string', description: 'why the source stopped early' },
    verdicts: sub('the XDP verdicts of the frames sent so far, as the device counted them while it took them', {
      xdp_pass: count, xdp_drop: count, xdp_tx: count, xdp_redirect: count, xdp_aborted: count,
    }, ['xdp_pass', 'xdp_drop', 'xdp_tx', 'xdp_redirect', 'xdp_aborted'] as const),
  },
  ['source_id', 'kind', 'device', 'sent', 'running'] as const,
);

export const SimSourceStatusSchema = object('bpf.v1.sim.source.status', 'A frame source: the reply of traffic.start and pcap.replay', sourceStatus.properties, sourceStatus.required);
export type SimSourceStatus = FromSchema<typeof SimSourceStatusSchema>;

export const SimTrafficStopRequestSchema = object('bpf.v1.sim.traffic.stop.request', 'Stop one source, or all', { source_id: u32 }, [] as const);
export type SimTrafficStopRequest = FromSchema<typeof SimTrafficStopRequestSchema>;

export const SimTrafficStatusReplySchema = object('bpf.v1.sim.traffic.status.reply', 'Every source since the service started (traffic.status, traffic.stop)', { sources: { type: 'array', items: sourceStatus } }, ['sources'] as const);
export type SimTrafficStatusReply = FromSchema<typeof SimTrafficStatusReplySchema>;

export const SimProcSpawnRequestSchema = object(
  'bpf.v1.sim.proc.spawn.request',
  'Create a task',
  {
    pid: { type: 'integer', minimum: 1, maximum: 4194304 },
    comm: { type: 'string', minLength: 1 },
    tgid: u32,
    ppid: u32,
    uid: u32,
    gid: u32,
    cgroup_id: { ...count, description: 'default 1, the root cgroup' },
    cpu: u32,
    exe: { type: 'string' },
  },
  ['pid', 'comm'] as const,
);
export type SimProcSpawnRequest = FromSchema<typeof SimProcSpawnRequestSchema>;

/** A socket descriptor of a task, as `ss -p` shows it: addresses as `10.0.0.1:80` or `[fd00::1]:443`. */
const socketInfo = sub(
  'a socket of a task',
  {
    fd: u32,
    family: { type: 'string', enum: ['inet', 'inet6'] },
    type: { type: 'string', enum: ['stream', 'dgram'] },
    listening: { type: 'boolean' },
    local: { type: 'string', description: 'the bound address; absent before bind or connect' },
    remote: { type: 'string', description: 'the peer, where connect went (after any cgroup sock_addr rewrite); absent when not connected' },
  },
  ['fd', 'family', 'type', 'listening'] as const,
);

const taskInfo = sub(
  'a task',
  {
    pid: u32, tgid: u32, ppid: u32, uid: u32, gid: u32, comm: { type: 'string' }, cgroup_id: count, cpu: u32, exe: { type: 'string' }, fds: { type: 'array', items: u32 },
    sockets: { type: 'array', items: socketInfo, description: 'its socket descriptors, by fd' },
  },
  ['pid', 'tgid', 'ppid', 'uid', 'gid', 'comm', 'cgroup_id', 'cpu', 'exe', 'fds'] as const,
);

export const SimTaskInfoSchema = object('bpf.v1.sim.proc.task', 'A task', taskInfo.properties, taskInfo.required);
export type SimTaskInfo = FromSchema<typeof SimTaskInfoSchema>;

export const SimProcListReplySchema = object('bpf.v1.sim.proc.list.reply', 'Tasks, by pid', { tasks: { type: 'array', items: taskInfo } }, ['tasks'] as const);
export type SimProcListReply = FromSchema<typeof SimProcListReplySchema>;

export const SimSyscallRequestSchema = object(
  'bpf.v1.sim.proc.syscall.request',
  'Task `pid` makes a system call; its hook events run the attached programs before the reply',
  {
    pid: u32,
    at: { ...ns, description: 'virtual time (default: just after the last call)' },
    syscall: { type: 'string', enum: ['openat', 'read', 'write', 'close', 'socket', 'bind', 'listen', 'connect', 'accept', 'sendto', 'recvfrom', 'execve', 'clone', 'fork', 'exit', 'exit_group', 'kill'] },
    path: { type: 'string' },
    flags: { type: ['integer', 'string'], description: 'openat: O_RDONLY|O_CLOEXEC or a number; clone: a number' },
    mode: u32,
    dfd: { type: 'integer' },
    fd: u32,
    count: u32,
    data: { type: 'string' },
    family: { type: 'string', enum: ['inet', 'inet6'] },
    type: { type: 'string', enum: ['stream', 'dgram'] },
    addr: { type: 'string', description: 'bind, connect, sendto: 10.0.0.1:80 or [fd00::1]:443' },
    backlog: u32,
    peer: { type: 'string' },
    argv: { type: 'array', items: { type: 'string' } },
    envp: { type: 'array', items: { type: 'string' } },
    child: u32,
    cpu: u32,
    code: { type: 'integer' },
    target: u32,
    signal: { type: ['integer', 'string'] },
  },
  ['pid', 'syscall'] as const,
);
export type SimSyscallRequest = FromSchema<typeof SimSyscallRequestSchema>;

export const SimSyscallReplySchema = object(
  'bpf.v1.sim.proc.syscall.reply',
  'What the call returned and how many hook events it fired',
  {
    ret: { type: 'integer', description: 'as user space sees it (negative errno); absent for exit' },
    events: count,
    end: ns,
    addr: { type: 'string', description: 'recvfrom: the sender user space got in src_addr, as ip:port' },
  },
  ['events', 'end'] as const,
);
export type SimSyscallReply = FromSchema<typeof SimSyscallReplySchema>;

export const SimTimeAdvanceRequestSchema = object(
  'bpf.v1.sim.time.advance.request',
  'Moves virtual time on with no world events: the programs of sampling perf events run for every period that passes',
  { by: { ...ns, maximum: 3600e9, description: 'nanoseconds to move on (at most an hour)' } },
  ['by'] as const,
);
export type SimTimeAdvanceRequest = FromSchema<typeof SimTimeAdvanceRequestSchema>;

export const SimTimeAdvanceReplySchema = object('bpf.v1.sim.time.advance.reply', 'The virtual time now', { now: ns }, ['now'] as const);
export type SimTimeAdvanceReply = FromSchema<typeof SimTimeAdvanceReplySchema>;

export const SimScenarioRunRequestSchema = object(
  'bpf.v1.sim.scenario.run.request',
  'Run a YAML scenario: its machine replaces the world (links stay, by ifindex), then its events run to the end',
  { yaml: { type: 'string', minLength: 1 }, file: { type: 'string', description: 'a name for error messages' }, max_events: { type: 'integer', minimum: 1, maximum: 65536, description: 'events per batch (default 1024)' } },
  ['yaml'] as const,
);
export type SimScenarioRunRequest = FromSchema<typeof SimScenarioRunRequestSchema>;

export const SimScenarioRunReplySchema = object(
  'bpf.v1.sim.scenario.run.reply',
  'What the scenario produced',
  { batches: count, packets: count, hook_events: count, end: ns, devices: { type: 'array', items: deviceInfo } },
  ['batches', 'packets', 'hook_events', 'end', 'devices'] as const,
);
export type SimScenarioRunReply = FromSchema<typeof SimScenarioRunReplySchema>;

const hookCounter = sub(
  'runs and verdicts at one hook',
  {
    hook: { type: 'string', description: 'xdp, tc_ingress, tc_egress, cgroup_skb_ingress, cgroup_skb_egress, sock_addr, tracepoint, raw_tracepoint, kprobe, kretprobe, fentry, fexit' },
    target: { type: 'string', description: 'ifindex 2, cgroup 42, syscalls/sys_enter_openat, do_sys_openat2, ...' },
    runs: count,
    errors: { ...count, description: 'runs that stopped with an error (counted as aborted)' },
    last_error: { type: 'string' },
    actions: { type: 'object', additionalProperties: count, description: 'verdicts by name: XDP_DROP, TC_ACT_OK, ALLOW, DENY, ...' },
  },
  ['hook', 'target', 'runs', 'errors', 'actions'] as const,
);

export const SimCountersReplySchema = object(
  'bpf.v1.sim.counters.reply',
  'Device and hook counters',
  {
    devices: { type: 'array', items: sub('a device', { ifindex: u32, name, stats: queueStats, queues: { type: 'array', items: queueStats } }, ['ifindex', 'name', 'stats', 'queues'] as const) },
    hooks: { type: 'array', items: hookCounter },
    flowlog: sub('the flow log ring', { records: count, published: count, dropped: count }, ['records', 'published', 'dropped'] as const),
    sockets: sub('frames handed up the stack', { queued: count, overflow: count, by_port: { type: 'object', additionalProperties: count } }, ['queued', 'overflow', 'by_port'] as const),
  },
  ['devices', 'hooks', 'flowlog', 'sockets'] as const,
);
export type SimCountersReply = FromSchema<typeof SimCountersReplySchema>;

export const FlowLogRecordSchema = object(
  'bpf.v1.sim.flowlog.record',
  'One packet verdict: which hook and program decided what about which flow',
  {
    time: ns,
    ifindex: u32,
    queue: u32,
    cpu: u32,
    hook: { type: 'string', enum: ['xdp', 'tc_ingress', 'tc_egress', 'cgroup_skb_ingress', 'cgroup_skb_egress'] },
    prog_id: u32,
    action: { type: 'string', description: 'XDP_DROP, TC_ACT_SHOT, ALLOW, DENY, ...' },
    tuple: sub('the flow', { proto: u32, src: { type: 'string' }, dst: { type: 'string' }, sport: u32, dport: u32 }, ['proto', 'src', 'dst', 'sport', 'dport'] as const),
    len: u32,
    target: { type: 'string', description: 'redirects: dev 3, cpu 2, xsk 0' },
    error: { type: 'string', description: 'why a redirect failed; the frame was dropped' },
    text: { type: 'string', description: 'the record as one line' },
  },
  ['time', 'ifindex', 'queue', 'cpu', 'hook', 'action', 'len', 'text'] as const,
);
export type FlowLogRecord = FromSchema<typeof FlowLogRecordSchema>;

export const RingbufRecordSchema = object(
  'bpf.v1.map.ringbuf.record',
  'One ring buffer record, as a libbpf ring_buffer callback receives it',
  { data: { ...base64, description: 'the sample' } },
  ['data'] as const,
);
export type RingbufRecord = FromSchema<typeof RingbufRecordSchema>;

export const XskFrameSchema = object(
  'bpf.v1.sim.xsk.frame',
  'A frame an XDP program redirected to an AF_XDP socket',
  { ifindex: u32, queue: u32, frame: base64 },
  ['ifindex', 'queue', 'frame'] as const,
);
export type XskFrame = FromSchema<typeof XskFrameSchema>;
