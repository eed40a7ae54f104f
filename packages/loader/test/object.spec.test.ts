/**
 * Every test object reads to the spec its C source says: programs (names, sections, types,
 * attach points, linked functions, instruction counts), maps (types, sizes, flags, initial
 * data, inner maps, initial slots), relocations, externs, BTF and .BTF.ext data.
 */
import {
  AttachType,
  type Instruction,
  MapFlag,
  MapType,
  ProgType,
  PseudoCall,
  PseudoLdImm64,
  encodeBtf,
  parseBtf,
  slotIndex,
  validateBtf,
} from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { type MapSpec, type ObjectSpec, ProgLoadFlag, type ProgramSpec, readObject } from '../src/index.js';
import { type ObjectName, objectBytes } from './objects/fixtures.js';

const read = (name: ObjectName): ObjectSpec => readObject(objectBytes(name), { path: `test/objects/${name}.o` });
const prog = (spec: ObjectSpec, name: string): ProgramSpec => {
  const p = spec.programs.find((x) => x.name === name);
  if (!p) throw new Error(`no program ${name}`);
  return p;
};
const map = (spec: ObjectSpec, name: string): MapSpec => {
  const m = spec.maps.find((x) => x.name === name);
  if (!m) throw new Error(`no map ${name}`);
  return m;
};
const hex = (bytes: Uint8Array | undefined): string | undefined => bytes && Buffer.from(bytes).toString('hex');

/** [name, section, type, expected attach type, attachTo, flags, functions, instructions, slots]. */
type ProgRow = [string, string, number, number, string | undefined, number, string[], number, number];

