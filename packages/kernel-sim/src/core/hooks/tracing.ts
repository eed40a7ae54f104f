import { PERF_MAX_TRACE_SIZE, RAW_TP_ARGS } from '@bpfhive/uapi';
import type { FuncEntryEvent, FuncExitEvent, HookEvent, TracepointEvent } from '../../world/index.js';
import type { Kernel } from '../kernel.js';
import { type HookKey, HookKeys, type HookPoints } from '../links/hook-points.js';
import type { Cpu } from '../run/cpu.js';
import { HookCounters } from './counters.js';
import type { TaskCache } from './tasks.js';

/** The context area of a CPU: room for the largest tracing context (a tracepoint record). */
const CONTEXT_BYTES = PERF_MAX_TRACE_SIZE;

export interface TracingDeps {
  readonly kernel: Kernel;
  readonly points: HookPoints;
  readonly counters: HookCounters;
  readonly tasks: TaskCache;
}

/** u64 little-endian words of `values`. */
function words(values: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigUint64(i * 8, BigInt.asUintN(64, v), true));
  return out;
}

/**
 * The tracing hooks: a tracepoint runs its perf_event programs on its record and its raw
 * tracepoint (and tp_btf) programs on its TP_PROTO arguments; a kernel function's entry runs its
 * kprobes on pt_regs and its fentry programs on the u64 arguments, its return the kretprobes
 * (ax = the return value) and fexit programs (the arguments, then the return value). Each run is
 * on the event's CPU with the event's task current; bpf_get_func_ip gives the function's address,
 * bpf_get_attach_cookie the link's cookie. A context lives in the CPU's context area for the run,
 * zero beyond the event's bytes up to the most the verifier lets a program read.
 */
export class TracingHooks {
  readonly #areas = new Map<Cpu, number>();

  constructor(private readonly deps: TracingDeps) {}

  fire(event: HookEvent): void {
    switch (event.kind) {
      case 'tracepoint':
        return this.#tracepoint(event);
      case 'func_entry':
        this.#run(event, HookKeys.kprobe(event.func, false), 'kprobe', event.func, event.regs);
        this.#run(event, HookKeys.fentry(event.func, false), 'fentry', event.func, words(event.args));
        return;
      case 'func_exit':
        this.#run(event, HookKeys.kprobe(event.func, true), 'kretprobe', event.func, event.regs);
        this.#run(event, HookKeys.fentry(event.func, true), 'fexit', event.func, words([...event.args, event.ret]));
        return;
    }
  }

  #tracepoint(event: TracepointEvent): void {
    this.#run(event, HookKeys.tracepoint(event.category, event.name), 'tracepoint', `${event.category}/${event.name}`, event.record);
    if (event.rawArgs) this.#run(event, HookKeys.rawTracepoint(event.name), 'raw_tracepoint', event.name, words(event.rawArgs));
  }

  /** Runs the links on `point` for `event`; counted as `hook` on `target`. */
  #run(event: TracepointEvent | FuncEntryEvent | FuncExitEvent, point: HookKey, hook: string, target: string, context: Uint8Array): void {
    const links = this.deps.points.list(point);
    if (links.length === 0) return;
    const { kernel } = this.deps;
    const cpu = kernel.cpus[event.cpu % kernel.cpus.length]!;
    const ctx = this.#context(cpu, context);
    const task = this.deps.tasks.of(event.task);
    const func = event.kind === 'tracepoint' ? undefined : event.func;
    const counter = this.deps.counters.of(hook, target);
    for (const link of links) {
      counter.runs++;
      try {
        kernel.run(link.program, cpu, ctx, { task, funcIp: event.kind === 'tracepoint' ? 0n : event.addr, cookie: link.cookieFor(func), ...(event.stacks && { stacks: event.stacks }) });
      } catch (e) {
        HookCounters.error(counter, e);
      }
    }
  }

  /** Places `bytes` in `cpu`'s context area (zero after them); its address. */
  #context(cpu: Cpu, bytes: Uint8Array): number {
    const arena = this.deps.kernel.arena;
    let area = this.#areas.get(cpu);
    if (area === undefined) {
      area = arena.alloc(Math.max(CONTEXT_BYTES, RAW_TP_ARGS.size));
      this.#areas.set(cpu, area);
    }
    const size = Math.min(bytes.length, CONTEXT_BYTES);
    arena.bytes.set(bytes.subarray(0, size), area);
    arena.bytes.fill(0, area + size, area + CONTEXT_BYTES);
    return area;
  }
}
