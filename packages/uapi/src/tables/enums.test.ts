import { describe, expect, it } from 'vitest';
import {
  ABI_ENUMS,
  AttachType,
  BpfCmd,
  LinkType,
  MapFlag,
  MapType,
  ProgType,
  UpdateFlag,
  type AbiEnumName,
} from '../generated/enums.js';
import {
  attachTypeName,
  bpfCmdName,
  enumKernelName,
  linkTypeName,
  lookupEnum,
  mapTypeName,
  parseAttachType,
  parseBpfCmd,
  parseEnum,
  parseLinkType,
  parseMapType,
  parseProgType,
  progTypeName,
} from './enums.js';

describe('tables - enum values match the kernel', () => {
  it.each([
    ['bpf_cmd', 'BPF_MAP_CREATE', 0],
    ['bpf_cmd', 'BPF_PROG_LOAD', 5],
    ['bpf_cmd', 'BPF_PROG_TEST_RUN', 10],
    ['bpf_cmd', 'BPF_PROG_RUN', 10],
    ['bpf_cmd', 'BPF_OBJ_GET_INFO_BY_FD', 15],
    ['bpf_cmd', 'BPF_LINK_CREATE', 28],
    ['bpf_cmd', 'BPF_PROG_BIND_MAP', 35],
    ['bpf_cmd', 'BPF_TOKEN_CREATE', 36],
    ['bpf_map_type', 'BPF_MAP_TYPE_UNSPEC', 0],
    ['bpf_map_type', 'BPF_MAP_TYPE_HASH', 1],
    ['bpf_map_type', 'BPF_MAP_TYPE_PERCPU_ARRAY', 6],
    ['bpf_map_type', 'BPF_MAP_TYPE_LPM_TRIE', 11],
    ['bpf_map_type', 'BPF_MAP_TYPE_CGROUP_STORAGE', 19],
    ['bpf_map_type', 'BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED', 19],
    ['bpf_map_type', 'BPF_MAP_TYPE_RINGBUF', 27],
    ['bpf_map_type', 'BPF_MAP_TYPE_USER_RINGBUF', 31],
    ['bpf_map_type', 'BPF_MAP_TYPE_CGRP_STORAGE', 32],
    ['bpf_map_type', 'BPF_MAP_TYPE_ARENA', 33],
    ['bpf_prog_type', 'BPF_PROG_TYPE_KPROBE', 2],
    ['bpf_prog_type', 'BPF_PROG_TYPE_SCHED_CLS', 3],
    ['bpf_prog_type', 'BPF_PROG_TYPE_XDP', 6],
    ['bpf_prog_type', 'BPF_PROG_TYPE_TRACING', 26],
    ['bpf_prog_type', 'BPF_PROG_TYPE_SYSCALL', 31],
    ['bpf_prog_type', 'BPF_PROG_TYPE_NETFILTER', 32],
    ['bpf_attach_type', 'BPF_CGROUP_INET_INGRESS', 0],
    ['bpf_attach_type', 'BPF_TRACE_FENTRY', 24],
    ['bpf_attach_type', 'BPF_XDP', 37],
    ['bpf_attach_type', 'BPF_TRACE_KPROBE_MULTI', 42],
    ['bpf_attach_type', 'BPF_LSM_CGROUP', 43],
    ['bpf_attach_type', 'BPF_TCX_INGRESS', 46],
    ['bpf_attach_type', 'BPF_TCX_EGRESS', 47],
    ['bpf_attach_type', 'BPF_TRACE_UPROBE_MULTI', 48],
    ['bpf_attach_type', 'BPF_NETKIT_PRIMARY', 54],
    ['bpf_attach_type', 'BPF_NETKIT_PEER', 55],
    ['bpf_attach_type', 'BPF_TRACE_KPROBE_SESSION', 56],
    ['bpf_link_type', 'BPF_LINK_TYPE_UNSPEC', 0],
    ['bpf_link_type', 'BPF_LINK_TYPE_PERF_EVENT', 7],
    ['bpf_link_type', 'BPF_LINK_TYPE_KPROBE_MULTI', 8],
    ['bpf_link_type', 'BPF_LINK_TYPE_NETFILTER', 10],
    ['bpf_link_type', 'BPF_LINK_TYPE_TCX', 11],
    ['bpf_link_type', 'BPF_LINK_TYPE_UPROBE_MULTI', 12],
    ['bpf_link_type', 'BPF_LINK_TYPE_NETKIT', 13],
    ['bpf_link_type', 'BPF_LINK_TYPE_SOCKMAP', 14],
  ] as const)('tables - %s %s is %i', (enumId: AbiEnumName, kernelName, value) => {
    expect(parseEnum(enumId, kernelName)).toBe(value);
  });

  it('tables - the as-const objects carry the same numbers', () => {
    expect(MapType.RINGBUF).toBe(27);
    expect(ProgType.XDP).toBe(6);
    expect(ProgType.NETFILTER).toBe(32);
    expect(AttachType.TRACE_KPROBE_MULTI).toBe(42);
    expect(LinkType.NETKIT).toBe(13);
    expect(BpfCmd.PROG_RUN).toBe(BpfCmd.PROG_TEST_RUN);
  });
});