const PROGRAMS: Record<ObjectName, ProgRow[]> = {
  xdp_parser: [
    ['xdp_parse', 'xdp', ProgType.XDP, AttachType.XDP, undefined, 0, ['xdp_parse', 'count_verdict', 'parse_ipv4'], 146, 162],
    ['xdp_frags_pass', 'xdp.frags', ProgType.XDP, AttachType.XDP, undefined, ProgLoadFlag.XDP_HAS_FRAGS, ['xdp_frags_pass', 'count_verdict'], 17, 18],
  ],
  'xdp_parser.bpfeb': [
    ['xdp_parse', 'xdp', ProgType.XDP, AttachType.XDP, undefined, 0, ['xdp_parse', 'count_verdict', 'parse_ipv4'], 145, 161],
    ['xdp_frags_pass', 'xdp.frags', ProgType.XDP, AttachType.XDP, undefined, ProgLoadFlag.XDP_HAS_FRAGS, ['xdp_frags_pass', 'count_verdict'], 17, 18],
  ],
  tc_classifier: [
    ['classify', 'tc', ProgType.SCHED_CLS, 0, undefined, 0, ['classify', 'is_dropped'], 52, 56],
    ['tcx_ingress', 'tcx/ingress', ProgType.SCHED_CLS, AttachType.TCX_INGRESS, undefined, 0, ['tcx_ingress'], 6, 8],
    ['tcx_egress', 'tcx/egress', ProgType.SCHED_CLS, AttachType.TCX_EGRESS, undefined, 0, ['tcx_egress'], 9, 10],
    ['legacy_classifier', 'classifier', ProgType.SCHED_CLS, 0, undefined, 0, ['legacy_classifier'], 2, 2],
  ],
  socket_filter: [['count_protocols', 'socket', ProgType.SOCKET_FILTER, 0, undefined, 0, ['count_protocols'], 26, 28]],
  kfunc_task: [
    ['find_task', 'syscall', ProgType.SYSCALL, 0, undefined, ProgLoadFlag.SLEEPABLE, ['find_task'], 27, 30],
    ['stash_task', 'syscall', ProgType.SYSCALL, 0, undefined, ProgLoadFlag.SLEEPABLE, ['stash_task'], 26, 29],
  ],
  kfunc_unknown: [['call_unknown', 'syscall', ProgType.SYSCALL, 0, undefined, ProgLoadFlag.SLEEPABLE, ['call_unknown'], 27, 29]],
  kfunc_weak: [
    ['call_unguarded', 'syscall', ProgType.SYSCALL, 0, undefined, ProgLoadFlag.SLEEPABLE, ['call_unguarded'], 4, 4],
    ['call_guarded', 'syscall', ProgType.SYSCALL, 0, undefined, ProgLoadFlag.SLEEPABLE, ['call_guarded'], 6, 8],
    ['call_present', 'syscall', ProgType.SYSCALL, 0, undefined, ProgLoadFlag.SLEEPABLE, ['call_present'], 9, 10],
  ],
  probes: [
    ['on_exec', 'tp/sched/sched_process_exec', ProgType.TRACEPOINT, 0, 'sched/sched_process_exec', 0, ['on_exec'], 11, 12],
    ['on_sys_enter', 'raw_tracepoint/sys_enter', ProgType.RAW_TRACEPOINT, 0, 'sys_enter', 0, ['on_sys_enter'], 12, 13],
    ['on_readline', 'uprobe//bin/bash:readline', ProgType.KPROBE, 0, '/bin/bash:readline', 0, ['on_readline'], 14, 16],
    ['on_readline_ret', 'uretprobe//bin/bash:readline', ProgType.KPROBE, 0, '/bin/bash:readline', 0, ['on_readline_ret'], 14, 16],
  ],
  fentry_core: [
    ['read_entry', 'fentry/vfs_read', ProgType.TRACING, AttachType.TRACE_FENTRY, 'vfs_read', 0, ['read_entry'], 54, 55],
    ['read_exit', 'fexit/vfs_read', ProgType.TRACING, AttachType.TRACE_FEXIT, 'vfs_read', 0, ['read_exit'], 11, 12],
    ['on_switch', 'tp_btf/sched_switch', ProgType.TRACING, AttachType.TRACE_RAW_TP, 'sched_switch', 0, ['on_switch'], 22, 23],
  ],
  tracing: [
    ['unlink_entry', 'kprobe/do_unlinkat', ProgType.KPROBE, 0, 'do_unlinkat', 0, ['unlink_entry'], 20, 22],
    ['unlink_exit', 'kretprobe/do_unlinkat', ProgType.KPROBE, 0, 'do_unlinkat', 0, ['unlink_exit'], 73, 77],
    ['trace_openat', 'tracepoint/syscalls/sys_enter_openat', ProgType.TRACEPOINT, 0, 'syscalls/sys_enter_openat', 0, ['trace_openat'], 63, 66],
    ['sched_switch', 'raw_tp/sched_switch', ProgType.RAW_TRACEPOINT, 0, 'sched_switch', 0, ['sched_switch'], 94, 96],
    ['sched_switch_btf', 'tp_btf/sched_switch', ProgType.TRACING, AttachType.TRACE_RAW_TP, 'sched_switch', 0, ['sched_switch_btf'], 16, 16],
    ['fentry_unlink', 'fentry/do_unlinkat', ProgType.TRACING, AttachType.TRACE_FENTRY, 'do_unlinkat', 0, ['fentry_unlink'], 57, 59],
    ['fexit_unlink', 'fexit/do_unlinkat', ProgType.TRACING, AttachType.TRACE_FEXIT, 'do_unlinkat', 0, ['fexit_unlink'], 55, 57],
    ['check_file_open', 'lsm/file_open', ProgType.LSM, AttachType.LSM_MAC, 'file_open', 0, ['check_file_open'], 77, 81],
    ['sample_cpu', 'perf_event', ProgType.PERF_EVENT, 0, undefined, 0, ['sample_cpu', 'sum_step'], 80, 87],
    ['kill_entry', 'ksyscall/kill', ProgType.KPROBE, 0, 'kill', 0, ['kill_entry'], 130, 134],
  ],
  cgroup_sock: [
    ['count_ingress', 'cgroup_skb/ingress', ProgType.CGROUP_SKB, AttachType.CGROUP_INET_INGRESS, undefined, 0, ['count_ingress'], 12, 13],
    ['count_egress', 'cgroup_skb/egress', ProgType.CGROUP_SKB, AttachType.CGROUP_INET_EGRESS, undefined, 0, ['count_egress'], 12, 13],
    ['redirect_connect4', 'cgroup/connect4', ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_CONNECT, undefined, 0, ['redirect_connect4'], 16, 19],
    ['track_established', 'sockops', ProgType.SOCK_OPS, AttachType.CGROUP_SOCK_OPS, undefined, 0, ['track_established'], 20, 22],
    ['redirect_msg', 'sk_msg', ProgType.SK_MSG, AttachType.SK_MSG_VERDICT, undefined, 0, ['redirect_msg'], 15, 16],
    ['optional_bind4', 'cgroup/bind4', ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_BIND, undefined, 0, ['optional_bind4'], 5, 5],
  ],
  map_in_map: [
    ['tail_a', 'xdp', ProgType.XDP, AttachType.XDP, undefined, 0, ['tail_a'], 2, 2],
    ['tail_b', 'xdp', ProgType.XDP, AttachType.XDP, undefined, 0, ['tail_b'], 2, 2],
    ['dispatch', 'xdp', ProgType.XDP, AttachType.XDP, undefined, 0, ['dispatch'], 29, 32],
  ],
  spin_lock_map: [['count', 'tc', ProgType.SCHED_CLS, 0, undefined, 0, ['count'], 36, 40]],
};

