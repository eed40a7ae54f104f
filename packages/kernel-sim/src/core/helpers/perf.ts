import type { BpfMap } from '@bpfhive/maps-store';
import type { CallEnv } from '@bpfhive/jit';
import { type CtxLayout, HelperId, MapType, ProgType, SK_BUFF, XDP_MD } from '@bpfhive/uapi';
import { structLayout } from '../../kbtf/struct-layout.js';
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
const SKB_OUTPUT = new Set<number>([
  ProgType.SOCKET_FILTER, ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.CGROUP_SKB, ProgType.SK_SKB,
  ProgType.LWT_IN, ProgType.LWT_OUT, ProgType.LWT_XMIT, ProgType.LWT_SEG6LOCAL,
]);

const field = (layout: CtxLayout, name: string): number => {
  const member = layout.members.find((m) => m.name === name);
  if (!member) throw new Error(`${layout.struct} has no ${name}`);
  return member.offset;
};
const SKB_DATA = field(SK_BUFF, 'data');
const SKB_DATA_END = field(SK_BUFF, 'data_end');
const XDP_DATA = field(XDP_MD, 'data');
const XDP_DATA_END = field(XDP_MD, 'data_end');
/** Where the kernel's struct sk_buff and struct xdp_buff keep their packet (the kernel BTF's layouts, read on first use). */
let kernelLayouts: { readonly skb: { data: number; len: number }; readonly xdp: { data: number; dataEnd: number } } | undefined;
const kernelPacketFields = () =>
  (kernelLayouts ??= {
    skb: { data: structLayout('sk_buff').field('data').offset, len: structLayout('sk_buff').field('len').offset },
    xdp: { data: structLayout('xdp_buff').field('data').offset, dataEnd: structLayout('xdp_buff').field('data_end').offset },
  });

/** A packet's bytes as bpf_event_output's ctx_copy reads them: linear, from `data`, `len` long. */
interface PacketBytes {
  readonly data: number;
  readonly len: number;
}

/**
 * The perf_event_output family (kernel/trace/bpf_trace.c, net/core/filter.c): a sample of `size`
 * bytes at `data`, optionally followed by packet bytes, written to the perf event in a
 * PERF_EVENT_ARRAY slot. Which one a program gets:
 * - bpf_perf_event_output (tracing and the others): flags is BPF_F_CURRENT_CPU or a slot index;
 *   any other bit is -EINVAL;
 * - bpf_perf_event_output from skb programs (bpf_skb_event_output: socket filter, tc, cgroup skb,
 *   sk_skb, lwt) and XDP (bpf_xdp_event_output): flags may also carry a length in BPF_F_CTXLEN_MASK, and
 *   that many bytes of the packet, from its start (skb->data, xdp->data), follow the sample;
 *   -EFAULT when the packet is shorter (skb->len, xdp_get_buff_len). The bytes are read through
 *   the context's data/data_end, which also works in a batch of runs;
 * - bpf_skb_output / bpf_xdp_output (BTF tracing programs — fentry/fexit, tp_btf — and LSM ones,
 *   given a kernel `struct sk_buff *` or `struct xdp_buff *`): the same as skb's and XDP's, the
 *   packet read through the kernel struct (sk_buff's data and len, xdp_buff's data and data_end,
 *   laid out by the kernel BTF); a NULL struct is -EFAULT. No hook of the simulated kernel passes
 *   such a struct yet (no traced function takes one), so only a program given its address runs them.
 * Packets here are linear (no paged data, no XDP fragments). The engine resolves the slot and
 * hands the sample to the perf event there (maps-store's PerfEventArrayMap: -E2BIG past the end,
 * -ENOENT for an empty slot, -EOPNOTSUPP for an event of another CPU) and the event's buffer may
 * answer -ENOSPC (kernel-sim perf/perf-events.ts).
 */
