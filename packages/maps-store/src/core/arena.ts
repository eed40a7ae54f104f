import { BpfError } from '@bpfhive/uapi';

/**
 * The kernel's memory: one shared WebAssembly memory that map engines (and the kernel's stacks
 * and contexts) allocate from, so a program compiled to wasm addresses map values directly and
 * every simulated CPU (a worker thread) sees the same bytes.
 *
 * Addresses are byte offsets into the memory. The first 64 KiB are never handed out, so 0 is
 * always "no value" (a NULL pointer) and small offsets never alias data.
 *
 * Freed blocks are not reused at once: a program may still hold a pointer to a map value it looked
 * up. `free` parks a block until the next `quiescent()` — a point where no program that could have
 * seen it is running (the kernel calls it between batches, as RCU waits for a grace period).
 */
export const PAGE = 65536;
export const NULL_GUARD = PAGE;

export interface ArenaOptions {
  /** An existing memory to allocate in (e.g. the kernel's); default a new shared one. */
  readonly memory?: WebAssembly.Memory;
  /** Pages of a new memory: initial (default 16 = 1 MiB) and maximum (default 16384 = 1 GiB). */
  readonly initialPages?: number;
  readonly maximumPages?: number;
}

export class Arena {
  readonly memory: WebAssembly.Memory;
  #top = NULL_GUARD;
  /** Free blocks by size (multiples of 8), ready for reuse. */
  readonly #free = new Map<number, number[]>();
  /** Freed since the last grace period: [address, size]. */
  #deferred: [number, number][] = [];
  #bytes: Uint8Array;
  #u32: Uint32Array;
  #view: DataView;
  #allocated = 0;
  readonly #onQuiescent: (() => void)[] = [];
  readonly #onGrow: (() => void)[] = [];

  constructor(options: ArenaOptions = {}) {
    this.memory =
      options.memory ??
      new WebAssembly.Memory({ initial: options.initialPages ?? 16, maximum: options.maximumPages ?? 16384, shared: true });
    this.#bytes = new Uint8Array(this.memory.buffer);
    this.#u32 = new Uint32Array(this.memory.buffer);
    this.#view = new DataView(this.memory.buffer);
  }

  /**
   * The whole memory as u32 words (index = address / 4), for hot paths: typed arrays are much
   * faster than DataView over shared memory. Little-endian, as wasm is (and every host we run on).
   */
  get u32(): Uint32Array {
    return this.#u32;
  }

  /** The u32 at `address` (little-endian), aligned or not. */
  loadU32(address: number): number {
    if ((address & 3) === 0) return this.#u32[address >> 2]!;
    const b = this.#bytes;
    return (b[address]! | (b[address + 1]! << 8) | (b[address + 2]! << 16) | (b[address + 3]! << 24)) >>> 0;
  }

  /** The whole memory as bytes; re-read after an allocation (the memory may have grown). */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  get view(): DataView {
    return this.#view;
  }

  /** The end of the memory ever handed out (a high-water mark): it stays put while freed blocks are reused. */
  get highWater(): number {
    return this.#top;
  }

  /** Bytes handed out and not freed. */
  get allocated(): number {
    return this.#allocated;
  }

  /**
   * A zeroed block of `size` bytes aligned to 8 (to `align` when larger, a power of two).
   * ENOMEM when the memory cannot grow enough.
   */
  alloc(size: number, align = 8): number {
    const rounded = Math.max(8, Math.ceil(size / 8) * 8);
    const reuse = this.#reusable(rounded, align);
    let address: number;
    if (reuse !== undefined) {
      address = reuse;
      this.#bytes.fill(0, address, address + rounded);
    } else {
      address = Math.ceil(this.#top / align) * align;
      this.#ensure(address + rounded);
      this.#top = address + rounded;
    }
    this.#allocated += rounded;
    return address;
  }

  /** A freed block of exactly `rounded` bytes at an address aligned to `align`, taken off its free list; undefined when there is none. */
  #reusable(rounded: number, align: number): number | undefined {
    const list = this.#free.get(rounded);
    if (!list || list.length === 0) return undefined;
    if (align <= 8) return list.pop();
    // Larger alignments (a ring buffer's pages): a block freed by a map of the same shape is aligned the same.
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i]! % align === 0) return list.splice(i, 1)[0];
    }
    return undefined;
  }

  /** Listeners registered and not stopped: grace-period reclaimers and grow listeners (a freed map leaves none behind). */
  get listeners(): { quiescent: number; grow: number } {
    return { quiescent: this.#onQuiescent.length, grow: this.#onGrow.length };
  }

  /** Gives a block back; it becomes reusable after the next quiescent(). */
  free(address: number, size: number): void {
    const rounded = Math.max(8, Math.ceil(size / 8) * 8);
    this.#allocated -= rounded;
    this.#deferred.push([address, rounded]);
  }

  /** Runs `listener` after the memory grew: views taken of `u32` / `bytes` before are too short then. Returns what stops it. */
  onGrow(listener: () => void): () => void {
    this.#onGrow.push(listener);
    return () => remove(this.#onGrow, listener);
  }

  /** Runs `reclaim` at every grace period (maps reuse their own freed elements then). Returns what stops it (a freed map). */
  onQuiescent(reclaim: () => void): () => void {
    this.#onQuiescent.push(reclaim);
    return () => remove(this.#onQuiescent, reclaim);
  }

  /** A grace period has passed: blocks freed before it may be reused. */
  quiescent(): void {
    for (const reclaim of this.#onQuiescent) reclaim();
    for (const [address, size] of this.#deferred) {
      let list = this.#free.get(size);
      if (!list) this.#free.set(size, (list = []));
      list.push(address);
    }
    this.#deferred = [];
  }

  #ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE);
    try {
      this.memory.grow(pages);
    } catch {
      throw new BpfError('ENOMEM', `arena: cannot grow the kernel memory by ${pages} pages (${have / PAGE} in use)`);
    }
    this.#bytes = new Uint8Array(this.memory.buffer);
    this.#u32 = new Uint32Array(this.memory.buffer);
    this.#view = new DataView(this.memory.buffer);
    for (const listener of this.#onGrow) listener();
  }
}

function remove<T>(list: T[], item: T): void {
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
}