/** [name, origin, type, key, value, max entries, flags]. */
type MapRow = [string, MapSpec['origin'], number, number, number, number, number];

const RO = MapFlag.RDONLY_PROG;
const MM = MapFlag.MMAPABLE;

const MAPS: Record<ObjectName, MapRow[]> = {
  xdp_parser: [
    ['verdicts', 'btf', MapType.PERCPU_ARRAY, 4, 8, 8, 0],
    ['flows', 'btf', MapType.LRU_HASH, 16, 16, 4096, 0],
    ['xdp_pars.rodata', 'rodata', MapType.ARRAY, 4, 8, 1, RO | MM],
    ['xdp_pars.bss', 'bss', MapType.ARRAY, 4, 16, 1, MM],
    ['xdp_pars.data', 'data', MapType.ARRAY, 4, 16, 1, MM],
  ],
  'xdp_parser.bpfeb': [
    ['verdicts', 'btf', MapType.PERCPU_ARRAY, 4, 8, 8, 0],
    ['flows', 'btf', MapType.LRU_HASH, 16, 16, 4096, 0],
    ['xdp_pars.rodata', 'rodata', MapType.ARRAY, 4, 8, 1, RO | MM],
    ['xdp_pars.bss', 'bss', MapType.ARRAY, 4, 16, 1, MM],
    ['xdp_pars.data', 'data', MapType.ARRAY, 4, 16, 1, MM],
  ],
  tc_classifier: [
    ['proto_counts', 'btf', MapType.HASH, 1, 8, 256, MapFlag.NO_PREALLOC],
    ['.rodata.cfg', 'rodata', MapType.ARRAY, 4, 8, 1, RO | MM],
    ['.data.counters', 'data', MapType.ARRAY, 4, 16, 1, MM],
  ],
  socket_filter: [
    ['proto_bytes', 'legacy', MapType.ARRAY, 4, 8, 256, 0],
    ['seen_sockets', 'legacy', MapType.HASH, 8, 4, 1024, MapFlag.NO_PREALLOC],
  ],
  kfunc_task: [['task_slots', 'btf', MapType.ARRAY, 4, 16, 1, 0]],
  kfunc_unknown: [['counts', 'btf', MapType.ARRAY, 4, 8, 4, 0]],
  kfunc_weak: [],
  probes: [
    ['hits', 'btf', MapType.ARRAY, 4, 8, 4, 0],
    ['probes.bss', 'bss', MapType.ARRAY, 4, 16, 1, MM],
  ],
  spin_lock_map: [['counters', 'btf', MapType.HASH, 4, 24, 4, 0]],
  fentry_core: [
    ['reads', 'btf', MapType.ARRAY, 4, 48, 1, 0],
    ['switches', 'btf', MapType.ARRAY, 4, 8, 1, 0],
  ],
  tracing: [
    ['events', 'btf', MapType.RINGBUF, 0, 0, 256 * 1024, 0],
    ['start_ns', 'btf', MapType.HASH, 4, 8, 10240, 0],
    ['tracing.rodata', 'rodata', MapType.ARRAY, 4, 4, 1, RO | MM],
    ['tracing.bss', 'bss', MapType.ARRAY, 4, 8, 1, MM],
    ['tracing.kconfig', 'kconfig', MapType.ARRAY, 4, 14, 1, RO | MM],
  ],
  cgroup_sock: [
    ['sock_ops_map', 'btf', MapType.SOCKHASH, 16, 4, 65535, 0],
    ['cgroup_bytes', 'btf', MapType.ARRAY, 4, 8, 2, 0],
    ['cgroup_s.rodata', 'rodata', MapType.ARRAY, 4, 10, 1, RO | MM],
  ],
  map_in_map: [
    ['inner_a', 'btf', MapType.ARRAY, 4, 8, 4, 0],
    ['inner_b', 'btf', MapType.ARRAY, 4, 8, 4, 0],
    ['outer_array', 'btf', MapType.ARRAY_OF_MAPS, 4, 4, 4, 0],
    ['jump_table', 'btf', MapType.PROG_ARRAY, 4, 4, 3, 0],
    ['seen_ips', 'btf', MapType.BLOOM_FILTER, 0, 4, 1000, 0],
    ['outer_hash', 'btf', MapType.HASH_OF_MAPS, 4, 4, 16, 0],
    ['pinned_sessions', 'btf', MapType.HASH, 8, 16, 1000, MapFlag.NO_PREALLOC],
    ['small_ring', 'btf', MapType.RINGBUF, 0, 0, 8192, 0],
  ],
};

