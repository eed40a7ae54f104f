/**
 * One table per program type (STYLE §5): the context a program receives and what it may do with
 * each field, the helpers it may call, the return values it may give, and the capability a loader
 * needs. The verifier checks programs against it and the kernel-sim builds contexts from it, so
 * what the verifier assumes is what the hook provides.
 *
 * Sources: the `*_is_valid_access` and `*_func_proto` callbacks of net/core/filter.c and
 * kernel/trace/bpf_trace.c, check_return_code in kernel/bpf/verifier.c, and the capability checks
 * of bpf_prog_load in kernel/bpf/syscall.c.
 */
import { AttachType, ProgType } from '../generated/enums.js';
import { parseAttachType, parseProgType, progTypeName, type EnumInput } from '../tables/enums.js';
import {
  CGROUP_DEV_CTX, PERF_EVENT_DATA, PT_REGS, RAW_TP_ARGS, SK_BUFF, SK_LOOKUP, SK_MSG_MD, SOCK, SOCK_ADDR,
  SOCK_OPS, TRACEPOINT_RECORD, XDP_MD, type CtxLayout, type CtxMember,
} from './context.js';
import * as H from './helper-sets.js';
import type { Capability, HelperSet } from './helper-sets.js';

/** A context field as one program type sees it. */
export interface CtxField extends CtxMember {
  readonly read: boolean;
  readonly write: boolean;
  /**
   * Whether loads narrower than `elem` are allowed (bpf_ctx_narrow_access_ok: 1, 2 or 4 bytes at
   * an offset aligned to their size, within the element). Pointer fields never allow them.
   */
  readonly narrow: boolean;
}

/** The context of a program type. */
export interface CtxSpec {
  readonly struct: string;
  readonly size: number;
  readonly fields: readonly CtxField[];
  /**
   * Tracing contexts (pt_regs, tracepoint records, raw/fentry arguments): any read of 1, 2, 4 or 8
   * bytes at an offset aligned to its size and within `size` is allowed, writes are not.
   * `fields` then only names what is there for printing.
   */
  readonly anyAlignedRead: boolean;
  /** BPF_PROG_TYPE_SYSCALL: the context is a caller's buffer of up to `size` bytes, read and written freely. */
  readonly anyAccess: boolean;
}

/** Direct packet access through `data`/`data_end` (may_access_direct_pkt_data). */
export type PacketAccess = 'none' | 'read' | 'read_write';

export interface RetRange {
  readonly min: number;
  readonly max: number;
}

export interface ProgTypeSpec {
  readonly progType: number;
  /** bpftool's name: `xdp`, `sched_cls`, … */
  readonly name: string;
  readonly ctx: CtxSpec;
  /** Every helper this type may call with all capabilities. */
  readonly helpers: ReadonlySet<number>;
  /** Helpers of `helpers` that need a capability beyond loading the type (CAP_BPF or CAP_PERFMON). */
  readonly helperCapability: ReadonlyMap<number, Capability>;
  /** Allowed return values (check_return_code), or `null` when any value is accepted. */
  readonly ret: RetRange | null;
  /** The capability a loader needs for this type besides CAP_BPF, or `null`. */
  readonly capability: Capability | null;
  /** Whether a loader without CAP_BPF may load it at all (socket filters and cgroup skb). */
  readonly unprivileged: boolean;
  readonly packet: PacketAccess;
}

interface Rights {
  read?: boolean;
  write?: boolean;
  narrow?: boolean;
}

/** Fields of `layout` with rights decided per member; members `rights` returns `null` for are left out. */
function fieldsOf(layout: CtxLayout, rights: (m: CtxMember) => Rights | null): CtxField[] {
  const out: CtxField[] = [];
  for (const m of layout.members) {
    const r = rights(m);
    if (!r) continue;
    const pointer = m.kind !== 'scalar';
    out.push({ ...m, read: r.read ?? true, write: r.write ?? false, narrow: !pointer && (r.narrow ?? true) });
  }
  return out;
}

function ctxOf(layout: CtxLayout, fields: CtxField[], extra: Partial<Pick<CtxSpec, 'anyAlignedRead' | 'anyAccess'>> = {}): CtxSpec {
  return { struct: layout.struct, size: layout.size, fields, anyAlignedRead: extra.anyAlignedRead ?? false, anyAccess: extra.anyAccess ?? false };
}

function tracingCtx(layout: CtxLayout): CtxSpec {
  return ctxOf(layout, fieldsOf(layout, () => ({ read: true })), { anyAlignedRead: true });
}

