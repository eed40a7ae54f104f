import { BpfError, MapType } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import type { PerfEventInfo, PerfEventPort } from '../ports.js';
import type { MapSpec } from '../spec.js';
import { FdArrayMap, arrayFlags, checkFdArraySpec } from './fd-array.js';
import { negErrno } from './queue-stack.js';
import type { MapTypeSupport } from './types.js';

/** bpf_perf_event_output / read flags: the low 32 bits pick the slot; BPF_F_CURRENT_CPU picks the caller's CPU. */
export const BPF_F_INDEX_MASK = 0xffffffff;
export const BPF_F_CURRENT_CPU = BPF_F_INDEX_MASK;

/**
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY: one perf event per slot, usually one per CPU (slot = CPU).
 * User space writes the id of a perf event it opened (a perf buffer reader's, here); the map
 * takes a reference through the `perfEvents` port: EBADF when there is no such event, EOPNOTSUPP
 * when it cannot be read locally. A syscall lookup is ENOTSUPP (the kernel has no way to name a
 * perf event back).
 *
 * max_entries must be at least 1, as the kernel requires: sizing it to the number of CPUs when a
 * BTF map definition leaves it 0 is the loader's job (libbpf does it).
 *
 * The program side: output() is bpf_perf_event_output, eventAt() the slot resolution that
 * bpf_perf_event_read / read_value share.
 */
export class PerfEventArrayMap extends FdArrayMap {
  protected readonly sysLookup = undefined;
  /** What the port said of each event in a slot, with how many slots hold it. */
  readonly #events = new Map<number, { info: PerfEventInfo; slots: number }>();

  constructor(
    spec: MapSpec,
    arena: Arena,
    private readonly perfEvents: PerfEventPort | undefined,
  ) {
    super(spec, arena);
  }

  protected take(id: number): number {
    if (!this.perfEvents) return id;
    const event = this.perfEvents.acquire(id);
    if (!event) throw new BpfError('EBADF', `update: no perf event with id ${id}`);
    if (!event.readable) {
      this.perfEvents.release(id);
      throw new BpfError('EOPNOTSUPP', `update: perf event ${id} cannot be read from this CPU's context (an inherited or remote event)`);
    }
    const held = this.#events.get(id);
    if (held) held.slots++;
    else this.#events.set(id, { info: event, slots: 1 });
    return id;
  }

  protected drop(id: number): void {
    if (!this.perfEvents) return;
    const held = this.#events.get(id);
    if (held && --held.slots === 0) this.#events.delete(id);
    this.perfEvents.release(id);
  }

  /**
   * The perf event bpf_perf_event_output / read use from `cpu` with `flags` (a u64 as a number):
   * its id, or -EINVAL for bits above BPF_F_INDEX_MASK, -E2BIG for a slot past the end, -ENOENT
   * for an empty slot.
   */
  eventAt(cpu: number, flags: number): number {
    if (!Number.isSafeInteger(flags) || flags < 0 || flags > BPF_F_INDEX_MASK) return negErrno('EINVAL');
    const index = flags === BPF_F_CURRENT_CPU ? cpu : flags;
    if (index >= this.spec.max_entries) return negErrno('E2BIG');
    const id = this.slotAt(index);
    return id === 0 ? negErrno('ENOENT') : id;
  }

  /**
   * bpf_perf_event_output(ctx, map, flags, data, size) from `cpu`: 0 or a negative errno — the
   * slot's errors (eventAt), -EINVAL when the event is not a BPF output event, -EOPNOTSUPP when it
   * is bound to another CPU, else whatever the port's output answers.
   */
  output(cpu: number, flags: number, sample: Uint8Array): number {
    const id = this.eventAt(cpu, flags);
    if (id < 0) return id;
    const event = this.#events.get(id)?.info;
    if (!event || !this.perfEvents) return negErrno('ENOENT');
    if (!event.bpf_output) return negErrno('EINVAL');
    if (event.cpu !== cpu) return negErrno('EOPNOTSUPP');
    return this.perfEvents.output(id, cpu, sample);
  }
}

/** PERF_EVENT_ARRAY: fd_array_map_alloc_check; BPF_F_PRESERVE_ELEMS is accepted (entries here never depend on a file). */
export const perfEventArrayMapType: MapTypeSupport = {
  allowedFlags: arrayFlags(MapType.PERF_EVENT_ARRAY),
  check: checkFdArraySpec,
  create: (spec, arena, _cpus, ports) => new PerfEventArrayMap(spec, arena, ports?.perfEvents),
};