describe('object spec - programs', () => {
  for (const [object, rows] of Object.entries(PROGRAMS) as [ObjectName, ProgRow[]][]) {
    it(`${object} - programs, in libbpf's order, with types, attach points and linked functions`, () => {
      const spec = read(object);
      expect(spec.programs.map((p) => p.name)).toEqual(rows.map((r) => r[0]));
      for (const [name, section, type, attach, attachTo, flags, fns, count, slots] of rows) {
        const p = prog(spec, name);
        expect({ section: p.sectionName, type: p.type, attach: p.expectedAttachType, attachTo: p.attachTo, flags: p.flags }).toEqual({
          section,
          type,
          attach,
          attachTo,
          flags,
        });
        expect(p.functions.map((f) => f.name)).toEqual(fns);
        expect(p.instructions).toHaveLength(count);
        expect(slotIndex(p.instructions)[count]).toBe(slots);
        expect(p.autoload).toBe(name !== 'optional_bind4' && name !== 'stash_task');
        expect(p.license).toBe(spec.license);
      }
    });
  }
});

describe('object spec - maps', () => {
  for (const [object, rows] of Object.entries(MAPS) as [ObjectName, MapRow[]][]) {
    it(`${object} - maps, in libbpf's order, with sizes and flags`, () => {
      const spec = read(object);
      expect(spec.maps.map((m) => [m.name, m.origin, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags])).toEqual(rows);
    });
  }
});

