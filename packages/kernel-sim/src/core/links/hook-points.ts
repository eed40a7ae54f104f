import type { BpfLink } from './link.js';

/** The name of one attach point, as HookKeys builds it. */
export type HookKey = string & { readonly __hookKey: unique symbol };

const key = (text: string): HookKey => text as HookKey;

/** The attach points hooks look links up by. */
export const HookKeys = {
  /** XDP of device `ifindex` in one mode (at most one link each; one mode active at a time). */
  xdp: (ifindex: number, mode: 'skb' | 'drv') => key(`xdp:${ifindex}:${mode}`),
  tc: (ifindex: number, direction: 'ingress' | 'egress') => key(`tc:${ifindex}:${direction}`),
  /** A cgroup's own programs for an attach type. */
  cgroup: (cgroupId: bigint, attachType: number) => key(`cgroup:${cgroupId}:${attachType}`),
  /** perf_event tracepoints: TRACEPOINT programs. */
  tracepoint: (category: string, name: string) => key(`tp:${category}/${name}`),
  /** Raw tracepoints: RAW_TRACEPOINT programs and tp_btf. */
  rawTracepoint: (name: string) => key(`raw:${name}`),
  kprobe: (func: string, retprobe: boolean) => key(`${retprobe ? 'kretprobe' : 'kprobe'}:${func}`),
  fentry: (func: string, exit: boolean) => key(`${exit ? 'fexit' : 'fentry'}:${func}`),
  /** A sampling perf event (PERF_EVENT programs; at most one link, as an event has one program). */
  perfEvent: (eventId: number) => key(`perf:${eventId}`),
} as const;

const NONE: readonly BpfLink[] = Object.freeze([]);

/**
 * The links on every attach point, in the order they run, and a revision per point that grows
 * with every change (bpf_mprog's revision, which TCX's expected_revision checks). The link table
 * changes it; hooks only read it. Reading a list is a map lookup: the lists are replaced, never
 * mutated, so a hook iterating one is not disturbed by an attach in the middle.
 */
export class HookPoints {
  readonly #lists = new Map<HookKey, readonly BpfLink[]>();
  readonly #revisions = new Map<HookKey, number>();
  #version = 0;

  /** The links on `point`, in run order. */
  list(point: HookKey): readonly BpfLink[] {
    return this.#lists.get(point) ?? NONE;
  }

  /** The revision of `point`: 1 before any change, +1 per change. */
  revision(point: HookKey): number {
    return this.#revisions.get(point) ?? 1;
  }

  /** The points that have links. */
  keys(): IterableIterator<HookKey> {
    return this.#lists.keys();
  }

  /** Grows with every change anywhere (for caches of what is attached). */
  get version(): number {
    return this.#version;
  }

  /** Inserts `link` at `index` of `point`'s list (default: the end). */
  insert(point: HookKey, link: BpfLink, index?: number): void {
    const list = [...this.list(point)];
    list.splice(index ?? list.length, 0, link);
    this.#set(point, list);
  }

  /** Takes `link` off `point`; false when it was not there. */
  remove(point: HookKey, link: BpfLink): boolean {
    const list = this.list(point);
    if (!list.includes(link)) return false;
    this.#set(
      point,
      list.filter((l) => l !== link),
    );
    return true;
  }

  #set(point: HookKey, list: readonly BpfLink[]): void {
    if (list.length === 0) this.#lists.delete(point);
    else this.#lists.set(point, Object.freeze(list));
    this.#revisions.set(point, this.revision(point) + 1);
    this.#version++;
  }
}