/** __sk_buff members no program type reads through bpf_skb_is_valid_access except the flow dissector. */
const SKB_FLOW_ONLY = new Set(['flow_keys']);

/** The __sk_buff view of a program type: which members are denied and which are writable. */
function skbCtx(opts: { deny: readonly string[]; write: readonly string[]; packet: boolean }): CtxSpec {
  const deny = new Set([...opts.deny, ...SKB_FLOW_ONLY]);
  const write = new Set(opts.write);
  const fields = fieldsOf(SK_BUFF, (m) => {
    if (deny.has(m.name)) return null;
    if (!opts.packet && (m.kind === 'pkt_data' || m.kind === 'pkt_end' || m.kind === 'pkt_meta')) return null;
    return { read: true, write: write.has(m.name) };
  });
  return ctxOf(SK_BUFF, fields);
}

const SOCK_FIELDS_4_TO_LOCAL_PORT = ['family', 'remote_ip4', 'local_ip4', 'remote_ip6', 'local_ip6', 'remote_port', 'local_port'];

interface Entry {
  ctx: CtxSpec;
  helpers: HelperSet;
  ret?: (attach: number | undefined) => RetRange | null;
  capability: Capability | null;
  unprivileged?: boolean;
  packet?: PacketAccess;
}

const ZERO_ONE = (): RetRange => ({ min: 0, max: 1 });