describe('object spec - xdp_parser', () => {
  const spec = read('xdp_parser');

  it('names the object after the file and reads the license', () => {
    expect(spec.name).toBe('xdp_parser');
    expect(spec.license).toBe('Dual BSD/GPL');
    expect(spec.kernelVersion).toBeUndefined();
    expect(spec.endian).toBe('little');
  });

  it('global data maps hold their sections: .rodata frozen, .bss zeros, .data its initialisers', () => {
    expect(hex(map(spec, 'xdp_pars.rodata').contents)).toBe('00000000ea050000'); // blocked_port 0, max_packet_len 1514
    expect(map(spec, 'xdp_pars.rodata').freeze).toBe(true);
    expect(hex(map(spec, 'xdp_pars.bss').contents)).toBe('00'.repeat(16));
    expect(hex(map(spec, 'xdp_pars.data').contents)).toBe('01000000020000000300000004000000');
    expect(map(spec, 'xdp_pars.data').freeze).toBe(false);
  });

  it('BTF maps carry the key and value types', () => {
    const btf = spec.btf!;
    const flows = map(spec, 'flows');
    expect(btf.types[flows.btfKeyTypeId]).toMatchObject({ kind: 'STRUCT', name: 'flow_key', size: 16 });
    expect(btf.types[flows.btfValueTypeId]).toMatchObject({ kind: 'STRUCT', name: 'flow_stats', size: 16 });
    expect(btf.types[map(spec, 'xdp_pars.rodata').btfValueTypeId]).toMatchObject({ kind: 'DATASEC', name: '.rodata', size: 8 });
  });

  it('appends the subprograms depth first and points every call at its new place', () => {
    const p = prog(spec, 'xdp_parse');
    expect(p.functions).toEqual([
      { name: 'xdp_parse', index: 0, slot: 0, global: true, length: 94, slots: 104 },
      { name: 'count_verdict', index: 94, slot: 104, global: true, length: 13, slots: 14 },
      { name: 'parse_ipv4', index: 107, slot: 118, global: false, length: 39, slots: 44 },
    ]);
    const starts = slotIndex(p.instructions);
    const targets = p.instructions
      .map((insn, i) => ({ insn, slot: starts[i]! }))
      .filter(({ insn }) => insn.opcode === 0x85 && insn.src === PseudoCall.LOCAL)
      .map(({ insn, slot }) => slot + insn.imm + 1);
    expect(new Set(targets)).toEqual(new Set([104, 118]));
  });

  it('leaves map and global data references symbolic, with the pseudo source and value offset set', () => {
    const p = prog(spec, 'xdp_parse');
    const rodata = p.relocations.find((r) => r.kind === 'map_value' && r.map === 'xdp_pars.rodata' && r.offset === 4)!;
    expect(rodata).toMatchObject({ index: 9, slot: 9 });
    expect(p.instructions[rodata.index]).toMatchObject({ opcode: 0x18, src: PseudoLdImm64.MAP_VALUE, imm: 0, imm2: 4 });
    const flows = p.relocations.filter((r) => r.kind === 'map' && r.map === 'flows');
    expect(flows).toHaveLength(3);
    for (const r of flows) expect(p.instructions[r.index]).toMatchObject({ src: PseudoLdImm64.MAP_FD, imm: 0 });
    expect(p.relocations.filter((r) => r.kind === 'map' && r.map === 'verdicts').map((r) => r.slot)).toEqual([107]);
  });

  it('rebases func_info and line_info onto the linked program, in slots', () => {
    const p = prog(spec, 'xdp_parse');
    const btf = spec.btf!;
    expect(p.funcInfo.map((f) => [f.insnOff, btf.types[f.typeId]!.name])).toEqual([
      [0, 'xdp_parse'],
      [104, 'count_verdict'],
      [118, 'parse_ipv4'],
    ]);
    expect(p.lineInfo[0]).toMatchObject({ insnOff: 0, fileName: './xdp_parser.c' });
    expect(p.lineInfo.every((l, i) => i === 0 || l.insnOff >= p.lineInfo[i - 1]!.insnOff)).toBe(true);
    expect(p.lineInfo.some((l) => l.insnOff >= 104 && l.line.includes('bpf_map_lookup_elem(&verdicts'))).toBe(true);
    expect(prog(spec, 'xdp_frags_pass').funcInfo.map((f) => f.insnOff)).toEqual([0, 4]);
  });

  it('fills DATASEC sizes and variable offsets so the kernel accepts the BTF', () => {
    const btf = spec.btf!;
    expect(() => validateBtf(btf)).not.toThrow();
    const rodata = btf.types.find((t) => t.kind === 'DATASEC' && t.name === '.rodata');
    expect(rodata).toMatchObject({ size: 8, vars: [{ offset: 0, size: 2 }, { offset: 4, size: 4 }] });
    const maps = btf.types.find((t) => t.kind === 'DATASEC' && t.name === '.maps');
    expect(maps).toMatchObject({ size: 64, vars: [{ offset: 0 }, { offset: 32 }] });
    const again = parseBtf(encodeBtf(btf));
    expect(again.types).toEqual(btf.types);
  });
});

