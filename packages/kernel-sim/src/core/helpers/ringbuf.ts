import type { BpfMap } from '@bpfhive/maps-store';
import { HelperId, MapType } from '@bpfhive/uapi';
import { type HelperDef, type KernelServices, mapArg, negErrno, ptr, u32 } from './common.js';

/** The program side of maps-store's RINGBUF engine. */
export interface RingBuffer extends BpfMap {
  readonly base: number;
  reserve(size: number, flags: number): number;
  submit(sample: number, flags: number): number;
  discard(sample: number, flags: number): number;
  output(data: number, size: number, flags: number): number;
  query(flags: number): number;
}

const isRing = (map: BpfMap): map is RingBuffer => map.spec.map_type === MapType.RINGBUF && 'reserve' in map;

const PAGE = 4096;
const HEADER = 8;

/** The ring buffer a map pointer names; undefined for another map type. */
export function ringOfHandle(kernel: KernelServices, handle: bigint): RingBuffer | undefined {
  const { map } = mapArg(kernel, handle);
  return isRing(map) ? map : undefined;
}

/** The ring buffer a reserved record is in, found as Linux finds it (bpf_ringbuf_restore_from_rec). */
export function ringOfSample(kernel: KernelServices, sample: number): RingBuffer {
  const header = sample - HEADER;
  const base = Math.floor(header / PAGE) * PAGE - kernel.memory.u32(header + 4) * PAGE;
  const found = kernel.maps.all().find((held) => isRing(held.map) && held.map.base === base)?.map;
  if (!found || !isRing(found)) throw new Error(`0x${sample.toString(16)} is not a ring buffer record`);
  return found;
}

/**
 * The ring buffer helpers (kernel/bpf/ringbuf.c) over maps-store's RINGBUF engine: output,
 * reserve (the sample's address, NULL when full), submit, discard, query. submit and discard get
 * only the sample: the ring is found as Linux finds it, from the page offset in the record's
 * header (bpf_ringbuf_restore_from_rec).
 */
export function ringbufHelpers(kernel: KernelServices): HelperDef[] {
  const ring = (handle: bigint): RingBuffer | undefined => ringOfHandle(kernel, handle);
  return [
    {
      id: HelperId.ringbuf_output,
      fn: ([m, data, size, flags]) => {
        const rb = ring(m);
        return rb ? BigInt(rb.output(ptr(data), Number(size), Number(flags))) : negErrno('EINVAL');
      },
    },
    {
      id: HelperId.ringbuf_reserve,
      fn: ([m, size, flags]) => BigInt(ring(m)?.reserve(Number(size), Number(flags)) ?? 0),
    },
    { id: HelperId.ringbuf_submit, fn: ([sample, flags]) => BigInt(ringOfSample(kernel, ptr(sample)).submit(ptr(sample), u32(flags))) },
    { id: HelperId.ringbuf_discard, fn: ([sample, flags]) => BigInt(ringOfSample(kernel, ptr(sample)).discard(ptr(sample), u32(flags))) },
    { id: HelperId.ringbuf_query, fn: ([m, flags]) => BigInt(ring(m)?.query(Number(flags)) ?? 0) },
  ];
}
