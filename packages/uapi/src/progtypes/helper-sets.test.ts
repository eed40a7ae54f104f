import { describe, expect, it } from 'vitest';
import { HelperId } from '../generated/helpers.js';
import { helperAllowed, progTypeSpec, supportedProgTypes, type ProgTypeSpec } from './table.js';
import type { Capability } from './helper-sets.js';

function spec(type: string | number, attach?: string): ProgTypeSpec {
  const s = progTypeSpec(type, attach);
  if (!s) throw new Error(`no spec for ${type}`);
  return s;
}

const ALL = new Set<Capability>(['CAP_BPF', 'CAP_PERFMON', 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN']);
const NONE = new Set<Capability>();
const BPF_ONLY = new Set<Capability>(['CAP_BPF']);

const TRACING_TYPES = ['kprobe', 'tracepoint', 'raw_tracepoint', 'raw_tracepoint_writable', 'perf_event', 'tracing', 'lsm', 'syscall'];
const NET_TYPES = ['socket_filter', 'sched_cls', 'sched_act', 'xdp', 'cgroup_skb', 'cgroup_sock', 'cgroup_sock_addr', 'sock_ops', 'sk_skb', 'sk_msg', 'sk_lookup', 'flow_dissector'];

describe('helper sets - the base set as Linux 6.12 has it (bpf_base_func_proto)', () => {
  it('gives bpf_get_current_pid_tgid and bpf_get_ns_current_pid_tgid to every program type and every loader', () => {
    for (const type of supportedProgTypes()) {
      const s = spec(type);
      expect(helperAllowed(s, HelperId.get_current_pid_tgid, NONE), s.name).toBe(true);
      expect(helperAllowed(s, HelperId.get_ns_current_pid_tgid, NONE), s.name).toBe(true);
    }
  });

  it('gives the current cgroup id and cgroup storage helpers to every program type, with CAP_BPF', () => {
    for (const type of supportedProgTypes()) {
      const s = spec(type);
      for (const id of [HelperId.get_current_cgroup_id, HelperId.get_current_ancestor_cgroup_id, HelperId.cgrp_storage_get, HelperId.cgrp_storage_delete]) {
        expect(helperAllowed(s, id, BPF_ONLY), `${s.name} ${id}`).toBe(true);
      }
    }
    expect(helperAllowed(spec('socket_filter'), HelperId.get_current_cgroup_id, NONE)).toBe(false);
    expect(helperAllowed(spec('xdp'), HelperId.get_current_ancestor_cgroup_id, NONE)).toBe(false);
    // cgroup programs have them in their own table, for every loader (cgroup_current_func_proto).
    expect(helperAllowed(spec('cgroup_sock'), HelperId.get_current_cgroup_id, NONE)).toBe(true);
    expect(helperAllowed(spec('cgroup_device'), HelperId.get_current_cgroup_id, NONE)).toBe(true);
  });
});

describe('helper sets - bpf_ktime_get_coarse_ns', () => {
  it('is refused to every tracing program type, whatever the capabilities ("unknown func")', () => {
    for (const type of TRACING_TYPES) {
      expect(helperAllowed(spec(type), HelperId.ktime_get_coarse_ns, ALL), type).toBe(false);
    }
  });

  it('is given by the networking tables (bpf_sk_base_func_proto, sock_filter_func_proto) to every loader', () => {
    for (const type of NET_TYPES) {
      expect(helperAllowed(spec(type), HelperId.ktime_get_coarse_ns, NONE), type).toBe(true);
    }
  });

  it('is not given to cgroup device programs (cgroup_dev_func_proto falls back to the plain base set)', () => {
    expect(helperAllowed(spec('cgroup_device'), HelperId.ktime_get_coarse_ns, ALL)).toBe(false);
  });
});

describe('helper sets - bpf_timer_* stay in the tables; the verifier refuses timer maps in tracing programs', () => {
  it('hands the timer helpers to tracing programs through the base set, as Linux does', () => {
    for (const type of ['kprobe', 'tracepoint', 'perf_event', 'raw_tracepoint', 'tracing']) {
      for (const id of [HelperId.timer_init, HelperId.timer_set_callback, HelperId.timer_start, HelperId.timer_cancel]) {
        expect(helperAllowed(spec(type), id, ALL), `${type} ${id}`).toBe(true);
      }
    }
  });

  it('gates them on CAP_BPF elsewhere', () => {
    expect(helperAllowed(spec('sched_cls'), HelperId.timer_init, NONE)).toBe(false);
    expect(helperAllowed(spec('sched_cls'), HelperId.timer_init, BPF_ONLY)).toBe(true);
  });
});

describe('helper sets - syscall programs (syscall_prog_func_proto falls back to tracing_prog_func_proto)', () => {
  const sys = spec('syscall');

  it('have their own helpers, bpf_sys_bpf only with CAP_PERFMON', () => {
    for (const id of [HelperId.btf_find_by_name_kind, HelperId.sys_close, HelperId.kallsyms_lookup_name]) {
      expect(helperAllowed(sys, id, BPF_ONLY)).toBe(true);
    }
    expect(helperAllowed(sys, HelperId.sys_bpf, BPF_ONLY)).toBe(false);
    expect(helperAllowed(sys, HelperId.sys_bpf, new Set<Capability>(['CAP_BPF', 'CAP_PERFMON']))).toBe(true);
  });

  it('have the tracing helpers', () => {
    for (const id of [
      HelperId.probe_read_kernel, HelperId.get_current_comm, HelperId.get_current_uid_gid, HelperId.copy_from_user,
      HelperId.task_storage_get, HelperId.perf_event_output, HelperId.get_stack, HelperId.skc_to_tcp_sock, HelperId.send_signal,
    ]) {
      expect(helperAllowed(sys, id, BPF_ONLY), String(id)).toBe(true);
    }
  });

  it('lack what needs a trampoline or an attach target', () => {
    for (const id of [HelperId.get_func_arg, HelperId.get_func_ret, HelperId.get_func_arg_cnt, HelperId.get_attach_cookie, HelperId.d_path]) {
      expect(helperAllowed(sys, id, ALL), String(id)).toBe(false);
    }
    expect(helperAllowed(spec('tracing'), HelperId.get_func_arg, ALL)).toBe(true);
  });
});