const ENTRIES: Partial<Record<number, Entry>> = {
  [ProgType.SOCKET_FILTER]: {
    ctx: skbCtx({
      deny: ['tc_classid', 'data', 'data_meta', 'data_end', 'tstamp', 'wire_len', 'hwtstamp', ...SOCK_FIELDS_4_TO_LOCAL_PORT],
      write: ['cb'],
      packet: false,
    }),
    helpers: H.HELPERS_SOCKET_FILTER,
    capability: null,
    unprivileged: true,
  },
  [ProgType.SCHED_CLS]: {
    ctx: skbCtx({ deny: [], write: ['mark', 'tc_index', 'priority', 'cb', 'tc_classid', 'tstamp', 'queue_mapping'], packet: true }),
    helpers: H.HELPERS_TC,
    capability: 'CAP_NET_ADMIN',
    packet: 'read_write',
  },
  [ProgType.SCHED_ACT]: {
    ctx: skbCtx({ deny: [], write: ['mark', 'tc_index', 'priority', 'cb', 'tc_classid', 'tstamp', 'queue_mapping'], packet: true }),
    helpers: H.HELPERS_TC,
    capability: 'CAP_NET_ADMIN',
    packet: 'read_write',
  },
  [ProgType.CGROUP_SKB]: {
    ctx: skbCtx({ deny: ['tc_classid', 'data_meta', 'wire_len'], write: ['mark', 'priority', 'cb', 'tstamp'], packet: true }),
    helpers: H.HELPERS_CGROUP_SKB,
    ret: (attach) => (attach === AttachType.CGROUP_INET_EGRESS ? { min: 0, max: 3 } : { min: 0, max: 1 }),
    capability: null,
    unprivileged: true,
    packet: 'read',
  },
  [ProgType.SK_SKB]: {
    ctx: skbCtx({ deny: ['tc_classid', 'data_meta', 'tstamp', 'wire_len', 'hwtstamp'], write: ['tc_index', 'priority'], packet: true }),
    helpers: H.HELPERS_SK_SKB,
    capability: 'CAP_NET_ADMIN',
    packet: 'read_write',
  },
  [ProgType.FLOW_DISSECTOR]: {
    ctx: ctxOf(SK_BUFF, fieldsOf(SK_BUFF, (m) =>
      ['data', 'data_end', 'flow_keys'].includes(m.name) ? { read: true } : null)),
    helpers: H.HELPERS_FLOW_DISSECTOR,
    capability: 'CAP_NET_ADMIN',
    packet: 'read',
  },
  [ProgType.XDP]: {
    ctx: ctxOf(XDP_MD, fieldsOf(XDP_MD, () => ({ read: true, narrow: false }))),
    helpers: H.HELPERS_XDP,
    capability: 'CAP_NET_ADMIN',
    packet: 'read_write',
  },
  [ProgType.KPROBE]: { ctx: tracingCtx(PT_REGS), helpers: H.HELPERS_KPROBE, capability: 'CAP_PERFMON' },
  [ProgType.TRACEPOINT]: { ctx: tracingCtx(TRACEPOINT_RECORD), helpers: H.HELPERS_TRACEPOINT, capability: 'CAP_PERFMON' },
  [ProgType.RAW_TRACEPOINT]: { ctx: tracingCtx(RAW_TP_ARGS), helpers: H.HELPERS_RAW_TP, capability: 'CAP_PERFMON' },
  [ProgType.RAW_TRACEPOINT_WRITABLE]: { ctx: tracingCtx(RAW_TP_ARGS), helpers: H.HELPERS_RAW_TP, capability: 'CAP_PERFMON' },
  [ProgType.PERF_EVENT]: {
    ctx: ctxOf(PERF_EVENT_DATA, fieldsOf(PERF_EVENT_DATA, (m) => ({ read: true, narrow: m.name !== 'regs' }))),
    helpers: H.HELPERS_PERF_EVENT,
    capability: 'CAP_PERFMON',
  },
  [ProgType.TRACING]: {
    ctx: tracingCtx(RAW_TP_ARGS),
    helpers: H.HELPERS_TRACING,
    ret: (attach) => (attach === AttachType.TRACE_FENTRY || attach === AttachType.TRACE_FEXIT ? { min: 0, max: 0 } : null),
    capability: 'CAP_PERFMON',
  },
  [ProgType.LSM]: {
    ctx: tracingCtx(RAW_TP_ARGS),
    helpers: H.HELPERS_LSM,
    ret: () => ({ min: -4095, max: 0 }),
    capability: 'CAP_PERFMON',
  },
  [ProgType.CGROUP_SOCK_ADDR]: {
    ctx: ctxOf(SOCK_ADDR, fieldsOf(SOCK_ADDR, (m) => ({
      read: true,
      write: ['user_ip4', 'user_ip6', 'user_port', 'msg_src_ip4', 'msg_src_ip6'].includes(m.name),
    }))),
    helpers: H.HELPERS_CGROUP_SOCK_ADDR,
    ret: (attach) => (attach !== undefined && RECV_ONLY_ATTACH.has(attach) ? { min: 1, max: 1 } : { min: 0, max: 1 }),
    capability: 'CAP_NET_ADMIN',
  },
  [ProgType.CGROUP_SOCK]: {
    ctx: ctxOf(SOCK, fieldsOf(SOCK, (m) => ({ read: true, write: ['bound_dev_if', 'mark', 'priority'].includes(m.name) }))),
    helpers: H.HELPERS_CGROUP_SOCK,
    ret: ZERO_ONE,
    capability: 'CAP_NET_ADMIN',
  },
  [ProgType.SOCK_OPS]: {
    ctx: ctxOf(SOCK_OPS, fieldsOf(SOCK_OPS, (m) => ({ read: true, write: m.name === 'args' }))),
    helpers: H.HELPERS_SOCK_OPS,
    ret: ZERO_ONE,
    capability: 'CAP_NET_ADMIN',
    packet: 'read',
  },
  [ProgType.SK_MSG]: {
    ctx: ctxOf(SK_MSG_MD, fieldsOf(SK_MSG_MD, () => ({ read: true }))),
    helpers: H.HELPERS_SK_MSG,
    capability: 'CAP_NET_ADMIN',
    packet: 'read_write',
  },
  [ProgType.SK_LOOKUP]: {
    ctx: ctxOf(SK_LOOKUP, fieldsOf(SK_LOOKUP, () => ({ read: true }))),
    helpers: H.HELPERS_SK_LOOKUP,
    ret: ZERO_ONE,
    capability: 'CAP_NET_ADMIN',
  },
  [ProgType.CGROUP_DEVICE]: {
    ctx: ctxOf(CGROUP_DEV_CTX, fieldsOf(CGROUP_DEV_CTX, () => ({ read: true }))),
    helpers: H.HELPERS_CGROUP_DEVICE,
    ret: ZERO_ONE,
    capability: 'CAP_NET_ADMIN',
  },
  [ProgType.SYSCALL]: {
    ctx: ctxOf({ struct: 'syscall_ctx', size: 65535, members: [] }, [], { anyAccess: true }),
    helpers: H.HELPERS_SYSCALL,
    capability: null,
  },
};

/** cgroup sock_addr hooks whose programs may only return 1 (check_return_code). */
const RECV_ONLY_ATTACH = new Set<number>([
  AttachType.CGROUP_UDP4_RECVMSG, AttachType.CGROUP_UDP6_RECVMSG, AttachType.CGROUP_INET4_GETPEERNAME,
  AttachType.CGROUP_INET6_GETPEERNAME, AttachType.CGROUP_INET4_GETSOCKNAME, AttachType.CGROUP_INET6_GETSOCKNAME,
  AttachType.CGROUP_UNIX_RECVMSG, AttachType.CGROUP_UNIX_GETPEERNAME, AttachType.CGROUP_UNIX_GETSOCKNAME,
]);

