/**
 * The simulated world the kernel-sim's hooks fire from — pure logic, no NATS, no program
 * execution. The core connects through the ports (ports.ts): it implements UserMemory and
 * KernelObjects over its shared memory and takes WorldEvents through a HookSink.
 *
 * - net/: frames (Ethernet, VLAN, ARP, IPv4/6, TCP, UDP, ICMP/v6, HTTP) built and parsed,
 *   devices and veth pairs, RSS, the traffic generator, pcap read/write/replay, and the verdict
 *   model for XDP and TC with its flow log
 * - proc/: tasks, system calls and the hook events they fire (tracepoints with their record
 *   layouts, kprobes/kretprobes with pt_regs, fentry/fexit arguments, sched events), kallsyms
 * - scenario/: the YAML scenario format and the runner that turns it into batches of events
 */
export * from './ports.js';
export * from './events.js';
export * from './time.js';
export * from './random.js';

export * from './net/errors.js';
export * from './net/addr.js';
export * from './net/checksum.js';
export * from './net/ethernet.js';
export * from './net/arp.js';
export * from './net/ipv4.js';
export * from './net/ipv6.js';
export * from './net/tcp.js';
export * from './net/udp.js';
export * from './net/icmp.js';
export * from './net/http.js';
export * from './net/flow.js';
export * from './net/frame.js';
export * from './net/device.js';
export * from './net/device-table.js';
export * from './net/ip-link.js';
export * from './net/rss.js';
export * from './net/packet.js';
export * from './net/socket-queue.js';
export * from './net/verdict.js';
export * from './net/timed-frame.js';
export * from './net/traffic/sizes.js';
export * from './net/traffic/flows.js';
export * from './net/traffic/generator.js';
export * from './net/pcap/format.js';
export * from './net/pcap/reader.js';
export * from './net/pcap/writer.js';
export * from './net/pcap/replay.js';

export * from './proc/trace-layout.js';
export * from './proc/syscall-table.js';
export * from './proc/tracepoints.js';
export * from './proc/kallsyms.js';
export * from './proc/pt-regs.js';
export * from './proc/array-memory.js';
export * from './proc/kernel-objects.js';
export * from './proc/task-memory.js';
export * from './proc/task.js';
export * from './proc/vfs.js';
export * from './proc/scheduler.js';
export * from './proc/syscall-request.js';
export * from './proc/sockaddr.js';
export * from './proc/trace.js';
export * from './proc/processes.js';

export * from './scenario/errors.js';
export * from './scenario/types.js';
export * from './scenario/yaml-reader.js';
export * from './scenario/parse.js';
export * from './scenario/merge.js';
export * from './scenario/runner.js';
export * from './scenario/node-files.js';
