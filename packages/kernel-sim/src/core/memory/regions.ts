import type { Arena } from '@bpfhive/maps-store';

/**
 * Blocks of the arena the kernel owns for a while (a context, a packet, a scratch key) and gives
 * back when done. Freed blocks become reusable at the arena's next grace period, so a program
 * still holding a pointer never sees another object's bytes.
 */
export class ArenaBlock {
  #freed = false;

  private constructor(
    private readonly arena: Arena,
    /** Address of the first byte. */
    readonly address: number,
    readonly size: number,
    /** The arena block it lies in (larger than the block when it was aligned past 8). */
    private readonly raw: number,
    private readonly rawSize: number,
  ) {}

  /**
   * A zeroed block of `size` bytes (at least 8), aligned to `align` (a power of two). The arena
   * reuses a freed block only for requests aligned to 8 at most (its free lists know sizes, not
   * alignments), so a block aligned further is carved out of an 8-aligned one `align - 8` bytes
   * larger: freed, it goes back to the arena's free list and the next block of that size reuses
   * it, instead of every allocation taking fresh memory (packets and skbs would leak).
   */
  static alloc(arena: Arena, size: number, align = 8): ArenaBlock {
    const bytes = Math.max(size, 8);
    if (align <= 8) {
      const address = arena.alloc(bytes, align);
      return new ArenaBlock(arena, address, bytes, address, bytes);
    }
    const rawSize = bytes + align - 8;
    const raw = arena.alloc(rawSize, 8);
    return new ArenaBlock(arena, Math.ceil(raw / align) * align, bytes, raw, rawSize);
  }

  /** The block's bytes; re-read after any allocation (the memory may have grown). */
  get bytes(): Uint8Array {
    return this.arena.bytes.subarray(this.address, this.address + this.size);
  }

  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    this.arena.free(this.raw, this.rawSize);
  }
}

