import { HelperId } from '@bpfhive/uapi';

/**
 * The per-CPU kernel data block: what the helpers that only read a clock or `current` return,
 * laid out in the kernel's shared memory so that compiled programs read it without a trip to
 * JavaScript (compile option `inlineKernelData`), and JavaScript helpers read the very same bytes
 * (kernel-data-helpers.ts). This file is the one place the layout is written down.
 *
 * One block per simulated CPU, 8-byte aligned, KERNEL_DATA_SIZE bytes; a JitProgram instance (one
 * per program per CPU) receives its CPU's block address as the imported global `env.kernel_data`.
 * The kernel (the kernel-sim) keeps it current: the clocks per batch or per event, `current`
 * when it switches tasks on that CPU; the JIT only reads it, except for the prandom state, which
 * bpf_get_prandom_u32 advances. Little-endian, as wasm is.
 *
 *   +0   u64 ktime_get_ns          CLOCK_MONOTONIC, ns
 *   +8   u64 ktime_get_boot_ns     CLOCK_BOOTTIME, ns (monotonic + time spent suspended)
 *   +16  u64 ktime_get_coarse_ns   CLOCK_MONOTONIC_COARSE, ns (the last tick)
 *   +24  u64 jiffies64             ticks since boot
 *   +32  u32 smp_processor_id      this CPU's number
 *   +36  u32 numa_node_id          this CPU's NUMA node
 *   +40  u32 prandom s1, s2, s3, s4   the CPU's bpf_user_rnd_state (lib/random32.c, below)
 *   +56  u64 current pid_tgid      tgid << 32 | pid
 *   +64  u64 current uid_gid       gid << 32 | uid
 *   +72  u64 current cgroup id     its cgroup v2 id
 *   +80  u64 current task          the address of its task_struct (get_current_task and _btf)
 *   +88  u64 ktime_get_tai_ns      CLOCK_TAI, ns
 *   +96  reserved (zero) up to KERNEL_DATA_SIZE
 *
 * bpf_get_prandom_u32 is Linux's prandom_u32_state: the four-word Tausworthe generator of
 * P. L'Ecuyer ("Tables of maximally equidistributed combined LFSR generators", 1999, LFSR113),
 *   s1 = ((s1 & 0xfffffffe) << 18) ^ (((s1 <<  6) ^ s1) >> 13)
 *   s2 = ((s2 & 0xfffffff8) <<  2) ^ (((s2 <<  2) ^ s2) >> 27)
 *   s3 = ((s3 & 0xfffffff0) <<  7) ^ (((s3 << 13) ^ s3) >> 21)
 *   s4 = ((s4 & 0xffffff80) << 13) ^ (((s4 <<  3) ^ s4) >> 12)
 *   return s1 ^ s2 ^ s3 ^ s4            (all u32)
 * seeded as prandom_seed_state (s_k = i, raised past 1, 7, 15, 127 as __seed does) followed by
 * prandom_warmup's 10 steps (see seedPrandom).
 */
export const KernelDataOffset = {
  KTIME_NS: 0,
  BOOT_NS: 8,
  COARSE_NS: 16,
  JIFFIES64: 24,
  CPU: 32,
  NUMA_NODE: 36,
  PRANDOM: 40,
  PID_TGID: 56,
  UID_GID: 64,
  CGROUP_ID: 72,
  TASK: 80,
  TAI_NS: 88,
} as const;

/** Bytes of one CPU's block (room to grow included). */
export const KERNEL_DATA_SIZE = 128;
/** Alignment a block needs. */
export const KERNEL_DATA_ALIGN = 8;

/** A helper that returns one field of the block. */
export interface KernelDataField {
  readonly kind: 'field';
  readonly offset: number;
  readonly bytes: 4 | 8;
}

/** How an inlinable helper uses the block: a field it returns, or the prandom step. */
export type KernelDataRead = KernelDataField | { readonly kind: 'prandom' };

const field = (offset: number, bytes: 4 | 8 = 8): KernelDataField => ({ kind: 'field', offset, bytes });

/**
 * The helpers the block serves, by helper id: the ones the JIT inlines with `inlineKernelData`
 * and kernelDataHelpers() implements in JavaScript, from this one table.
 */
export const KERNEL_DATA_HELPERS: ReadonlyMap<number, KernelDataRead> = new Map<number, KernelDataRead>([
  [HelperId.ktime_get_ns, field(KernelDataOffset.KTIME_NS)],
  [HelperId.ktime_get_boot_ns, field(KernelDataOffset.BOOT_NS)],
  [HelperId.ktime_get_coarse_ns, field(KernelDataOffset.COARSE_NS)],
  [HelperId.ktime_get_tai_ns, field(KernelDataOffset.TAI_NS)],
  [HelperId.jiffies64, field(KernelDataOffset.JIFFIES64)],
  [HelperId.get_smp_processor_id, field(KernelDataOffset.CPU, 4)],
  [HelperId.get_numa_node_id, field(KernelDataOffset.NUMA_NODE, 4)],
  [HelperId.get_prandom_u32, { kind: 'prandom' }],
  [HelperId.get_current_pid_tgid, field(KernelDataOffset.PID_TGID)],
  [HelperId.get_current_uid_gid, field(KernelDataOffset.UID_GID)],
  [HelperId.get_current_cgroup_id, field(KernelDataOffset.CGROUP_ID)],
  [HelperId.get_current_task, field(KernelDataOffset.TASK)],
  [HelperId.get_current_task_btf, field(KernelDataOffset.TASK)],
]);

/** The four u32 words of a prandom state. */
export type PrandomState = readonly [number, number, number, number];