export function perfHelpers(kernel: KernelServices): HelperDef[] {
  const { memory } = kernel;
  /** The packet bytes [data, data_end) of the context at `ctx` whose data fields are at these offsets. */
  const packetOf = (ctx: number, dataAt: number, endAt: number): PacketBytes => {
    const data = memory.u32(ctx + dataAt);
    return { data, len: memory.u32(ctx + endAt) - data };
  };
  /**
   * bpf_event_output with the packet bytes `packet()` gives (undefined: -EFAULT), `(flags &
   * BPF_F_CTXLEN_MASK) >> 32` of them after the sample; -EINVAL for flag bits outside the index
   * and that length.
   */
  const outputWithPacket = (env: CallEnv, m: bigint, flags: bigint, data: bigint, size: bigint, packet: () => PacketBytes | undefined): bigint => {
    const { map } = mapArg(kernel, m);
    if (!isPerfEventArray(map) || (flags & ~(BPF_F_INDEX_MASK | BPF_F_CTXLEN_MASK)) !== 0n) return negErrno('EINVAL');
    const ctxLen = Number((flags & BPF_F_CTXLEN_MASK) >> 32n);
    const bytes = packet();
    if (!bytes || ctxLen > bytes.len) return negErrno('EFAULT');
    const meta = memory.bytes(ptr(data), Number(size));
    const sample = new Uint8Array(meta.length + ctxLen);
    sample.set(meta);
    if (ctxLen > 0) {
      const from = memory.tryBytes(bytes.data, ctxLen);
      if (!from) return negErrno('EFAULT');
      sample.set(from, meta.length);
    }
    return BigInt(map.output(cpuOf(env).index, Number(flags & BPF_F_INDEX_MASK), sample));
  };
  /** A kernel struct's field as an address (a pointer field) or a number. */
  const kernelField = (struct: number, at: number, size: 4 | 8): number => (size === 8 ? Number(memory.u64(struct + at)) : memory.u32(struct + at));
  /** The kernel sk_buff at `skb`: skb->data and skb->len; undefined for NULL. */
  const kernelSkb = (skb: bigint): PacketBytes | undefined => {
    if (skb === 0n) return undefined;
    const at = kernelPacketFields().skb;
    return { data: kernelField(ptr(skb), at.data, 8), len: kernelField(ptr(skb), at.len, 4) };
  };
  /** The kernel xdp_buff at `xdp`: xdp->data and data_end - data; undefined for NULL. */
  const kernelXdp = (xdp: bigint): PacketBytes | undefined => {
    if (xdp === 0n) return undefined;
    const at = kernelPacketFields().xdp;
    const data = kernelField(ptr(xdp), at.data, 8);
    return { data, len: kernelField(ptr(xdp), at.dataEnd, 8) - data };
  };
  return [
    {
      id: HelperId.perf_event_output,
      fn: ([ctx, m, flags, data, size], env) => {
        const type = cpuOf(env).run.program.type;
        if (type === ProgType.XDP) return outputWithPacket(env, m, flags, data, size, () => packetOf(ptr(ctx), XDP_DATA, XDP_DATA_END));
        if (SKB_OUTPUT.has(type)) return outputWithPacket(env, m, flags, data, size, () => packetOf(ptr(ctx), SKB_DATA, SKB_DATA_END));
        const { map } = mapArg(kernel, m);
        if (!isPerfEventArray(map) || (flags & ~BPF_F_INDEX_MASK) !== 0n) return negErrno('EINVAL');
        return BigInt(map.output(cpuOf(env).index, Number(flags), memory.bytes(ptr(data), Number(size)).slice()));
      },
    },
    { id: HelperId.skb_output, fn: ([skb, m, flags, data, size], env) => outputWithPacket(env, m, flags, data, size, () => kernelSkb(skb)) },
    { id: HelperId.xdp_output, fn: ([xdp, m, flags, data, size], env) => outputWithPacket(env, m, flags, data, size, () => kernelXdp(xdp)) },
  ];
}
