import {
  PERF_EVENT_DATA,
  PT_REGS,
  SK_BUFF,
  SK_LOOKUP,
  SK_MSG_MD,
  SOCK,
  SOCK_ADDR,
  SOCK_OPS,
  XDP_MD,
  type CtxLayout,
  validateBtf,
} from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { KALLSYMS } from '../world/proc/kallsyms.js';
import { COMMON_FIELDS, type TraceLayout } from '../world/proc/trace-layout.js';
import {
  RAW_SYS_ENTER,
  RAW_SYS_EXIT,
  SCHED_PROCESS_EXEC,
  SCHED_PROCESS_EXIT,
  SCHED_PROCESS_FORK,
  SCHED_SWITCH,
  SYSCALL_ENTER,
  SYSCALL_EXIT,
} from '../world/proc/tracepoints.js';
import { funcProto, tracepointProto } from './func-proto.js';
import { kernelBtf, kernelBtfBytes, kernelTypeId } from './kernel-btf.js';
import { structLayout } from './struct-layout.js';

/** Offsets and sizes of Linux 6.18 on x86-64, read from its /sys/kernel/btf/vmlinux. */
const LINUX_6_18: Record<string, { size: number } & Record<string, number>> = {
  task_struct: { size: 3264, pid: 1264, tgid: 1268, real_parent: 1280, parent: 1288, comm: 1752, cred: 1736, real_cred: 1728, mm: 1136, files: 1824, fs: 1816, nsproxy: 1840, group_leader: 1328, thread_pid: 1368, flags: 44, start_time: 1552, exit_code: 1164, cgroups: 2376 },
  cred: { size: 184, uid: 8, gid: 12, euid: 24, cap_effective: 64 },
  mm_struct: { size: 1472, arg_start: 480, arg_end: 488, exe_file: 1312 },
  file: { size: 184, f_mode: 4, f_inode: 32, f_flags: 40, f_path: 64, f_pos: 112, private_data: 24 },
  dentry: { size: 192, d_parent: 24, d_name: 32, d_inode: 48 },
  qstr: { size: 16, name: 8 },
  inode: { size: 616, i_mode: 0, i_ino: 64, i_sb: 40 },
  sock_common: { size: 136, skc_daddr: 0, skc_rcv_saddr: 4, skc_dport: 12, skc_num: 14, skc_family: 16, skc_state: 18, skc_v6_daddr: 56, skc_v6_rcv_saddr: 72 },
  sock: { size: 784, __sk_common: 0, sk_protocol: 532, sk_type: 534, sk_socket: 288 },
  inet_sock: { size: 1016, inet_sport: 814, inet_saddr: 808 },
  tcp_sock: { size: 2304, srtt_us: 1680, rcv_nxt: 1664, snd_una: 1672, bytes_received: 1752, bytes_acked: 1824 },
  sk_buff: { size: 224, len: 112, data: 200, head: 192, protocol: 176, dev: 16, sk: 24, mark: 164 },
  net_device: { size: 2496, ifindex: 224, name: 280, mtu: 56 },
  files_struct: { size: 704, fdt: 32, fd_array: 160 },
  fdtable: { size: 56, max_fds: 0, fd: 8 },
  linux_binprm: { size: 408, filename: 96, file: 64, argc: 88 },
  nsproxy: { size: 72, pid_ns_for_children: 32, net_ns: 40, mnt_ns: 24 },
  pid: { size: 144, level: 4, numbers: 144 },
  xdp_buff: { size: 56, data: 0, data_end: 8, rxq: 32 },
};

describe('kernel BTF - the blob', () => {
  it('kernel BTF - parses, validates and holds only kernel types (no VAR or DATASEC but the per-CPU ones, no build helpers)', () => {
    const btf = kernelBtf();
    expect(() => validateBtf(btf)).not.toThrow();
    expect(kernelBtfBytes().length).toBeGreaterThan(10_000);
    const percpu = btf.types.find((t) => t.kind === 'DATASEC' && t.name === '.data..percpu');
    const percpuVars = new Set(percpu?.kind === 'DATASEC' ? percpu.vars.map((v) => v.type) : []);
    const strays = btf.types.filter((t, id) =>
      (t.kind === 'VAR' && !percpuVars.has(id)) || (t.kind === 'DATASEC' && t !== percpu) || t.name.startsWith('__vmlinux') || t.name.startsWith('__pad_'));
    expect(strays).toEqual([]);
    expect([...percpuVars].map((id) => btf.types[id]!.name)).toEqual(['bpf_prog_active']);
  });

  it('kernel BTF - kernelTypeId finds a type by name and kind, and names what is missing', () => {
    expect(kernelBtf().types[kernelTypeId('task_struct', 'STRUCT')]).toMatchObject({ kind: 'STRUCT', name: 'task_struct' });
    expect(() => kernelTypeId('no_such_struct', 'STRUCT')).toThrow(/no STRUCT named 'no_such_struct'/);
  });
});