describe('object spec - big-endian', () => {
  it('reads the bpfeb build of xdp_parser to the same maps and relocations as the bpfel one', () => {
    const le = read('xdp_parser');
    const be = read('xdp_parser.bpfeb');
    expect(be.endian).toBe('big');
    expect(be.maps.map((m) => ({ ...m, contents: undefined }))).toEqual(le.maps.map((m) => ({ ...m, contents: undefined })));
    expect(hex(map(be, 'xdp_pars.rodata').contents)).toBe('00000000000005ea');
    expect(be.btf!.types).toEqual(le.btf!.types);
    const kinds = (s: ObjectSpec): string[] => prog(s, 'xdp_parse').relocations.map((r) => `${r.kind}:${'map' in r ? r.map : ''}`);
    expect(kinds(be)).toEqual(kinds(le));
    expect(prog(be, 'xdp_parse').instructions.slice(0, 9)).toEqual(prog(le, 'xdp_parse').instructions.slice(0, 9));
  });
});

describe('object spec - tc_classifier', () => {
  const spec = read('tc_classifier');

  it('names custom data sections after themselves and keeps their contents', () => {
    expect(hex(map(spec, '.rodata.cfg').contents)).toBe('4200000001000000');
    expect(hex(map(spec, '.data.counters').contents)).toBe('00000000000000006400000000000000');
    expect(prog(spec, 'tcx_egress').relocations).toEqual([{ index: 0, slot: 0, kind: 'map_value', map: '.data.counters', offset: 8 }]);
  });
});

describe('object spec - tc_classifier hidden subprogram', () => {
  it('marks a hidden global subprogram static in BTF and in the program functions', () => {
    const spec = read('tc_classifier');
    const p = prog(spec, 'classify');
    expect(p.functions[1]).toEqual({ name: 'is_dropped', index: 44, slot: 47, global: false, length: 8, slots: 9 });
    expect(spec.btf!.types.find((t) => t.kind === 'FUNC' && t.name === 'is_dropped')).toMatchObject({ linkage: 0 });
    expect(spec.btf!.types.find((t) => t.kind === 'FUNC' && t.name === 'classify')).toMatchObject({ linkage: 1 });
    expect(p.relocations.slice(2)).toEqual([
      { index: 39, slot: 41, kind: 'map_value', map: '.rodata.cfg', offset: 0 },
      { index: 46, slot: 49, kind: 'map_value', map: '.rodata.cfg', offset: 4 },
    ]);
  });
});

describe('object spec - socket_filter (legacy maps)', () => {
  const spec = read('socket_filter');

  it('reads struct bpf_map_def definitions and the version section', () => {
    expect(spec.kernelVersion).toBe(0x050f00);
    expect(prog(spec, 'count_protocols').kernelVersion).toBe(0x050f00);
    expect(map(spec, 'seen_sockets')).toMatchObject({ sectionName: 'maps', btfKeyTypeId: 0, btfValueTypeId: 0 });
    expect(prog(spec, 'count_protocols').relocations.map((r) => [r.kind, 'map' in r ? r.map : '', r.index])).toEqual([
      ['map', 'proto_bytes', 12],
      ['map', 'seen_sockets', 21],
    ]);
  });
});

