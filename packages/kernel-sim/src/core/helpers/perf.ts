import type { BpfMap } from '@bpfhive/maps-store';
import { type CtxLayout, HelperId, MapType, ProgType, SK_BUFF, XDP_MD } from '@bpfhive/uapi';
import { type HelperDef, type KernelServices, cpuOf, mapArg, negErrno, ptr } from './common.js';

/** The program side of maps-store's PERF_EVENT_ARRAY engine. */
interface PerfEventArray extends BpfMap {
  /** bpf_perf_event_output from `cpu`: 0 or a negative errno (slot, event and output errors). */
  output(cpu: number, flags: number, sample: Uint8Array): number;
}

const isPerfEventArray = (map: BpfMap): map is PerfEventArray => map.spec.map_type === MapType.PERF_EVENT_ARRAY && 'output' in map;

/** The flags' slot index (BPF_F_INDEX_MASK) and, for skb and xdp output, how many packet bytes to append (BPF_F_CTXLEN_MASK). */
export const BPF_F_INDEX_MASK = 0xffff_ffffn;
export const BPF_F_CTXLEN_MASK = 0xf_ffffn << 32n;

/** Program types whose perf_event_output is bpf_skb_event_output (net/core/filter.c): ctx is a __sk_buff. */
const SKB_OUTPUT = new Set<number>([ProgType.SOCKET_FILTER, ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.CGROUP_SKB, ProgType.LWT_IN, ProgType.LWT_OUT, ProgType.LWT_XMIT, ProgType.LWT_SEG6LOCAL]);

const field = (layout: CtxLayout, name: string): number => {
  const member = layout.members.find((m) => m.name === name);
  if (!member) throw new Error(`${layout.struct} has no ${name}`);
  return member.offset;
};
const SKB_DATA = field(SK_BUFF, 'data');
const SKB_DATA_END = field(SK_BUFF, 'data_end');
const XDP_DATA = field(XDP_MD, 'data');
const XDP_DATA_END = field(XDP_MD, 'data_end');

/**
 * bpf_perf_event_output(ctx, map, flags, data, size) (kernel/trace/bpf_trace.c), in the flavour
 * the program type gets:
 * - tracing and the others: flags is BPF_F_CURRENT_CPU or a slot index; any other bit is -EINVAL;
 * - skb programs (bpf_skb_event_output) and XDP (bpf_xdp_event_output): flags may also carry a
 *   length in BPF_F_CTXLEN_MASK, and that many bytes of the packet (from `data`) follow the
 *   sample; -EFAULT when the packet is shorter. Packets here are linear, so the bytes are read
 *   through the context's data/data_end, which also works in a batch of runs.
 * The engine resolves the slot and hands the sample to the perf event there (maps-store's
 * PerfEventArrayMap: -E2BIG past the end, -ENOENT for an empty slot, -EOPNOTSUPP for an event of
 * another CPU) and the event's buffer may answer -ENOSPC (kernel-sim perf/perf-events.ts).
 * bpf_skb_output / bpf_xdp_output (BTF tracing programs with a kernel sk_buff or xdp_buff) are
 * not provided: the kernel-sim has no such kernel objects to read.
 */
export function perfHelpers(kernel: KernelServices): HelperDef[] {
  const { memory } = kernel;
  /** The packet bytes [data, data_end) of the context at `ctx` whose data fields are at these offsets. */
  const packetOf = (ctx: number, dataAt: number, endAt: number): { data: number; len: number } => {
    const data = memory.u32(ctx + dataAt);
    return { data, len: memory.u32(ctx + endAt) - data };
  };
  return [
    {
      id: HelperId.perf_event_output,
      fn: ([ctx, m, flags, data, size], env) => {
        const { map } = mapArg(kernel, m);
        const type = cpuOf(env).run.program.type;
        const withPacket = type === ProgType.XDP || SKB_OUTPUT.has(type);
        if (!isPerfEventArray(map) || (flags & ~(withPacket ? BPF_F_INDEX_MASK | BPF_F_CTXLEN_MASK : BPF_F_INDEX_MASK)) !== 0n) return negErrno('EINVAL');
        const ctxLen = Number((flags & BPF_F_CTXLEN_MASK) >> 32n);
        const meta = memory.bytes(ptr(data), Number(size));
        let sample: Uint8Array;
        if (ctxLen === 0) {
          sample = meta.slice();
        } else {
          const packet = type === ProgType.XDP ? packetOf(ptr(ctx), XDP_DATA, XDP_DATA_END) : packetOf(ptr(ctx), SKB_DATA, SKB_DATA_END);
          if (ctxLen > packet.len) return negErrno('EFAULT');
          sample = new Uint8Array(meta.length + ctxLen);
          sample.set(meta);
          sample.set(memory.bytes(packet.data, ctxLen), meta.length);
        }
        return BigInt(map.output(cpuOf(env).index, Number(flags & BPF_F_INDEX_MASK), sample));
      },
    },
  ];
}