/** The shift constants of each word's step: [a, b, mask, d] as in TAUSWORTHE(s, a, b, c, d). */
export const TAUSWORTHE: readonly (readonly [number, number, number, number])[] = [
  [6, 13, 0xfffffffe, 18],
  [2, 27, 0xfffffff8, 2],
  [13, 21, 0xfffffff0, 7],
  [3, 12, 0xffffff80, 13],
];

/** One prandom_u32_state step: the next state and the u32 it returns. */
export function prandomStep(state: PrandomState): { state: PrandomState; value: number } {
  const next = state.map((s, k) => {
    const [a, b, c, d] = TAUSWORTHE[k]!;
    return ((((s & c) << d) ^ (((s << a) ^ s) >>> b)) >>> 0) as number;
  }) as unknown as PrandomState;
  return { state: next, value: (next[0] ^ next[1] ^ next[2] ^ next[3]) >>> 0 };
}

/** prandom_seed_state(seed) then prandom_warmup (10 steps), as Linux seeds a CPU's state. */
export function seedPrandom(seed: bigint): PrandomState {
  const i = Number(BigInt.asUintN(32, (seed >> 32n) ^ (seed << 10n) ^ seed));
  const raise = (x: number, m: number): number => (x < m ? x + m : x);
  let state: PrandomState = [raise(i, 2), raise(i, 8), raise(i, 16), raise(i, 128)];
  for (let k = 0; k < 10; k++) state = prandomStep(state).state;
  return state;
}

/** The block's fields as numbers (u32) and bigints (u64). */
export interface KernelDataValues {
  readonly ktimeNs: bigint;
  readonly bootNs: bigint;
  readonly coarseNs: bigint;
  readonly taiNs: bigint;
  readonly jiffies64: bigint;
  readonly cpu: number;
  readonly numaNode: number;
  readonly prandom: PrandomState;
  readonly pidTgid: bigint;
  readonly uidGid: bigint;
  readonly cgroupId: bigint;
  readonly task: bigint;
}

const U64_FIELDS = {
  ktimeNs: KernelDataOffset.KTIME_NS,
  bootNs: KernelDataOffset.BOOT_NS,
  coarseNs: KernelDataOffset.COARSE_NS,
  taiNs: KernelDataOffset.TAI_NS,
  jiffies64: KernelDataOffset.JIFFIES64,
  pidTgid: KernelDataOffset.PID_TGID,
  uidGid: KernelDataOffset.UID_GID,
  cgroupId: KernelDataOffset.CGROUP_ID,
  task: KernelDataOffset.TASK,
} as const;

const U32_FIELDS = { cpu: KernelDataOffset.CPU, numaNode: KernelDataOffset.NUMA_NODE } as const;

/**
 * One CPU's block in a wasm memory: what the kernel-sim writes (per batch, per event, on a task
 * switch) and tests read. The memory may grow: views are made afresh when its buffer changes.
 */
export class KernelDataBlock {
  #view: DataView | undefined;

  /** `address`: KERNEL_DATA_ALIGN-aligned, with KERNEL_DATA_SIZE bytes inside the memory (RangeError otherwise). */
  constructor(
    readonly memory: WebAssembly.Memory,
    readonly address: number,
  ) {
    if (!Number.isInteger(address) || address < 0 || address % KERNEL_DATA_ALIGN !== 0) {
      throw new RangeError(`kernel data: the block address ${address} must be a multiple of ${KERNEL_DATA_ALIGN}`);
    }
    this.#dataView();
  }

  #dataView(): DataView {
    const buffer = this.memory.buffer;
    if (this.#view?.buffer !== buffer) {
      if (this.address + KERNEL_DATA_SIZE > buffer.byteLength) throw new RangeError(`kernel data: the block at ${this.address} lies outside the memory`);
      this.#view = new DataView(buffer, this.address, KERNEL_DATA_SIZE);
    }
    return this.#view!;
  }

  /** Writes the given fields; the others keep their values. */
  set(values: Partial<KernelDataValues>): void {
    const view = this.#dataView();
    for (const [key, offset] of Object.entries(U64_FIELDS)) {
      const v = values[key as keyof typeof U64_FIELDS];
      if (v !== undefined) view.setBigUint64(offset, BigInt.asUintN(64, v), true);
    }
    for (const [key, offset] of Object.entries(U32_FIELDS)) {
      const v = values[key as keyof typeof U32_FIELDS];
      if (v !== undefined) view.setUint32(offset, v, true);
    }
    values.prandom?.forEach((s, k) => view.setUint32(KernelDataOffset.PRANDOM + 4 * k, s, true));
  }

  /** Every field as it is now. */
  read(): KernelDataValues {
    const view = this.#dataView();
    const u64 = (offset: number): bigint => view.getBigUint64(offset, true);
    const u32 = (offset: number): number => view.getUint32(offset, true);
    const prandom = [0, 1, 2, 3].map((k) => u32(KernelDataOffset.PRANDOM + 4 * k)) as unknown as PrandomState;
    return {
      ktimeNs: u64(U64_FIELDS.ktimeNs),
      bootNs: u64(U64_FIELDS.bootNs),
      coarseNs: u64(U64_FIELDS.coarseNs),
      taiNs: u64(U64_FIELDS.taiNs),
      jiffies64: u64(U64_FIELDS.jiffies64),
      cpu: u32(U32_FIELDS.cpu),
      numaNode: u32(U32_FIELDS.numaNode),
      prandom,
      pidTgid: u64(U64_FIELDS.pidTgid),
      uidGid: u64(U64_FIELDS.uidGid),
      cgroupId: u64(U64_FIELDS.cgroupId),
      task: u64(U64_FIELDS.task),
    };
  }
}