describe('kernel BTF - layouts are Linux 6.18 x86-64', () => {
  it.each(Object.entries(LINUX_6_18))('kernel BTF - struct %s has the kernel size and offsets', (name, facts) => {
    const layout = structLayout(name);
    const { size, ...fields } = facts;
    expect(layout.size).toBe(size);
    expect(Object.fromEntries(Object.keys(fields).map((f) => [f, layout.field(f).offset]))).toEqual(fields);
  });
});

describe('kernel BTF - uapi context structs match the context tables', () => {
  const tables: CtxLayout[] = [XDP_MD, SK_BUFF, PT_REGS, SOCK, SOCK_ADDR, SK_MSG_MD, SK_LOOKUP, PERF_EVENT_DATA, SOCK_OPS];
  it.each(tables.map((t) => [t.struct, t] as const))('kernel BTF - struct %s', (_name, table) => {
    const layout = structLayout(table.struct);
    if (table.struct !== 'bpf_sock_ops') expect(layout.size).toBe(table.size);
    for (const m of table.members) expect([m.name, layout.field(m.name).offset, layout.field(m.name).size]).toEqual([m.name, m.offset, m.size]);
  });
});

describe('kernel BTF - tracepoint records match the world', () => {
  const records: [TraceLayout, string][] = [
    [RAW_SYS_ENTER, 'trace_event_raw_sys_enter'],
    [RAW_SYS_EXIT, 'trace_event_raw_sys_exit'],
    [SCHED_PROCESS_EXEC, 'trace_event_raw_sched_process_exec'],
    [SCHED_PROCESS_FORK, 'trace_event_raw_sched_process_fork'],
    [SCHED_PROCESS_EXIT, 'trace_event_raw_sched_process_template'],
    [SCHED_SWITCH, 'trace_event_raw_sched_switch'],
  ];
  const common = ['ent.type', 'ent.flags', 'ent.preempt_count', 'ent.pid'];

  it.each(records.map(([t, s]) => [`${t.category}:${t.name}`, t, s] as const))('kernel BTF - %s is struct %s', (_title, trace, struct) => {
    const layout = structLayout(struct);
    expect(layout.size).toBe(trace.size);
    for (const [i, f] of trace.fields.entries()) {
      const path = i < COMMON_FIELDS.length ? common[i]! : f.type.startsWith('__data_loc') ? `__data_loc_${f.name}` : f.name;
      expect([f.name, layout.field(path).offset, layout.field(path).size]).toEqual([f.name, f.offset, f.size]);
    }
  });

  it('kernel BTF - syscalls:sys_enter_*/sys_exit_* records share the offsets of trace_event_raw_sys_enter/sys_exit', () => {
    const enter = structLayout('trace_event_raw_sys_enter');
    const exit = structLayout('trace_event_raw_sys_exit');
    for (const trace of Object.values(SYSCALL_ENTER)) {
      const args = trace.fields.slice(COMMON_FIELDS.length + 1);
      expect(args.map((f) => f.offset)).toEqual(args.map((_, k) => enter.field(`args[${k}]`).offset));
    }
    for (const trace of Object.values(SYSCALL_EXIT)) expect(trace.fields.find((f) => f.name === 'ret')!.offset).toBe(exit.field('ret').offset);
  });

  it('kernel BTF - raw tracepoints take the arguments the world passes', () => {
    const args = (name: string): string[] => tracepointProto(name).params.map((p) => p.type);
    expect(args('sys_enter')).toEqual(['struct pt_regs *', 'long']);
    expect(args('sys_exit')).toEqual(['struct pt_regs *', 'long']);
    expect(args('sched_process_exec')).toEqual(['struct task_struct *', 'pid_t', 'struct linux_binprm *']);
    expect(args('sched_process_fork')).toEqual(['struct task_struct *', 'struct task_struct *']);
    expect(args('sched_process_exit')).toEqual(['struct task_struct *']);
    expect(args('sched_switch')).toEqual(['bool', 'struct task_struct *', 'struct task_struct *', 'unsigned int']);
  });
});

describe('kernel BTF - functions are the world kallsyms', () => {
  it.each(KALLSYMS.map((s) => [s.name, s] as const))('kernel BTF - FUNC %s has the kallsyms prototype', (name, sym) => {
    const proto = funcProto(name);
    expect(proto.ret.type).toBe(sym.ret);
    expect(proto.params.map((p) => `${p.type} ${p.name}`)).toEqual(sym.params.map((p) => `${p.type} ${p.name}`));
  });

  it('kernel BTF - every FUNC is a kallsyms symbol, with static linkage as pahole writes them', () => {
    const funcs = kernelBtf().types.filter((t) => t.kind === 'FUNC');
    expect(funcs.map((f) => f.name).sort()).toEqual(KALLSYMS.map((s) => s.name).sort());
    expect(new Set(funcs.map((f) => (f.kind === 'FUNC' ? f.linkage : -1)))).toEqual(new Set([0]));
  });
});
