/**
 * The instructions a path executed since its last explored state (the kernel's jmp_history,
 * here kept for every instruction), packed one number per instruction:
 *
 *   idx (20 bits) + frame * 2^20 + extra * 2^23
 *
 * `extra` is, for a stack load or store at a fixed offset, 1 + 2 * stackFrame + 16 * spi; for a
 * conditional jump that synced copies of a scalar, 1 + 2 * (mask of the registers involved),
 * with bit 1 << 12 when spilled copies were involved too. Precision backtracking reads it.
 */
export const IDX_BITS = 2 ** 20;
const FRAME_BITS = 2 ** 23;

export const histEntry = (idx: number, frame: number): number => idx + frame * IDX_BITS;
export const histIdx = (e: number): number => e % IDX_BITS;
export const histFrame = (e: number): number => Math.floor(e / IDX_BITS) % 8;
export const histExtra = (e: number): number => Math.floor(e / FRAME_BITS);

/** Adds a stack access to an entry. */
export const withStackAccess = (e: number, stackFrame: number, spi: number): number =>
  histIdx(e) + histFrame(e) * IDX_BITS + (1 + 2 * stackFrame + 16 * spi) * FRAME_BITS;

/** The stack slot an entry's instruction loaded or stored, if any. */
export function stackAccessOf(e: number): { frame: number; spi: number } | undefined {
  const x = histExtra(e);
  if (!x) return undefined;
  const v = x - 1;
  return { frame: Math.floor(v / 2) % 8, spi: Math.floor(v / 16) };
}

/** Adds the registers linked by a conditional jump (and whether spilled copies were). */
export const withLinked = (e: number, regMask: number, spilled: boolean): number =>
  histIdx(e) + histFrame(e) * IDX_BITS + (1 + 2 * (regMask | (spilled ? 1 << 12 : 0))) * FRAME_BITS;

export function linkedOf(e: number): { regs: number; spilled: boolean } | undefined {
  const x = histExtra(e);
  if (!x) return undefined;
  const v = (x - 1) / 2;
  return { regs: v & 0xfff, spilled: (v & (1 << 12)) !== 0 };
}
