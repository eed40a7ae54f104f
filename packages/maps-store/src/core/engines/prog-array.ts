import { BpfError, MapType, ProgType } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import type { ObjectTable, ProgramInfo } from '../ports.js';
import type { MapSpec } from '../spec.js';
import { FdArrayMap, arrayFlags, checkFdArraySpec } from './fd-array.js';
import type { MapTypeSupport } from './types.js';

/** What a map remembers of the first program it met (struct bpf_map_owner); later ones must match. */
export interface MapOwner {
  readonly prog_type: number;
  readonly jited: boolean;
  readonly xdp_has_frags: boolean;
  readonly attach_func_proto?: number;
}

/** Program types whose attach_func_proto must match the owner's too. */
const PROTO_BOUND = new Set<number>([ProgType.TRACING, ProgType.LSM, ProgType.EXT, ProgType.STRUCT_OPS]);

/**
 * bpf_prog_map_compatible: the first program a map meets (one put in it, or one using it loaded)
 * becomes its owner; every later one must have the same type, JIT state and xdp_has_frags, and
 * for tracing-like types the same attach prototype. Returns whether `prog` may use or enter the
 * map; kernels call it at program load too, for every PROG_ARRAY (and DEVMAP, CPUMAP) a program uses.
 */
export class ProgramOwnership {
  #owner: MapOwner | undefined;

  get owner(): MapOwner | undefined {
    return this.#owner;
  }

  compatible(prog: ProgramInfo): boolean {
    const owner = this.#owner;
    if (!owner) {
      this.#owner = {
        prog_type: prog.prog_type,
        jited: prog.jited,
        xdp_has_frags: prog.xdp_has_frags,
        ...(prog.attach_func_proto !== undefined && { attach_func_proto: prog.attach_func_proto }),
      };
      return true;
    }
    if (owner.prog_type !== prog.prog_type || owner.jited !== prog.jited || owner.xdp_has_frags !== prog.xdp_has_frags) return false;
    return owner.attach_func_proto === prog.attach_func_proto || !PROTO_BOUND.has(prog.prog_type);
  }
}

/**
 * BPF_MAP_TYPE_PROG_ARRAY: the tail-call table. A slot holds a program: user space writes its id,
 * the map takes a reference through the `programs` port and checks it against the map's owner
 * (EBADF: no such program, EINVAL: another type or JIT state than the owner). A lookup gives
 * the program id back.
 *
 * For the kernel: slot i is the u32 at `base + 4 * i`, the prog id (0: empty), what bpf_tail_call
 * reads — an index past max_entries or an empty slot falls through. Without a `programs` port
 * (the maps-store hosting it) ids are kept unchecked.
 */
export class ProgArrayMap extends FdArrayMap {
  readonly ownership = new ProgramOwnership();
  protected readonly sysLookup = (id: number): number => id;

  constructor(
    spec: MapSpec,
    arena: Arena,
    private readonly programs: ObjectTable<ProgramInfo> | undefined,
  ) {
    super(spec, arena);
  }

  /** The program id bpf_tail_call(ctx, map, index) jumps to; 0 when there is none. */
  programAt(index: number): number {
    return this.slotAt(index);
  }

  protected take(id: number): number {
    if (!this.programs) return id;
    const prog = this.programs.acquire(id);
    if (!prog) throw new BpfError('EBADF', `update: no program with id ${id}`);
    if (!this.ownership.compatible(prog)) {
      this.programs.release(id);
      const owner = this.ownership.owner!;
      throw new BpfError('EINVAL', `update: program ${id} (type ${prog.prog_type}) does not match this map's owner (type ${owner.prog_type}, jited ${owner.jited})`);
    }
    return id;
  }

  protected drop(id: number): void {
    this.programs?.release(id);
  }
}

/** PROG_ARRAY: fd_array_map_alloc_check. */
export const progArrayMapType: MapTypeSupport = {
  allowedFlags: arrayFlags(MapType.PROG_ARRAY),
  check: checkFdArraySpec,
  create: (spec, arena, _cpus, ports) => new ProgArrayMap(spec, arena, ports?.programs),
};
