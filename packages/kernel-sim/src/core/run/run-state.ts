import type { LoadedProgram } from '../programs/program.js';
import type { PacketBuffer } from '../contexts/packet.js';
import type { Stacks } from '../../world/events.js';

/** Where a program asked its packet to go (bpf_redirect, bpf_redirect_map, XDP_TX's device). */
export type RedirectTarget =
  | { readonly kind: 'ifindex'; readonly ifindex: number; readonly flags: number }
  /** mapId is undefined for an inner map (of a map-in-map) reached through its outer map. */
  | { readonly kind: 'map'; readonly mapId?: number; readonly key: number; readonly flags: number };

/**
 * What the kernel keeps about one run of a program on a CPU, for the helpers it calls: Linux
 * spreads this over the context, bpf_redirect_info, bpf_run_ctx and the task.
 */
export interface RunState {
  /** The program the run started with (a tail call keeps the caller's run). */
  readonly program: LoadedProgram;
  /** Address of the context (r1). */
  readonly ctx: number;
  /** Tail calls made so far; the 34th fails (MAX_TAIL_CALL_CNT). */
  tailCalls: number;
  /** The packet of an XDP or __sk_buff run: helpers that move its bounds keep it and the context in step. */
  packet?: PacketBuffer;
  /** Set by the redirect helpers. */
  redirect?: RedirectTarget;
  /** bpf_get_func_ip: the traced function's address (kprobes, fentry); 0 otherwise. */
  readonly funcIp: bigint;
  /** bpf_get_attach_cookie: the link's cookie; 0 otherwise. */
  readonly cookie: bigint;
  /** bpf_get_stack/bpf_get_stackid: the stacks where the hook fired (tracing events, perf samples); none otherwise. */
  readonly stacks: Stacks | undefined;
  /** Addresses of the bpf_spin_locks this run holds. */
  readonly locks: Set<number>;
}

/** The parts of a run state a hook or test_run chooses; the rest starts empty. */
export interface RunSetup {
  readonly packet?: PacketBuffer;
  readonly funcIp?: bigint;
  readonly cookie?: bigint;
  readonly stacks?: Stacks;
}

/** A run's state; the lock set is made on the first bpf_spin_lock (most runs take none). */
class Run implements RunState {
  tailCalls = 0;
  packet?: PacketBuffer;
  redirect?: RedirectTarget;
  #locks: Set<number> | undefined;

  constructor(
    readonly program: LoadedProgram,
    readonly ctx: number,
    packet: PacketBuffer | undefined,
    readonly funcIp: bigint,
    readonly cookie: bigint,
    readonly stacks: Stacks | undefined,
  ) {
    if (packet) this.packet = packet;
  }

  get locks(): Set<number> {
    return (this.#locks ??= new Set());
  }
}

export function newRunState(program: LoadedProgram, ctx: number, setup: RunSetup = {}): RunState {
  return new Run(program, ctx, setup.packet, setup.funcIp ?? 0n, setup.cookie ?? 0n, setup.stacks);
}
