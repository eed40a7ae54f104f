import { type LinkInfoReply, linkTypeName } from '@bpfhive/uapi';
import { PerfEventType } from './flags.js';
import type { BpfLink } from './link.js';

/** What BPF_OBJ_GET_INFO_BY_FD tells about a link: struct bpf_link_info's fields (the wire's link info reply). */
export type LinkInfo = LinkInfoReply;

/** The BTF object id of vmlinux, as Linux numbers it (the first BTF object). */
const VMLINUX_BTF_OBJ_ID = 1;

const hex = (address: bigint): string => `0x${address.toString(16)}`;

/**
 * bpf_link_info of `link`: the common part (id, type, prog_id) and the part of its kind. A
 * detached XDP or TCX link reports ifindex 0, as Linux does once the device let go; prog_id
 * stays the last program it ran.
 */
export function linkInfo(link: BpfLink): LinkInfo {
  const base = {
    id: link.id,
    type: link.type,
    type_name: linkTypeName(link.type) ?? String(link.type),
    prog_id: link.program.id,
    attach_type: link.attachType,
    detached: link.detached,
  };
  const t = link.target;
  switch (t.kind) {
    case 'xdp':
      return { ...base, xdp: { ifindex: link.detached ? 0 : t.ifindex, mode: t.mode } };
    case 'tcx':
      return { ...base, tcx: { ifindex: link.detached ? 0 : t.ifindex, attach_type: link.attachType } };
    case 'cgroup':
      return { ...base, cgroup: { cgroup_id: Number(t.cgroupId), attach_type: t.attachType } };
    case 'tracepoint':
      return { ...base, perf_event: { type: PerfEventType.TRACEPOINT, tracepoint: { tp_name: t.name, cookie: Number(t.cookie) } } };
    case 'kprobe':
      return {
        ...base,
        perf_event: {
          type: t.retprobe ? PerfEventType.KRETPROBE : PerfEventType.KPROBE,
          kprobe: { func_name: t.func.name, offset: 0, addr: hex(t.func.address), missed: 0, cookie: Number(t.func.cookie) },
        },
      };
    case 'kprobe_multi':
      return {
        ...base,
        kprobe_multi: {
          count: t.funcs.length,
          flags: t.retprobe ? 1 : 0,
          missed: 0,
          syms: t.funcs.map((f) => f.name),
          addrs: t.funcs.map((f) => hex(f.address)),
          cookies: t.funcs.map((f) => Number(f.cookie)),
        },
      };
    case 'raw_tracepoint':
      return { ...base, raw_tracepoint: { tp_name: t.name } };
    case 'perf_event':
      return { ...base, perf_event: { type: PerfEventType.EVENT, event: { type: t.event.type, config: t.event.config, cookie: Number(t.cookie) } } };
    case 'tracing':
      return {
        ...base,
        tracing: { attach_type: link.attachType, target_obj_id: VMLINUX_BTF_OBJ_ID, target_btf_id: t.btfId, target_name: t.func.name, cookie: Number(t.func.cookie) },
      };
  }
}
