import type { BpfMap } from './map.js';

/**
 * What map engines need from the rest of the kernel: the objects a map's values name (the kernel
 * takes file descriptors; bpfhive takes ids). createMap takes them as `ports`; the kernel-sim
 * implements them, since it owns programs, perf events, devices, sockets and cgroups.
 *
 * A missing port means "detached": the maps-store hosts maps that no kernel uses and cannot see
 * kernel objects, so an engine without the port keeps the id as given, unchecked, and holds
 * nothing. The kernel-sim checks every id again when it takes the map (its ports reject what is
 * gone; see loadRecords).
 */
export interface ObjectTable<T> {
  /** The object with this id, with a reference taken for the map; undefined when there is none. */
  acquire(id: number): T | undefined;
  /** Drops the reference `acquire` took (the map slot was overwritten, deleted or cleared). */
  release(id: number): void;
}

/** What a PROG_ARRAY, DEVMAP or CPUMAP checks of a program (bpf_prog_map_compatible and friends). */
export interface ProgramInfo {
  readonly prog_id: number;
  /** The program type; for an EXT program, its target's type (resolve_prog_type). */
  readonly prog_type: number;
  readonly expected_attach_type: number;
  readonly jited: boolean;
  readonly xdp_has_frags: boolean;
  /** Identity of the BTF function prototype a TRACING/LSM/EXT/STRUCT_OPS program attaches to. */
  readonly attach_func_proto?: number;
}

/** A perf event as PERF_EVENT_ARRAY needs it. */
export interface PerfEventInfo {
  /** PERF_TYPE_SOFTWARE / PERF_COUNT_SW_BPF_OUTPUT: bpf_perf_event_output may write to it. */
  readonly bpf_output: boolean;
  /** perf_event_read_local works (false: EOPNOTSUPP on update, e.g. an inherited event). */
  readonly readable: boolean;
  /** The CPU the event is bound to (event->oncpu); output from another CPU is EOPNOTSUPP. */
  readonly cpu: number;
}

/** Perf events and where bpf_perf_event_output's records go (a perf buffer reader). */
export interface PerfEventPort extends ObjectTable<PerfEventInfo> {
  /** Publishes one sample on event `eventId` from `cpu`: 0, or a negative errno (e.g. -ENOSPC). */
  output(eventId: number, cpu: number, sample: Uint8Array): number;
}

/** An AF_XDP socket as XSKMAP needs it. */
export interface XskSocketInfo {
  /** The id names an AF_XDP socket (false: EOPNOTSUPP). */
  readonly xdp: boolean;
  /** Bound to a device queue with its rings set up (xsk_is_setup_for_bpf_map; false: EOPNOTSUPP). */
  readonly bound: boolean;
  /** Arena address of the socket's struct bpf_xdp_sock, what a program's lookup returns. */
  readonly address: number;
}

/** A network device (DEVMAP values name one by ifindex). */
export interface NetDeviceInfo {
  readonly ifindex: number;
}

/** A cgroup (CGROUP_ARRAY values name one by id). */
export interface CgroupInfo {
  readonly cgroup_id: number;
}

export interface MapPorts {
  /** ARRAY_OF_MAPS / HASH_OF_MAPS: inner maps by map id (without it, every inner map id is EBADF). */
  readonly maps?: ObjectTable<BpfMap>;
  readonly programs?: ObjectTable<ProgramInfo>;
  readonly perfEvents?: PerfEventPort;
  readonly cgroups?: ObjectTable<CgroupInfo>;
  readonly netDevices?: ObjectTable<NetDeviceInfo>;
  readonly xskSockets?: ObjectTable<XskSocketInfo>;
}

