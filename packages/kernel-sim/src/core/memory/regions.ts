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
  ) {}

  /** A zeroed block of `size` bytes (at least 8), aligned to `align`. */
  static alloc(arena: Arena, size: number, align = 8): ArenaBlock {
    return new ArenaBlock(arena, arena.alloc(Math.max(size, 8), align), Math.max(size, 8));
  }

  /** The block's bytes; re-read after any allocation (the memory may have grown). */
  get bytes(): Uint8Array {
    return this.arena.bytes.subarray(this.address, this.address + this.size);
  }

  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    this.arena.free(this.address, this.size);
  }
}

