import type { Arena, BpfMap } from '@bpfhive/maps-store';
import { BpfError, HelperId, MapType } from '@bpfhive/uapi';
import type { Clock } from '../ports.js';
import type { LoadedProgram } from '../programs/program.js';
import { type HelperDef, type KernelServices, type ProgramRefs, cpuOf, mapArg, negErrno, ptr, runOf } from './common.js';

/**
 * bpf_timer (kernel/bpf/helpers.c): a `struct bpf_timer` in a map value, named here by its
 * address. Linux's semantics and return codes:
 *   bpf_timer_init(timer, map, clock)     0; -EINVAL for a clock other than CLOCK_REALTIME (0),
 *                                         CLOCK_MONOTONIC (1) or CLOCK_BOOTTIME (7); -EBUSY when
 *                                         the timer was initialized already
 *   bpf_timer_set_callback(timer, cb)     0; -EINVAL before init; holds the calling program
 *   bpf_timer_start(timer, nsecs, flags)  0; -EINVAL for flags other than BPF_F_TIMER_ABS (1) and
 *                                         BPF_F_TIMER_CPU_PIN (2), before init, or without a
 *                                         callback (none set, or dropped by a cancel); nsecs is
 *                                         relative to now unless BPF_F_TIMER_ABS
 *   bpf_timer_cancel(timer)               1 if it was armed, 0 if not, and the callback and its
 *                                         program's reference are dropped; -EINVAL before init;
 *                                         -EDEADLK from the timer's own callback (nothing dropped)
 * The timers are kept per kernel in `timerTable`; hooks/timer-firing.ts calls the armed ones'
 * callbacks as time passes, as callback(map, key, value) on the CPU that started them.
 *
 * A timer holds its callback's program, as Linux's does (bpf_timer_set_callback takes a
 * reference, bpf_prog_inc): the program stays loaded — its instances on the CPUs, its maps — while
 * the timer has its callback, even when every link and handle of it is closed. The reference is
 * dropped, and the callback forgotten (a later bpf_timer_start is -EINVAL until a new
 * set_callback), by bpf_timer_cancel, by a set_callback from another program (which takes its own),
 * and when the timer goes with its element. Drops happen after the current run or batch (a
 * microtask), as Linux frees a program only after an RCU grace period, so a program never goes
 * while it runs.
 *
 * A timer lives as long as its struct bpf_timer: init writes a tag into its 16 bytes (where Linux
 * keeps its pointer to the kernel's timer), and a timer whose bytes no longer hold the tag is gone
 * with its element — an ARRAY element overwritten by an update, a HASH element deleted or
 * replaced, a freed map — as Linux cancels and frees it then (bpf_obj_free_fields); TimerFiring
 * sweeps them before each catch-up. A user-space lookup never sees the tag (the maps-store zeroes
 * the field, maps-store core/value-fields.ts, when the map's spec has value_fields). Differences:
 * Linux also frees a map's timers when the last user-space reference to the map goes
 * (map_release_uref, which breaks the timer → program → map cycle) and refuses init/set_callback
 * on a map user space no longer holds (-EPERM); the kernel-sim does not know a leased map's user
 * references, so such a timer keeps its program until it is cancelled or its element goes.
 */
export interface BpfTimerState {
  readonly map: bigint;
  readonly clock: number;
  /** The map element that holds the timer: its key's bytes and its value's address (the callback's key and value). */
  readonly key: Uint8Array;
  readonly value: number;
  /** What init wrote into the struct bpf_timer: the timer is alive while it is still there. */
  readonly tag: number;
  /** The callback's function address, as the program passed it. */
  callback: bigint | null;
  /** The program that set the callback (the address is in its code). */
  program: LoadedProgram | null;
  /** The CPU it fires on: the one that started it, as an hrtimer fires where it was armed. */
  cpu: number;
  /** When it fires, on its clock, in ns; null when not armed. */
  expiresNs: bigint | null;
  /** Set while its callback runs (bpf_timer_cancel from it is -EDEADLK). */
  running: boolean;
}

export const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;
const CLOCK_BOOTTIME = 7;
const TIMER_ABS = 1n;
const TIMER_CPU_PIN = 2n;
/** The tag's second word, so that a value that happens to hold a small number is not taken for a timer. */
const TAG_MAGIC = 0x7e1e_7e1e;

/** The timers of one kernel, by the address of their struct bpf_timer, and the time they see. */
export class TimerTable extends Map<number, BpfTimerState> {
  /** The kernel's clocks, virtual time included (helpers/virtual-clock.ts; set by timerHelpers). */
  clock: Clock | undefined;
  /** The kernel's program references (set by timerHelpers); without them timers hold nothing. */
  refs: ProgramRefs | undefined;
  #tags = 0;

  constructor(private readonly arena: Arena) {
    super();
  }

  /** Now on timer clock `clock` (CLOCK_REALTIME or a monotonic one), in ns, as the timers see it. */
  now(clock: number): bigint {
    if (!this.clock) throw new Error('timers: no clock (timerHelpers sets it)');
    return clock === CLOCK_REALTIME ? this.clock.realtimeNs() : this.clock.monotonicNs();
  }

  /** The live timer at `address`; one whose struct bpf_timer lost its tag is freed (it went with its element). */
  live(address: number): BpfTimerState | undefined {
    const t = this.get(address);
    if (!t) return undefined;
    const u32 = this.arena.u32;
    if (u32[address >> 2] === t.tag && u32[(address >> 2) + 1] === TAG_MAGIC) return t;
    this.free(address);
    return undefined;
  }

