import { PERF_EVENT_DATA } from '@bpfhive/uapi';
import { encodeRegs, kernelSymbol, USER_CALL_SITE, userRegs, idleRegs, type Stacks } from '../../world/index.js';
import { buildContext } from '../contexts/write.js';
import type { Kernel } from '../kernel.js';
import type { HookPoints } from '../links/hook-points.js';
import type { BpfLink, SamplingEventTarget } from '../links/link.js';
import { type HookCounter, HookCounters } from './counters.js';
import type { TaskCache } from './tasks.js';
import type { SimWorld } from './world.js';

/**
 * Samples in one catch-up at most (per event): a jump of virtual time far past many periods runs
 * this many and skips the rest, counted as the hook counter's THROTTLED action, as perf throttles an event that samples
 * faster than the kernel can take (perf_event_max_sample_rate, "perf: interrupt took too long").
 */
export const MAX_SAMPLES_PER_CATCH_UP = 10000;

/** Where the idle loop is interrupted (default_idle+0x1e): the kernel stack of a sample on an idle CPU. */
const IDLE_IP = kernelSymbol('default_idle').address + 0x1en;

export interface PerfSamplingDeps {
  readonly kernel: Kernel;
  readonly points: HookPoints;
  readonly world: SimWorld;
  readonly counters: HookCounters;
  readonly tasks: TaskCache;
  /**
   * Called with each sample's virtual time before it runs: brings the rest of the virtual time
   * line (the bpf_timers due before it, TimerFiring.until) and the kernel clock up to it, so the
   * sample's program reads its own time. Default: nothing (the clock stays where it was).
   */
  readonly beforeSample?: (time: number) => void;
}

/**
 * The sampling perf events (cpu-clock, perf_event_open with sample_period or sample_freq) with a
 * PERF_EVENT program attached: as virtual time passes (`until`, before each world event and when
 * time is moved on), every period of each event's CPU clock runs its program on that CPU, with
 * a `struct bpf_perf_event_data`: the interrupted registers — the running task's user registers
 * (cs 0x33, ip in its code), or the idle loop's kernel ones on an idle CPU — and sample_period
 * in ns. bpf_get_stackid/get_stack see the same place: the task's user stack, or the idle loop.
 * A sample's first period starts when its link is first seen.
 *
 * Time: periods are counted in the world's virtual time (ns since the world started), whatever the
 * host clock does; a catch-up runs every event's due samples in time order, all events merged, and
 * before each one `beforeSample` fires the timers due by then and moves the kernel clock there
 * (Hooks wires it to TimerFiring.until), so samples and timer callbacks run as one time line and
 * a sample's bpf_ktime_get_ns is its own time (helpers/virtual-clock.ts).
 */
export class PerfSampling {
  readonly #next = new Map<BpfLink, number>();
  /** Each sampling link's hook counter (`cpu C event E link L`), made once. */
  readonly #counters = new Map<BpfLink, HookCounter>();
  #version = -1;
  #links: readonly BpfLink[] = [];

  constructor(private readonly deps: PerfSamplingDeps) {}

  /** Runs the samples due up to `time` (ns of virtual time), in time order across events. */
  until(time: number): void {
    const links = this.#sampling();
    if (links.length === 0) return;
    const now = this.deps.world.now;
    const due: { link: BpfLink; event: SamplingEventTarget; next: number; runs: number }[] = [];
    for (const link of links) {
      if (link.detached) continue;
      const event = (link.target as { readonly event: SamplingEventTarget }).event;
      due.push({ link, event, next: this.#next.get(link) ?? now + event.periodNs, runs: 0 });
    }
    for (;;) {
      let first: (typeof due)[number] | undefined;
      for (const d of due) if (d.next <= time && d.runs < MAX_SAMPLES_PER_CATCH_UP && (!first || d.next < first.next)) first = d;
      if (!first) break;
      this.deps.beforeSample?.(first.next);
      this.#sample(first.link, first.event);
      first.next += first.event.periodNs;
      first.runs++;
    }
    for (const d of due) {
      if (d.next <= time) {
        const skipped = Math.floor((time - d.next) / d.event.periodNs) + 1;
        HookCounters.action(this.#counter(d.link, d.event), 'THROTTLED', skipped);
        d.next += skipped * d.event.periodNs;
      }
      this.#next.set(d.link, d.next);
    }
  }

  /** The links on sampling events, cached until the attach points change. */
  #sampling(): readonly BpfLink[] {
    const { points } = this.deps;
    if (points.version !== this.#version) {
      const links: BpfLink[] = [];
      for (const key of points.keys()) for (const link of points.list(key)) if (link.target.kind === 'perf_event') links.push(link);
      this.#links = links;
      this.#version = points.version;
      for (const link of this.#next.keys()) if (!links.includes(link)) this.#next.delete(link);
      for (const link of this.#counters.keys()) if (!links.includes(link)) this.#counters.delete(link);
    }
    return this.#links;
  }

  #counter(link: BpfLink, event: SamplingEventTarget): HookCounter {
    let counter = this.#counters.get(link);
    if (!counter) this.#counters.set(link, (counter = this.deps.counters.of('perf_event', `cpu ${event.cpu} event ${event.id} link ${link.id}`)));
    return counter;
  }

  #sample(link: BpfLink, event: SamplingEventTarget): void {
    const { kernel, world, tasks } = this.deps;
    const cpu = kernel.cpus[event.cpu % kernel.cpus.length]!;
    const pid = world.processes.sched.running(event.cpu);
    const running = pid === 0 || !world.processes.tasks.has(pid) ? undefined : world.processes.tasks.get(pid);
    const regs = running ? userRegs(USER_CALL_SITE, running.pid) : idleRegs(IDLE_IP, event.cpu);
    const stacks: Stacks = running ? { kernel: [], user: [USER_CALL_SITE] } : { kernel: [IDLE_IP], user: [] };
    const ctx = buildContext(kernel.arena, PERF_EVENT_DATA, { regs: encodeRegs(regs), sample_period: BigInt(event.periodNs), addr: 0n });
    const counter = this.#counter(link, event);
    try {
      counter.runs++;
      const task = running ? tasks.of(running.snapshot()) : cpu.idle;
      kernel.run(link.program, cpu, ctx.address, { task, cookie: link.cookieFor(), stacks });
    } catch (e) {
      HookCounters.error(counter, e);
    } finally {
      ctx.free();
    }
  }
}
