import { HelperId } from '@bpfhive/uapi';
import { type HelperDef, type KernelServices, negErrno, ptr, u32 } from './common.js';
import { ringOfHandle, ringOfSample } from './ringbuf.js';

/**
 * The dynptr helpers (kernel/bpf/helpers.c, kernel/bpf/ringbuf.c) over `struct bpf_dynptr_kern`,
 * the 16 bytes the program keeps on its stack:
 *   u64 data     the start of the memory (0: a NULL dynptr, after a failed init or a release)
 *   u32 size     bits 0-23 the size, 28-30 the type (1 local, 2 ringbuf), 31 read-only
 *   u32 offset   where the dynptr's view starts in that memory
 * Return codes are Linux's: -EINVAL for flags or a NULL dynptr, -E2BIG for sizes above 16 MiB - 1
 * or an offset and length past the end, -EAGAIN when the ring buffer is full (the dynptr is NULL
 * then, and must still be discarded). bpf_dynptr_data returns NULL for what it cannot give.
 */
export const DynptrType = { LOCAL: 1, RINGBUF: 2 } as const;

const SIZE_MASK = 0xffffff;
const TYPE_SHIFT = 28;
const RDONLY_BIT = 0x80000000;

interface DynptrView {
  readonly data: number;
  readonly size: number;
  readonly offset: number;
  readonly rdonly: boolean;
}

export function dynptrHelpers(kernel: KernelServices): HelperDef[] {
  const mem = kernel.memory;
  const read = (at: number): DynptrView => {
    const word = mem.u32(at + 8);
    return { data: Number(mem.u64(at)), size: word & SIZE_MASK, offset: mem.u32(at + 12), rdonly: (word & RDONLY_BIT) !== 0 };
  };
  const init = (at: number, data: number, type: number, size: number): void => {
    mem.setU32(at, data);
    mem.setU32(at + 4, 0);
    mem.setU32(at + 8, ((size & SIZE_MASK) | (type << TYPE_SHIFT)) >>> 0);
    mem.setU32(at + 12, 0);
  };
  const setNull = (at: number): void => void mem.bytes(at, 16).fill(0);
  /** bpf_dynptr_check_off_len: [offset, offset + len) inside the dynptr's size. */
  const inside = (d: DynptrView, offset: number, len: number): boolean => offset <= d.size && len <= d.size - offset;
  const release = (dynptr: bigint, flags: bigint, how: 'submit' | 'discard'): bigint => {
    const at = ptr(dynptr);
    const d = read(at);
    if (d.data !== 0) {
      const ring = ringOfSample(kernel, d.data);
      if (how === 'submit') ring.submit(d.data, u32(flags));
      else ring.discard(d.data, u32(flags));
    }
    setNull(at);
    return 0n;
  };
  return [
    {
      id: HelperId.dynptr_from_mem,
      fn: ([data, size, flags, dynptr]) => {
        const at = ptr(dynptr);
        if (flags !== 0n) {
          setNull(at);
          return negErrno('EINVAL');
        }
        if (u32(size) > SIZE_MASK) {
          setNull(at);
          return negErrno('E2BIG');
        }
        init(at, ptr(data), DynptrType.LOCAL, u32(size));
        return 0n;
      },
    },
    {
      id: HelperId.ringbuf_reserve_dynptr,
      fn: ([map, size, flags, dynptr]) => {
        const at = ptr(dynptr);
        const ring = ringOfHandle(kernel, map);
        if (!ring || flags !== 0n) {
          setNull(at);
          return negErrno('EINVAL');
        }
        if (u32(size) > SIZE_MASK || size > 0xffffffffn) {
          setNull(at);
          return negErrno('E2BIG');
        }
        const sample = ring.reserve(u32(size), 0);
        if (!sample) {
          setNull(at);
          return negErrno('EAGAIN');
        }
        init(at, sample, DynptrType.RINGBUF, u32(size));
        return 0n;
      },
    },
    { id: HelperId.ringbuf_submit_dynptr, fn: ([dynptr, flags]) => release(dynptr, flags, 'submit') },
    { id: HelperId.ringbuf_discard_dynptr, fn: ([dynptr, flags]) => release(dynptr, flags, 'discard') },
    {
      id: HelperId.dynptr_read,
      fn: ([dst, len, src, offset, flags]) => {
        const d = read(ptr(src));
        if (!d.data || flags !== 0n) return negErrno('EINVAL');
        if (!inside(d, u32(offset), u32(len))) return negErrno('E2BIG');
        const from = mem.bytes(d.data + d.offset + u32(offset), u32(len));
        mem.bytes(ptr(dst), u32(len)).set(from.slice());
        return 0n;
      },
    },
    {
      id: HelperId.dynptr_write,
      fn: ([dst, offset, src, len, flags]) => {
        const d = read(ptr(dst));
        if (!d.data || d.rdonly || flags !== 0n) return negErrno('EINVAL');
        if (!inside(d, u32(offset), u32(len))) return negErrno('E2BIG');
        const from = mem.bytes(ptr(src), u32(len)).slice();
        mem.bytes(d.data + d.offset + u32(offset), u32(len)).set(from);
        return 0n;
      },
    },
    {
      id: HelperId.dynptr_data,
      fn: ([dynptr, offset, len]) => {
        const d = read(ptr(dynptr));
        if (!d.data || d.rdonly || !inside(d, u32(offset), u32(len))) return 0n;
        return BigInt(d.data + d.offset + u32(offset));
      },
    },
  ];
}