describe('tables - parsing accepts every spelling', () => {
  it.each([
    ['map type accepts the uapi number', parseMapType(1), 1],
    ['map type accepts a decimal string', parseMapType('27'), 27],
    ['map type accepts the bpftool name', parseMapType('hash'), 1],
    ['map type accepts the kernel name', parseMapType('BPF_MAP_TYPE_HASH'), 1],
    ['map type accepts the bare kernel suffix', parseMapType('PERCPU_ARRAY'), 6],
    ['map type ignores case and surrounding space', parseMapType(' Ringbuf '), 27],
    ['map type accepts a kernel alias', parseMapType('BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED'), 19],
    ['prog type accepts the bpftool name', parseProgType('sched_cls'), 3],
    ['prog type accepts the kernel name', parseProgType('BPF_PROG_TYPE_CGROUP_SKB'), 8],
    ['attach type accepts the bpftool name', parseAttachType('cgroup_inet_ingress'), 0],
    ['attach type accepts the kernel name', parseAttachType('BPF_TCX_INGRESS'), 46],
    ['link type accepts the bpftool name', parseLinkType('uprobe_multi'), 12],
    ['bpf_cmd accepts the lower-case name', parseBpfCmd('prog_load'), 5],
    ['bpf_cmd accepts the alias PROG_RUN', parseBpfCmd('BPF_PROG_RUN'), 10],
  ])('tables - %s', (_title, actual, expected) => {
    expect(actual).toBe(expected);
  });

  it.each([
    ['an unknown name', 'no_such_map'],
    ['a number past the end', 999],
    ['a negative number', -1],
    ['a fraction', 1.5],
    ['a prefix of another enum', 'BPF_PROG_TYPE_XDP'],
    ['the empty string', ''],
  ])('tables - map type parsing returns undefined for %s', (_title, input) => {
    expect(parseMapType(input)).toBeUndefined();
  });
});

describe('tables - naming a value for printing', () => {
  it.each([
    ['map type', mapTypeName(1), 'hash'],
    ['map type', mapTypeName(6), 'percpu_array'],
    ['map type', mapTypeName(19), 'cgroup_storage'],
    ['prog type', progTypeName(3), 'sched_cls'],
    ['prog type', progTypeName(5), 'tracepoint'],
    ['prog type', progTypeName(2), 'kprobe'],
    ['prog type', progTypeName(8), 'cgroup_skb'],
    ['attach type', attachTypeName(0), 'cgroup_inet_ingress'],
    ['attach type', attachTypeName(23), 'trace_raw_tp'],
    ['link type', linkTypeName(1), 'raw_tracepoint'],
    ['link type', linkTypeName(7), 'perf_event'],
    ['link type', linkTypeName(8), 'kprobe_multi'],
    ['link type', linkTypeName(11), 'tcx'],
    ['bpf_cmd', bpfCmdName(0), 'map_create'],
  ])('tables - %s prints as bpftool does (%s)', (_kind, actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('tables - naming an unknown value returns undefined', () => {
    expect(mapTypeName(1000)).toBeUndefined();
    expect(enumKernelName('bpf_prog_type', -3)).toBeUndefined();
  });

  it('tables - the kernel name of a value is the prefixed canonical name', () => {
    expect(enumKernelName('bpf_cmd', 10)).toBe('BPF_PROG_TEST_RUN');
    expect(enumKernelName('bpf_attach_type', 37)).toBe('BPF_XDP');
  });
});

describe('tables - every enum is well formed', () => {
  it.each(Object.keys(ABI_ENUMS) as AbiEnumName[])('tables - %s has unique values and names', (enumId) => {
    const { entries } = ABI_ENUMS[enumId];
    const values = entries.map((e) => e.value);
    expect(new Set(values).size).toBe(values.length);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    // Counting enums are dense from 0; the flag enums are bits (and BPF_ANY = 0).
    if (enumId !== 'bpf_map_flags' && enumId !== 'bpf_update_flags') {
      expect(values[0]).toBe(0);
      expect(values.at(-1)).toBe(values.length - 1);
    }
    const bpftool = entries.map((e) => e.bpftool);
    expect(new Set(bpftool).size).toBe(bpftool.length);
    for (const e of entries) {
      expect(lookupEnum(enumId, e.bpftool)).toBe(e);
      expect(lookupEnum(enumId, e.kernel)).toBe(e);
      expect(lookupEnum(enumId, e.value)).toBe(e);
    }
  });
});

describe('tables - map and update flags', () => {
  it.each([
    ['NO_PREALLOC', 1],
    ['RDONLY_PROG', 128],
    ['MMAPABLE', 1024],
    ['INNER_MAP', 4096],
  ] as const)('tables - BPF_F_%s is %i', (name, value) => {
    expect(MapFlag[name]).toBe(value);
  });

  it('tables - update flags are BPF_ANY 0, BPF_NOEXIST 1, BPF_EXIST 2, BPF_F_LOCK 4', () => {
    expect(UpdateFlag).toEqual({ ANY: 0, NOEXIST: 1, EXIST: 2, F_LOCK: 4 });
  });
});