describe('object spec - tracing (CO-RE, externs, ring buffer)', () => {
  const spec = read('tracing');

  it('lists the externs in libbpf order with their .kconfig layout', () => {
    expect(spec.externs.map((e) => [e.name, e.kind, e.weak, e.kconfig?.type, e.kconfig?.offset])).toEqual([
      ['CONFIG_HZ', 'kconfig', true, 'int', 0],
      ['CONFIG_NF_CONNTRACK', 'kconfig', true, 'tristate', 4],
      ['LINUX_KERNEL_VERSION', 'kconfig', false, 'int', 8],
      ['CONFIG_BPF_SYSCALL', 'kconfig', false, 'bool', 12],
      ['LINUX_HAS_SYSCALL_WRAPPER', 'kconfig', false, 'bool', 13],
      ['bpf_prog_active', 'ksym', false, undefined, undefined],
      ['bpf_rcu_read_lock', 'ksym', true, undefined, undefined],
      ['bpf_rcu_read_unlock', 'ksym', true, undefined, undefined],
    ]);
    const ksym = spec.externs.find((e) => e.name === 'bpf_prog_active')!;
    expect(spec.btf!.types[ksym.ksym!.typeId]).toMatchObject({ kind: 'INT', name: 'int' });
    expect(map(spec, 'tracing.kconfig')).toMatchObject({ valueSize: 14, freeze: true, sectionName: '.kconfig' });
  });

  it('turns extern references into .kconfig map values and ksym references', () => {
    expect(prog(spec, 'check_file_open').relocations.filter((r) => r.kind === 'map_value' && r.extern)).toEqual([
      { index: 15, slot: 15, kind: 'map_value', map: 'tracing.kconfig', offset: 0, extern: 'CONFIG_HZ' },
      { index: 17, slot: 18, kind: 'map_value', map: 'tracing.kconfig', offset: 8, extern: 'LINUX_KERNEL_VERSION' },
    ]);
    const ksym = prog(spec, 'sample_cpu').relocations.find((r) => r.kind === 'ksym')!;
    expect(ksym).toEqual({ index: 14, slot: 17, kind: 'ksym', extern: 'bpf_prog_active' });
  });

  it('rewrites .kconfig and .ksyms in BTF the way libbpf does before loading it', () => {
    const btf = spec.btf!;
    const kconfig = btf.types.find((t) => t.kind === 'DATASEC' && t.name === '.kconfig');
    expect(kconfig).toMatchObject({ size: 14 });
    const ksyms = btf.types.find((t) => t.kind === 'DATASEC' && t.name === '.ksyms');
    expect(ksyms).toMatchObject({ size: 12, vars: [{ offset: 0, size: 4 }, { offset: 4, size: 4 }, { offset: 8, size: 4 }] });
    const dummy = btf.types.length - 1;
    expect(btf.types[dummy]).toMatchObject({ kind: 'VAR', name: 'dummy_ksym', linkage: 1 });
    expect(ksyms).toMatchObject({ vars: [{ type: dummy }, { type: dummy }, {}] });
    expect(btf.types.find((t) => t.kind === 'FUNC' && t.name === 'bpf_rcu_read_lock')).toMatchObject({ linkage: 1 });
    expect(btf.types.filter((t) => t.kind === 'VAR' && t.linkage === 2)).toEqual([]);
    expect(() => validateBtf(btf)).not.toThrow();
  });

  it('turns kfunc calls into BPF_PSEUDO_KFUNC_CALL references', () => {
    const p = prog(spec, 'sched_switch_btf');
    expect(p.relocations).toEqual([
      { index: 1, slot: 1, kind: 'kfunc', extern: 'bpf_rcu_read_lock' },
      { index: 13, slot: 13, kind: 'kfunc', extern: 'bpf_rcu_read_unlock' },
    ]);
    for (const r of p.relocations) expect(p.instructions[r.index]).toEqual({ opcode: 0x85, dst: 0, src: PseudoCall.KFUNC, off: 0, imm: 0 });
  });

  it('keeps CO-RE relocations per program with access strings and root types', () => {
    const btf = spec.btf!;
    const core = prog(spec, 'sched_switch').coreRelocations;
    expect(core.map((c) => [btf.types[c.typeId]!.name, c.accessStr, c.kind])).toEqual([
      ['task_struct', '0:0', 0],
      ['task_struct', '0:5', 2],
      ['task_struct', '0:5', 0],
      ['mm_struct', '0:2', 0],
      ['task_struct', '0:0', 0],
      ['task_struct', '0:1', 0],
      ['task_struct', '0:4', 0],
      ['task_struct', '0:3', 0],
    ]);
    const p = prog(spec, 'sched_switch');
    for (const c of core) expect(slotIndex(p.instructions)[c.index]).toBe(c.slot);
    expect(prog(spec, 'fexit_unlink').coreRelocations.find((c) => c.kind === 9)).toMatchObject({ accessStr: '0', access: [0] });
    expect(prog(spec, 'sample_cpu').coreRelocations.find((c) => c.kind === 11)).toMatchObject({ accessStr: '1' });
  });

  it('links a bpf_loop callback as a subprogram and points the lddw at it (BPF_PSEUDO_FUNC)', () => {
    const p = prog(spec, 'sample_cpu');
    const sub = p.functions[1]!;
    expect(sub).toMatchObject({ name: 'sum_step', global: false, slot: 80 });
    const ld = p.instructions[5] as Instruction;
    expect(ld).toMatchObject({ opcode: 0x18, src: PseudoLdImm64.FUNC });
    expect(5 + ld.imm + 1).toBe(sub.slot);
    expect(p.funcInfo.map((f) => f.insnOff)).toEqual([0, 80]);
  });

  it('rounds nothing when the ring buffer size is already a power-of-two number of pages', () => {
    expect(map(spec, 'events').maxEntries).toBe(256 * 1024);
  });
});

