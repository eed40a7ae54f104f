import type { Service, ServiceMsg } from '@nats-io/services';
import {
  BpfError,
  type CallerIdentity,
  EmptySchema,
  type EnableStatsReply,
  type EnableStatsRequest,
  EnableStatsRequestSchema,
  type IdentityPolicy,
  type PerfEventOpenReply,
  type PerfEventOpenRequest,
  PerfEventOpenRequestSchema,
  SUBJECT_PREFIX,
  Subjects,
  callerIdentity,
  requireCapability,
  respond,
  serve,
} from '@bpfhive/uapi';
import type { PerfEvents } from '../core/perf/perf-events.js';
import { BpfStatsType, type StatsSwitch } from '../core/run/stats.js';
import { ObjectOwners } from './object-owners.js';
import type { KernelSessions } from './sessions.js';

export interface PerfEndpointsDeps {
  readonly perfEvents: PerfEvents;
  readonly stats: StatsSwitch;
  readonly policy: IdentityPolicy;
  readonly sessions: KernelSessions;
}

/**
 * bpf.v1.perf_event_open and bpf.v1.perf_event.<id>.close (CAP_PERFMON: a CPU-wide event, as
 * perf_buffer__new opens them), bpf.v1.enable_stats and bpf.v1.stats.<id>.close (CAP_SYS_ADMIN,
 * as BPF_ENABLE_STATS needs), between uapi's schemas/perf.ts and the kernel's PerfEvents and
 * StatsSwitch. Both handles may be held by a session (closed when it ends); a close by id is for
 * the opener or CAP_SYS_ADMIN.
 */
export function addPerfEndpoints(service: Service, deps: PerfEndpointsDeps): void {
  const { perfEvents, stats, sessions } = deps;
  const eventOwners = new ObjectOwners('perf event');
  const statsOwners = new ObjectOwners('stats handle');
  sessions.closer('perf_event', (id) => {
    perfEvents.close(id);
    eventOwners.forget(id);
  });
  sessions.closer('stats', (id) => {
    stats.disable(id);
    statsOwners.forget(id);
  });
  const endpoint = (name: string, subject: string, handle: (msg: ServiceMsg, who: CallerIdentity) => unknown): void => {
    service.addEndpoint(name, { subject, handler: (err, msg) => (err ? undefined : void handle(msg, callerIdentity(msg, deps.policy))) });
  };
  endpoint('perf_event_open', Subjects.perfEventOpen, (msg, who) =>
    serve<PerfEventOpenRequest>(msg, PerfEventOpenRequestSchema, async (r): Promise<PerfEventOpenReply> => {
      requireCapability(who, 'CAP_PERFMON', 'perf_event_open');
      const open = (): PerfEventOpenReply => ({ perf_event_id: perfEvents.open(r) });
      const reply = await sessions.create(msg, who, 'perf_event', 'perf_event_open', open, (o) => o.perf_event_id);
      eventOwners.record(reply.perf_event_id, who);
      return reply;
    }),
  );
  endpoint('perf_event_close', `${SUBJECT_PREFIX}.perf_event.*.close`, (msg, who) =>
    closeById(msg, (id) => {
      eventOwners.check(id, who, 'perf event close');
      perfEvents.close(id);
      eventOwners.forget(id);
    }),
  );
  endpoint('enable_stats', Subjects.enableStats, (msg, who) =>
    serve<EnableStatsRequest>(msg, EnableStatsRequestSchema, async (r): Promise<EnableStatsReply> => {
      requireCapability(who, 'CAP_SYS_ADMIN', 'enable_stats');
      const type = r.type === 'run_time' ? BpfStatsType.RUN_TIME : r.type;
      const enable = (): EnableStatsReply => ({ stats_id: stats.enable(type) });
      const reply = await sessions.create(msg, who, 'stats', 'enable_stats', enable, (o) => o.stats_id);
      statsOwners.record(reply.stats_id, who);
      return reply;
    }),
  );
  endpoint('stats_close', `${SUBJECT_PREFIX}.stats.*.close`, (msg, who) =>
    closeById(msg, (id) => {
      statsOwners.check(id, who, 'stats close');
      stats.disable(id);
      statsOwners.forget(id);
    }),
  );
}

/** `bpf.v1.<kind>.<id>.close {}` → `{}`; EINVAL when the id is not a number. */
function closeById(msg: ServiceMsg, close: (id: number) => void): Promise<void> {
  const idText = msg.subject.split('.')[3] ?? '';
  if (!/^\d+$/.test(idText)) {
    return respond(msg, () => {
      throw new BpfError('EINVAL', `${msg.subject}: the id must be a number`);
    });
  }
  return serve(msg, EmptySchema, () => {
    close(Number(idText));
    return {};
  });
}
