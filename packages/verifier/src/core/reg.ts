/**
 * The state of one register (the kernel's `struct bpf_reg_state`), mutable in place as the
 * kernel's is. For scalars the bounds and tnum describe the value; for pointers they describe the
 * variable part of the offset, `off` holding the fixed part.
 */
import type { MapInfo } from './map-info.js';
import { RegType } from './reg-type.js';
import { TNUM_UNKNOWN, type Tnum } from './tnum.js';
import { S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32_MAX, U64_MAX } from './u64.js';

/** Liveness marks (REG_LIVE_*): READ is set on the parent state's copy, WRITTEN on the writer's. */
export const Live = { NONE: 0, READ: 1, WRITTEN: 2 } as const;

export class RegState {
  type: number = RegType.NOT_INIT;
  /** Fixed offset of a pointer. */
  off = 0;
  varOff: Tnum = TNUM_UNKNOWN;
  smin: bigint = S64_MIN;
  smax: bigint = S64_MAX;
  umin = 0n;
  umax: bigint = U64_MAX;
  s32min: number = S32_MIN;
  s32max: number = S32_MAX;
  u32min = 0;
  u32max: number = U32_MAX;
  /** Shared by registers that hold the same value (scalars) or the same object (maybe-null pointers, packet pointers). */
  id = 0;
  /** The reference this pointer holds (ringbuf records, sockets), released by a helper. */
  refObjId = 0;
  /** For CONST_PTR_TO_MAP, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY. */
  map: MapInfo | null = null;
  /** Packet pointers: bytes known to be in the packet after `off` (find_good_pkt_pointers). */
  range = 0;
  /** PTR_TO_MEM: size of the memory. */
  memSize = 0;
  /** PTR_TO_STACK: the frame the pointer points into. */
  frameno = 0;
  /** PTR_TO_FUNC: the subprogram. */
  subprogno = 0;
  /** PTR_TO_BTF_ID: the BTF id (of a kernel variable or struct). */
  btfId = 0;
  live = 0;
  /**
   * The same register (or stack slot) in the explored state this path continued from: a read not
   * preceded by a write in this path segment marks the parent READ (mark_reg_read).
   */
  parent: RegState | null = null;
  /** Precision mark (printed as `P`). */
  precise = false;

  copyFrom(o: RegState): this {
    this.type = o.type;
    this.off = o.off;
    this.varOff = o.varOff;
    this.smin = o.smin;
    this.smax = o.smax;
    this.umin = o.umin;
    this.umax = o.umax;
    this.s32min = o.s32min;
    this.s32max = o.s32max;
    this.u32min = o.u32min;
    this.u32max = o.u32max;
    this.id = o.id;
    this.refObjId = o.refObjId;
    this.map = o.map;
    this.range = o.range;
    this.memSize = o.memSize;
    this.frameno = o.frameno;
    this.subprogno = o.subprogno;
    this.btfId = o.btfId;
    this.live = o.live;
    this.parent = o.parent;
    this.precise = o.precise;
    return this;
  }

  clone(): RegState {
    const r = new RegState();
    r.type = this.type;
    r.off = this.off;
    r.varOff = this.varOff;
    r.smin = this.smin;
    r.smax = this.smax;
    r.umin = this.umin;
    r.umax = this.umax;
    r.s32min = this.s32min;
    r.s32max = this.s32max;
    r.u32min = this.u32min;
    r.u32max = this.u32max;
    r.id = this.id;
    r.refObjId = this.refObjId;
    r.map = this.map;
    r.range = this.range;
    r.memSize = this.memSize;
    r.frameno = this.frameno;
    r.subprogno = this.subprogno;
    r.btfId = this.btfId;
    r.live = this.live;
    r.parent = this.parent;
    r.precise = this.precise;
    return r;
  }

  /** Copies the value of `o` but keeps this register's liveness marks and parent (copy_register_state). */
  assignFrom(o: RegState): this {
    const live = this.live;
    const parent = this.parent;
    this.copyFrom(o);
    this.live = live;
    this.parent = parent;
    return this;
  }
}

/** The registers r0..r10. */
export const MAX_BPF_REG = 11;
export const FP = 10;