function helperIndex(set: HelperSet): { all: Set<number>; caps: Map<number, Capability> } {
  const all = new Set<number>(set.always);
  const caps = new Map<number, Capability>();
  for (const id of set.bpf) if (!all.has(id)) { all.add(id); caps.set(id, 'CAP_BPF'); }
  for (const id of set.perfmon) if (!all.has(id)) { all.add(id); caps.set(id, 'CAP_PERFMON'); }
  return { all, caps };
}

/**
 * The table entry of a program type given as its number or name (`xdp`, `BPF_PROG_TYPE_XDP`, 6),
 * refined by the expected attach type where the kernel's rules depend on it; `undefined` for a
 * type bpfhive does not run.
 */
export function progTypeSpec(progType: EnumInput, expectedAttachType?: EnumInput): ProgTypeSpec | undefined {
  const type = parseProgType(progType);
  if (type === undefined) return undefined;
  const entry = ENTRIES[type];
  if (!entry) return undefined;
  const attach = expectedAttachType === undefined ? undefined : parseAttachType(expectedAttachType);
  let ctx = entry.ctx;
  if (type === ProgType.XDP && attach !== AttachType.XDP_DEVMAP) {
    // egress_ifindex is only there for programs run from a devmap (xdp_is_valid_access).
    ctx = { ...ctx, fields: ctx.fields.filter((f) => f.name !== 'egress_ifindex') };
  }
  const { all, caps } = helperIndex(entry.helpers);
  return {
    progType: type,
    name: progTypeName(type) ?? String(type),
    ctx,
    helpers: all,
    helperCapability: caps,
    ret: entry.ret ? entry.ret(attach) : null,
    capability: entry.capability,
    unprivileged: entry.unprivileged ?? false,
    packet: entry.packet ?? 'none',
  };
}

/** The program types the table describes, by number. */
export function supportedProgTypes(): number[] {
  return Object.keys(ENTRIES).map(Number).sort((a, b) => a - b);
}

/** Whether a loader holding `privileges` may call helper `id` from a program of this type. */
export function helperAllowed(spec: ProgTypeSpec, id: number, privileges: ReadonlySet<Capability>): boolean {
  if (!spec.helpers.has(id)) return false;
  const needs = spec.helperCapability.get(id);
  if (!needs) return true;
  // CAP_SYS_ADMIN implies the others, as capable() checks do in the kernel.
  return privileges.has(needs) || privileges.has('CAP_SYS_ADMIN');
}

/** The outcome of a context access check: the field touched, or why the access is invalid. */
export type CtxAccess =
  | { readonly ok: true; readonly field: CtxField | undefined; readonly kind: CtxField['kind'] }
  | { readonly ok: false; readonly reason: string };

/**
 * Checks a load or store of `size` bytes at `offset` in the context, as the kernel's
 * `is_valid_access` callback does. The reason on failure is the kernel's
 * `invalid bpf_context access off=N size=M`. `field` is undefined for tracing contexts read at
 * an offset that names no field.
 */
export function checkCtxAccess(spec: ProgTypeSpec, offset: number, size: number, write: boolean): CtxAccess {
  const bad: CtxAccess = { ok: false, reason: `invalid bpf_context access off=${offset} size=${size}` };
  const ctx = spec.ctx;
  if (offset < 0 || size <= 0 || offset + size > ctx.size) return bad;
  if (ctx.anyAccess) return { ok: true, field: undefined, kind: 'scalar' };
  if (offset % size !== 0) return bad;
  if (ctx.anyAlignedRead) {
    if (write || size > 8) return bad;
    const field = ctx.fields.find((f) => offset >= f.offset && offset < f.offset + f.size);
    return { ok: true, field, kind: 'scalar' };
  }
  const field = ctx.fields.find((f) => offset >= f.offset && offset < f.offset + f.size);
  if (!field) return bad;
  if (write ? !field.write : !field.read) return bad;
  const within = (offset - field.offset) % field.elem;
  if (size === field.elem && within === 0) return { ok: true, field, kind: field.kind };
  // Narrower or misplaced access: only a narrow read inside one element of a scalar field.
  if (write || !field.narrow || size > field.elem || within + size > field.elem) return bad;
  return { ok: true, field, kind: 'scalar' };
}