  /** Frees the timer at `address` (bpf_timer_cancel_and_free): disarmed, its program's reference dropped. */
  free(address: number): void {
    const t = this.get(address);
    if (!t) return;
    this.delete(address);
    t.expiresNs = null;
    this.dropProgram(t);
  }

  /** Frees every timer whose element or map is gone (see `live`). */
  sweep(): void {
    for (const address of [...this.keys()]) this.live(address);
  }

  /** bpf_timer_set_callback's reference: `program` is held from now; a different previous program is dropped. */
  holdProgram(t: BpfTimerState, program: LoadedProgram): void {
    if (t.program === program) return;
    this.refs?.hold(program.id);
    const previous = t.program;
    t.program = program;
    if (previous) this.#put(previous);
  }

  /** drop_prog_refcnt: the program's reference goes, and the callback with it. */
  dropProgram(t: BpfTimerState): void {
    const program = t.program;
    t.program = null;
    t.callback = null;
    if (program) this.#put(program);
  }

  /** Drops a reference after the current run (a microtask): the program may be the one running. */
  #put(program: LoadedProgram): void {
    const refs = this.refs;
    if (!refs) return;
    queueMicrotask(() => {
      try {
        refs.put(program.id);
      } catch {
        // Freed already by other means (the kernel's teardown): nothing left to drop.
      }
    });
  }

  /** Writes a new tag into the struct bpf_timer at `address`; returns it. */
  tag(address: number): number {
    const tag = (this.#tags = (this.#tags % 0xffff_fffe) + 1);
    this.arena.u32[address >> 2] = tag;
    this.arena.u32[(address >> 2) + 1] = TAG_MAGIC;
    return tag;
  }
}

const tables = new WeakMap<Arena, TimerTable>();

/** The timers initialized in the kernel of `arena` (Kernel.arena), by the address of their struct bpf_timer. */
export function timerTable(arena: Arena): TimerTable {
  let t = tables.get(arena);
  if (!t) tables.set(arena, (t = new TimerTable(arena)));
  return t;
}

/**
 * The element of `map` whose value holds `timer`: for an ARRAY its index (the key is a u32), for
 * the hash maps found by walking the keys (once, at init). Undefined when no value holds it.
 */
export function elementOf(map: BpfMap, timer: number): { key: Uint8Array; value: number } | undefined {
  const { map_type, key_size, value_size, max_entries } = map.spec;
  if (map_type === MapType.ARRAY && 'base' in map && 'stride' in map) {
    const { base, stride } = map as unknown as { base: number; stride: number };
    const index = Math.floor((timer - base) / stride);
    if (index < 0 || index >= max_entries || timer + 16 > base + index * stride + value_size) return undefined;
    return { key: new Uint8Array(new Uint32Array([index]).buffer), value: base + index * stride };
  }
  const keyAt = map.arena.alloc(Math.max(key_size, 1));
  try {
    for (let key = nextKey(map, undefined); key; key = nextKey(map, key)) {
      map.arena.bytes.set(key, keyAt);
      const value = map.lookupAddress(keyAt, 0);
      if (value !== 0 && timer >= value && timer + 16 <= value + value_size) return { key, value };
    }
    return undefined;
  } finally {
    map.arena.free(keyAt, Math.max(key_size, 1));
  }
}

function nextKey(map: BpfMap, key: Uint8Array | undefined): Uint8Array | undefined {
  try {
    return map.getNextKey(key);
  } catch (e) {
    if (e instanceof BpfError && e.code === 'ENOENT') return undefined;
    throw e;
  }
}

export function timerHelpers(kernel: KernelServices): HelperDef[] {
  const timers = timerTable(kernel.arena);
  timers.clock = kernel.clock;
  timers.refs = kernel.programs;
  return [
    {
      id: HelperId.timer_init,
      fn: ([timer, map, flags]) => {
        const clock = Number(flags);
        if (flags > 15n || ![CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME].includes(clock)) return negErrno('EINVAL');
        const at = ptr(timer);
        if (timers.live(at)) return negErrno('EBUSY');
        // The verifier proves the timer is in a value of `map`.
        const element = elementOf(mapArg(kernel, map).map, at);
        if (!element) throw new Error(`bpf_timer_init: 0x${at.toString(16)} is not in a value of map 0x${map.toString(16)}`);
        timers.set(at, { map, clock, ...element, tag: timers.tag(at), callback: null, program: null, cpu: 0, expiresNs: null, running: false });
        return 0n;
      },
    },
    {
      id: HelperId.timer_set_callback,
      fn: ([timer, callback], env) => {
        const t = timers.live(ptr(timer));
        if (!t) return negErrno('EINVAL');
        timers.holdProgram(t, runOf(env).program);
        t.callback = callback;
        return 0n;
      },
    },
    {
      id: HelperId.timer_start,
      fn: ([timer, nsecs, flags], env) => {
        if ((flags & ~(TIMER_ABS | TIMER_CPU_PIN)) !== 0n) return negErrno('EINVAL');
        const t = timers.live(ptr(timer));
        if (!t || t.program === null || t.callback === null) return negErrno('EINVAL');
        t.expiresNs = flags & TIMER_ABS ? nsecs : timers.now(t.clock) + nsecs;
        t.cpu = cpuOf(env).index;
        return 0n;
      },
    },
    {
      id: HelperId.timer_cancel,
      fn: ([timer]) => {
        const t = timers.live(ptr(timer));
        if (!t) return negErrno('EINVAL');
        if (t.running) return negErrno('EDEADLK');
        const armed = t.expiresNs !== null;
        t.expiresNs = null;
        timers.dropProgram(t);
        return armed ? 1n : 0n;
      },
    },
  ];
}
