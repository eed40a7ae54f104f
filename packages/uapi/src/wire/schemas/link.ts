import type { FromSchema } from 'json-schema-to-ts';
import { u32 } from './common.js';

/**
 * The link commands (BPF_LINK_CREATE, BPF_LINK_UPDATE, BPF_LINK_DETACH, BPF_OBJ_GET_INFO_BY_FD
 * for a link), served by the kernel-sim, with union bpf_attr's and struct bpf_link_info's field
 * names. Objects are ids where Linux takes file descriptors: `prog_fd` is `prog_id`, a cgroup's
 * `target_fd` is its cgroup id, a link is `bpf.v1.link.<id>.<cmd>`. Having no perf_event_open,
 * bpfhive names tracepoints and kprobes in `target_name` where Linux takes a perf event's fd.
 * `bpf.v1.link_get_next_id` takes the shared get_next_id request and reply (maps.ts).
 */
const object = <const P extends Record<string, unknown>, const R extends readonly string[]>(id: string, title: string, properties: P, required: R) =>
  ({ $id: id, title, type: 'object', additionalProperties: false, required, properties }) as const;

/** A plain sub-object with optional fields. */
const sub = <const P extends Record<string, unknown>>(description: string, properties: P) => ({ type: 'object', additionalProperties: false, description, properties }) as const;

/** An enum value: the uapi number, or the lower-case name bpftool prints. */
const enumValue = (example: string) => ({ type: ['integer', 'string'], description: `the uapi number or the name bpftool prints (${example})` }) as const;

/** A kernel address, in hex: kernel addresses exceed what a JSON number holds exactly. */
const hexAddress = { type: 'string', pattern: '^0x[0-9a-f]+$', description: 'a kernel address, hex' } as const;

/** A u64 (a cookie, a revision) as JSON carries it exactly: up to 2^53 - 1. */
const u64 = { type: 'integer', minimum: 0, maximum: 9007199254740991 } as const;

export const LinkCreateRequestSchema = object(
  'bpf.v1.link_create.request',
  'BPF_LINK_CREATE',
  {
    prog_id: { ...u32, description: 'the program to attach (attr->link_create.prog_fd)' },
    attach_type: enumValue('xdp | 37, tcx_ingress, cgroup_inet4_connect, perf_event, trace_fentry, ...'),
    target_fd: { ...u32, description: 'cgroup hooks: the cgroup id (1 is the root); fentry/fexit: 0 (vmlinux); perf_event programs: the perf event id (perf_event_open)' },
    target_ifindex: { ...u32, description: 'XDP and TCX: the device' },
    flags: { ...u32, description: 'XDP: XDP_FLAGS_SKB_MODE 2 or XDP_FLAGS_DRV_MODE 4; TCX: BPF_F_BEFORE 8, BPF_F_AFTER 16, BPF_F_ID 32, BPF_F_LINK 8192; others: 0' },
    target_name: {
      type: 'string',
      minLength: 1,
      maxLength: 256,
      description: 'bpfhive: perf_event tracepoints "category/name", kprobes the kernel function; raw tracepoints the tracepoint name; fentry/fexit the kernel function (or tracing.target_btf_id)',
    },
    target_btf_id: { ...u32, description: 'fentry/fexit: the FUNC in the kernel BTF (the same union member as tracing.target_btf_id)' },
    retprobe: { type: 'boolean', description: 'bpfhive: a perf_event kprobe that fires on return (a kretprobe), as perf_event_open says with its config' },
    perf_event: sub('perf_event links (tracepoints, kprobes, sampling events)', { bpf_cookie: { ...u64, description: 'what bpf_get_attach_cookie returns' } }),
    kprobe_multi: sub('BPF_TRACE_KPROBE_MULTI', {
      flags: { ...u32, description: 'BPF_F_KPROBE_MULTI_RETURN 1: fire on return' },
      syms: { type: 'array', minItems: 1, maxItems: 1024, items: { type: 'string', minLength: 1 }, description: 'kernel function names' },
      cookies: { type: 'array', maxItems: 1024, items: u64, description: 'one per symbol, in order' },
    }),
    tracing: sub('fentry/fexit', { target_btf_id: u32, cookie: u64 }),
    tcx: sub('TCX', {
      relative_id: { ...u32, description: 'with BPF_F_BEFORE/AFTER: a program id (or a link id with BPF_F_LINK) to attach next to; 0: first or last' },
      expected_revision: { ...u64, description: 'when not 0: ESTALE unless the hook is at this revision' },
    }),
  },
  ['prog_id', 'attach_type'] as const,
);
export type LinkCreateRequest = FromSchema<typeof LinkCreateRequestSchema>;