describe('object spec - map_in_map', () => {
  const spec = read('map_in_map');

  it('splits one section into its three programs', () => {
    expect(spec.programs.map((p) => [p.name, p.sectionOffset])).toEqual([
      ['tail_a', 0],
      ['tail_b', 16],
      ['dispatch', 32],
    ]);
  });

  it('reads the inner map template and the initial slots of a map-in-map', () => {
    const outer = map(spec, 'outer_array');
    expect(outer.innerMap).toMatchObject({ name: 'outer_array.inner', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 });
    expect(outer.initialSlots).toEqual([
      { slot: 0, kind: 'map', name: 'inner_a' },
      { slot: 2, kind: 'map', name: 'inner_b' },
    ]);
    expect(map(spec, 'outer_hash').innerMap).toMatchObject({ type: MapType.HASH, keySize: 8, valueSize: 4, maxEntries: 128 });
    expect(map(spec, 'outer_hash').initialSlots).toEqual([]);
  });

  it('fills a program array with its tail-call targets', () => {
    expect(map(spec, 'jump_table').initialSlots).toEqual([
      { slot: 0, kind: 'program', name: 'tail_a' },
      { slot: 1, kind: 'program', name: 'tail_b' },
    ]);
  });

  it('reads pinning, numa_node, map_extra, and rounds a ring buffer up to a power of two pages', () => {
    expect(map(spec, 'pinned_sessions')).toMatchObject({ pinning: 1, pinPath: '/sys/fs/bpf/pinned_sessions', numaNode: 1 });
    expect(map(spec, 'seen_ips').mapExtra).toBe(3);
    expect(map(spec, 'small_ring').maxEntries).toBe(8192);
    expect(readObject(objectBytes('map_in_map'), { pageSize: 65536 }).maps.find((m) => m.name === 'small_ring')!.maxEntries).toBe(65536);
  });
});

describe('object spec - options', () => {
  it('names global data maps after the name option, cut to 15 characters', () => {
    const spec = readObject(objectBytes('xdp_parser'), { name: 'a_very_long_object_name' });
    expect(spec.name).toBe('a_very_long_obj');
    expect(spec.maps.map((m) => m.name)).toContain('a_very_l.rodata');
  });

  it('defaults to the name "object" without a name or path', () => {
    expect(readObject(objectBytes('tracing')).maps.map((m) => m.name)).toContain('object.kconfig');
  });
});
