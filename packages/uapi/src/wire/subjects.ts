/**
 * NATS subjects of the bpf(2)-over-NATS protocol (DESIGN.md §2). Every client and service builds
 * subjects here, so a rename happens in one place.
 */
export const SUBJECT_PREFIX = 'bpf.v1';

export const Subjects = {
  mapCreate: `${SUBJECT_PREFIX}.map_create`,
  map: (id: number, cmd: string): string => `${SUBJECT_PREFIX}.map.${id}.${cmd}`,
  progLoad: `${SUBJECT_PREFIX}.prog_load`,
  prog: (id: number, cmd: string): string => `${SUBJECT_PREFIX}.prog.${id}.${cmd}`,
  linkCreate: `${SUBJECT_PREFIX}.link_create`,
  link: (id: number, cmd: string): string => `${SUBJECT_PREFIX}.link.${id}.${cmd}`,
  objPin: `${SUBJECT_PREFIX}.obj_pin`,
  objGet: `${SUBJECT_PREFIX}.obj_get`,
  /** unlink(2) of a pin (schemas/pin.ts); Linux has no bpf command for it. */
  objUnpin: `${SUBJECT_PREFIX}.obj_unpin`,
  /** A read-only listing of the pin namespace (schemas/pin.ts): bpftool's `--bpffs`. */
  objList: `${SUBJECT_PREFIX}.obj_list`,
  btfLoad: `${SUBJECT_PREFIX}.btf_load`,
  /** A loaded BTF object's commands (`info`), as `map`/`prog`/`link` are for theirs. */
  btf: (id: number, cmd: string): string => `${SUBJECT_PREFIX}.btf.${id}.${cmd}`,
  /** Opens a session that holds the objects created under it (DESIGN.md §2, `Bpf-Session`). */
  sessionOpen: `${SUBJECT_PREFIX}.session_open`,
  /** A session's `keepalive` and `close` (schemas/session.ts), served by the maps-store. */
  session: (id: string, cmd: 'keepalive' | 'close'): string => `${SUBJECT_PREFIX}.session.${id}.${cmd}`,
  /** Between services: `check` (maps-store: alive, and the forwarded caller's?) and `end` (kernel-sim: close what it holds). */
  internalSession: (id: string, cmd: 'check' | 'end'): string => `${SUBJECT_PREFIX}.internal.session.${id}.${cmd}`,
  getNextId: (kind: 'map' | 'prog' | 'link' | 'btf'): string => `${SUBJECT_PREFIX}.${kind}_get_next_id`,
  /** Inside PROG_LOAD: the verifier and the JIT, each a queue group. */
  internalVerify: `${SUBJECT_PREFIX}.internal.verify`,
  internalJit: `${SUBJECT_PREFIX}.internal.jit`,
  /** Map leases (schemas/lease.ts): `lease`, `checkpoint`, `release` of map `<id>`, served by the maps-store. */
  internalMap: (id: number, cmd: 'lease' | 'checkpoint' | 'release'): string => `${SUBJECT_PREFIX}.internal.map.${id}.${cmd}`,
  /** A program's or link's pin reference in the kernel (schemas/pin.ts), asked for by the maps-store. */
  internalPin: (kind: 'prog' | 'link', id: number, cmd: 'pin' | 'get' | 'unpin'): string => `${SUBJECT_PREFIX}.internal.${kind}.${id}.${cmd}`,
  /** A lease holder's heartbeat, renewing all its leases. */
  leaseRenew: `${SUBJECT_PREFIX}.internal.lease_renew`,
  tracePipe: `${SUBJECT_PREFIX}.trace_pipe`,
  /** BPF output perf events and BPF_ENABLE_STATS handles (schemas/perf.ts), served by the kernel-sim. */
  perfEventOpen: `${SUBJECT_PREFIX}.perf_event_open`,
  perfEvent: (id: number, cmd: 'close'): string => `${SUBJECT_PREFIX}.perf_event.${id}.${cmd}`,
  enableStats: `${SUBJECT_PREFIX}.enable_stats`,
  stats: (id: number, cmd: 'close'): string => `${SUBJECT_PREFIX}.stats.${id}.${cmd}`,
} as const;

/** NATS micro service names (`nats micro ls`). */
export const ServiceNames = {
  kernelSim: 'kernel-sim',
  verifier: 'verifier',
  jit: 'jit',
  mapsStore: 'maps-store',
} as const;

/** Queue groups of the stateless services: any replica may answer. */
export const QueueGroups = {
  verifier: 'verifier',
  jit: 'jit',
} as const;