export const LinkCreateReplySchema = object('bpf.v1.link_create.reply', 'A link id, the attach handle', { link_id: u32 }, ['link_id'] as const);
export type LinkCreateReply = FromSchema<typeof LinkCreateReplySchema>;

export const LinkUpdateRequestSchema = object(
  'bpf.v1.link.update.request',
  'BPF_LINK_UPDATE: replace the program of a link atomically',
  {
    new_prog_id: u32,
    flags: { ...u32, description: 'BPF_F_REPLACE 4: only if the link still runs old_prog_id (EPERM otherwise)' },
    old_prog_id: { ...u32, description: 'with BPF_F_REPLACE' },
  },
  ['new_prog_id'] as const,
);
export type LinkUpdateRequest = FromSchema<typeof LinkUpdateRequestSchema>;

export const LinkInfoReplySchema = object(
  'bpf.v1.link.info.reply',
  'BPF_OBJ_GET_INFO_BY_FD for a link (struct bpf_link_info)',
  {
    id: u32,
    type: u32,
    type_name: { type: 'string', description: 'the name bpftool prints (xdp, tcx, cgroup, perf_event, ...)' },
    prog_id: u32,
    attach_type: { ...u32, description: 'bpfhive: the attach type the link was created with, for every kind' },
    detached: { type: 'boolean', description: 'bpfhive: the hook let go of the link (link_detach, or its device went away)' },
    raw_tracepoint: sub('raw tracepoints and tp_btf', { tp_name: { type: 'string' } }),
    tracing: sub('fentry/fexit', { attach_type: u32, target_obj_id: u32, target_btf_id: u32, target_name: { type: 'string' }, cookie: u64 }),
    cgroup: sub('cgroup hooks', { cgroup_id: u64, attach_type: u32 }),
    xdp: sub('XDP (ifindex 0 once detached)', { ifindex: u32, mode: { type: 'string', enum: ['skb', 'drv'] } }),
    tcx: sub('TCX (ifindex 0 once detached)', { ifindex: u32, attach_type: u32 }),
    perf_event: sub('perf_event links', {
      type: { ...u32, description: 'BPF_PERF_EVENT_KPROBE 3, BPF_PERF_EVENT_KRETPROBE 4, BPF_PERF_EVENT_TRACEPOINT 5, BPF_PERF_EVENT_EVENT 6' },
      kprobe: sub('kprobes and kretprobes', { func_name: { type: 'string' }, offset: u32, addr: hexAddress, missed: u64, cookie: u64 }),
      tracepoint: sub('tracepoints', { tp_name: { type: 'string' }, cookie: u64 }),
      event: sub('sampling perf events (PERF_EVENT programs)', { type: u32, config: u64, cookie: u64 }),
    }),
    kprobe_multi: sub('kprobe_multi', {
      count: u32,
      flags: u32,
      missed: u64,
      syms: { type: 'array', items: { type: 'string' } },
      addrs: { type: 'array', items: hexAddress },
      cookies: { type: 'array', items: u64 },
    }),
  },
  ['id', 'type', 'type_name', 'prog_id', 'attach_type', 'detached'] as const,
);
export type LinkInfoReply = FromSchema<typeof LinkInfoReplySchema>;
