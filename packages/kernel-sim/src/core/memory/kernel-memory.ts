import { BpfError } from '@bpfhive/uapi';
import { type Arena, NULL_GUARD } from '@bpfhive/maps-store';

/**
 * The kernel's view of its memory, the arena (maps, contexts, packets, stacks: everything a
 * program can point at). Helpers read and write through it rather than through the JIT's
 * `env.memory`, because the arena's views follow the memory when it grows.
 *
 * An address is mapped when it lies above the NULL guard (the first 64 KiB, never handed out)
 * and inside the memory. `bytes` throws for unmapped ranges (a helper given a pointer the verifier
 * should have refused: the run stops with EFAULT); `tryBytes` answers undefined instead, for the
 * helpers that probe arbitrary addresses and report -EFAULT.
 */
export class KernelMemory {
  constructor(readonly arena: Arena) {}

  /** True when all of [address, address + size) is mapped. */
  mapped(address: bigint | number, size: number): boolean {
    const at = typeof address === 'bigint' ? address : BigInt(address);
    return size >= 0 && at >= BigInt(NULL_GUARD) && at + BigInt(size) <= BigInt(this.arena.bytes.length);
  }

  /** A view of [address, address + size), or undefined when any of it is unmapped. */
  tryBytes(address: bigint | number, size: number): Uint8Array | undefined {
    if (!this.mapped(address, size)) return undefined;
    const at = Number(address);
    return this.arena.bytes.subarray(at, at + size);
  }

  /** A view of [address, address + size); EFAULT when any of it is unmapped. */
  bytes(address: bigint | number, size: number): Uint8Array {
    const view = this.tryBytes(address, size);
    if (!view) throw new BpfError('EFAULT', `kernel memory: ${size} bytes at 0x${BigInt(address).toString(16)} are not mapped`);
    return view;
  }

  u32(address: bigint | number): number {
    const b = this.bytes(address, 4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  setU32(address: bigint | number, value: number): void {
    const b = this.bytes(address, 4);
    b[0] = value & 0xff;
    b[1] = (value >>> 8) & 0xff;
    b[2] = (value >>> 16) & 0xff;
    b[3] = (value >>> 24) & 0xff;
  }

  u64(address: bigint | number): bigint {
    return BigInt(this.u32(address)) | (BigInt(this.u32(Number(address) + 4)) << 32n);
  }

  /**
   * The NUL-terminated string at `address`, at most `max` bytes read, or undefined when the first
   * byte is unmapped. A string that runs into unmapped memory ends there.
   */
  cString(address: bigint | number, max: number): string | undefined {
    if (!this.mapped(address, 1)) return undefined;
    const start = Number(address);
    const end = Math.min(start + max, this.arena.bytes.length);
    const bytes = this.arena.bytes;
    let at = start;
    while (at < end && bytes[at] !== 0) at++;
    return Buffer.from(bytes.subarray(start, at)).toString('latin1');
  }
}
