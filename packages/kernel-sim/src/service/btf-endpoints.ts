import type { Service, ServiceMsg } from '@nats-io/services';
import {
  BpfError,
  type BtfInfoReply,
  type BtfLoadReply,
  type BtfLoadRequest,
  BtfLoadRequestSchema,
  type CallerIdentity,
  DEFAULT_IDENTITY_POLICY,
  EmptySchema,
  type GetNextIdRequest,
  GetNextIdRequestSchema,
  type IdentityPolicy,
  SUBJECT_PREFIX,
  Subjects,
  callerIdentity,
  fromBase64,
  requireCapability,
  respond,
  serve,
  toBase64,
} from '@bpfhive/uapi';
import type { BtfTable } from '../core/btf/table.js';
import { BtfOwners } from './btf-owners.js';
import type { KernelObjectCharges } from './object-limits.js';
import type { KernelSessions } from './sessions.js';

/**
 * The BTF endpoints of the kernel-sim service: bpf.v1.btf_load (CAP_BPF), bpf.v1.btf.<id>.info
 * and .close (the loading account or CAP_SYS_ADMIN; anyone may read id 1, vmlinux) and
 * bpf.v1.btf_get_next_id (CAP_SYS_ADMIN), between uapi's btf schemas and the kernel's BTF table.
 * A refused blob is an errno reply whose `log` is the BTF verifier log.
 */
export function addBtfEndpoints(service: Service, table: BtfTable, policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY, limits?: KernelObjectCharges, sessions?: KernelSessions): void {
  const owners = new BtfOwners();
  // A session's end closes its BTF objects as btf.<id>.close would (sessions.ts).
  sessions?.closer('btf', (id) => {
    table.close(id);
    owners.forget(id);
  });
  limits?.watch('btfs', (id) => table.find(id) !== undefined);
  const endpoint = (name: string, subject: string, handle: (msg: ServiceMsg, who: CallerIdentity) => unknown): void => {
    service.addEndpoint(name, { subject, handler: (err, msg) => (err ? undefined : void handle(msg, callerIdentity(msg, policy))) });
  };
  endpoint('btf_load', Subjects.btfLoad, (msg, who) =>
    serve<BtfLoadRequest>(msg, BtfLoadRequestSchema, async (r) => {
      requireCapability(who, 'CAP_BPF', 'btf_load');
      const loaded = () => btfLoad(table, r);
      const load = () => (sessions ? sessions.create(msg, who, 'btf', 'btf_load', loaded, (b) => b.btf_id) : loaded());
      const reply = limits ? await limits.create(who, 'btfs', 'btf_load', load, (b) => b.btf_id) : await load();
      owners.record(reply.btf_id, who);
      return reply;
    }),
  );
  endpoint('btf_info', `${SUBJECT_PREFIX}.btf.*.info`, (msg, who) =>
    onObject(msg, (id) => {
      owners.check(id, who, 'btf info', true);
      return btfInfo(table, id);
    }),
  );
  endpoint('btf_close', `${SUBJECT_PREFIX}.btf.*.close`, (msg, who) =>
    onObject(msg, (id) => {
      owners.check(id, who, 'btf close');
      table.close(id);
      owners.forget(id);
      return {};
    }),
  );
  endpoint('btf_get_next_id', Subjects.getNextId('btf'), (msg, who) =>
    serve<GetNextIdRequest>(msg, GetNextIdRequestSchema, (r) => {
      requireCapability(who, 'CAP_SYS_ADMIN', 'btf_get_next_id');
      return { next_id: table.nextId(r.start_id) };
    }),
  );
}

/** bpf.v1.btf.<id>.<command> with the empty request: `run` gets the id. */
function onObject(msg: ServiceMsg, run: (id: number) => unknown): Promise<void> {
  const idText = msg.subject.split('.')[3] ?? '';
  if (!/^\d{1,10}$/.test(idText)) {
    return respond(msg, () => {
      throw new BpfError('EINVAL', `${msg.subject}: the BTF id must be a number`);
    });
  }
  return serve(msg, EmptySchema, () => run(Number(idText)));
}

function btfLoad(table: BtfTable, r: BtfLoadRequest): BtfLoadReply {
  const { object, log, logTrueSize } = table.load({
    btf: fromBase64(r.btf, 'btf'),
    ...(r.btf_size !== undefined && { btf_size: r.btf_size }),
    ...(r.btf_log_level !== undefined && { btf_log_level: r.btf_log_level }),
    ...(r.btf_log_size !== undefined && { btf_log_size: r.btf_log_size }),
    ...(r.btf_flags !== undefined && { btf_flags: r.btf_flags }),
  });
  return { btf_id: object.id, ...(log !== undefined && { log, btf_log_true_size: logTrueSize }) };
}

function btfInfo(table: BtfTable, id: number): BtfInfoReply {
  const info = table.info(id);
  return { ...info, btf: toBase64(info.btf) };
}
