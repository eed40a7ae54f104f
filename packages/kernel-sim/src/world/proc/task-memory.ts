/**
 * A task's memory: a user region (for the strings, buffers and socket addresses its system calls
 * pass) and a small kernel block holding the user registers of its current system call (what
 * `__x64_sys_*` functions receive in di) and scratch for kernel-side copies (open_how, sockaddr).
 *
 * The user region is used as a ring: a pointer stays valid until the region has wrapped, that is
 * for at least the next `size` bytes of allocations — longer than any event batch needs.
 */
import { BpfError } from '@bpfhive/uapi';
import type { UserMemory } from '../ports.js';
import { PT_REGS_SIZE } from './pt-regs.js';

export const DEFAULT_USER_REGION = 64 * 1024;
const SCRATCH = 128;
const encoder = new TextEncoder();

export class TaskMemory {
  readonly base: number;
  readonly regsAddress: number;
  readonly scratchAddress: number;
  #next = 0;

  constructor(
    private readonly memory: UserMemory,
    readonly size = DEFAULT_USER_REGION,
  ) {
    this.base = memory.alloc(size);
    this.regsAddress = memory.alloc(PT_REGS_SIZE + SCRATCH);
    this.scratchAddress = this.regsAddress + PT_REGS_SIZE;
  }

  /** Copies `bytes` into the user region; returns their address. EFAULT when larger than the region. */
  put(bytes: Uint8Array): number {
    if (bytes.length > this.size) throw new BpfError('EFAULT', `task memory: ${bytes.length} bytes do not fit a ${this.size}-byte user region`);
    const len = Math.max(8, Math.ceil(bytes.length / 8) * 8);
    if (this.#next + len > this.size) this.#next = 0;
    const at = this.base + this.#next;
    this.#next += len;
    this.memory.write(at, bytes);
    return at;
  }

  /** A zeroed buffer of `length` bytes (for read). */
  reserve(length: number): number {
    return this.put(new Uint8Array(length));
  }

  /** A NUL-terminated string. */
  putString(text: string): number {
    return this.put(encoder.encode(`${text}\0`));
  }

  /** A NULL-terminated array of u64 pointers (argv, envp). */
  putPointers(addresses: readonly number[]): number {
    const out = new Uint8Array(8 * (addresses.length + 1));
    const view = new DataView(out.buffer);
    addresses.forEach((a, i) => view.setBigUint64(8 * i, BigInt(a), true));
    return this.put(out);
  }

  /** Writes into the user region at an address `put`/`reserve` returned. */
  write(address: number, bytes: Uint8Array): void {
    this.memory.write(address, bytes);
  }

  writeRegs(regs: Uint8Array): void {
    this.memory.write(this.regsAddress, regs);
  }

  /** Copies up to 128 bytes into the kernel scratch block; returns its address. */
  putScratch(bytes: Uint8Array): number {
    if (bytes.length > SCRATCH) throw new RangeError(`task memory: scratch holds ${SCRATCH} bytes, not ${bytes.length}`);
    this.memory.write(this.scratchAddress, bytes);
    return this.scratchAddress;
  }

  release(): void {
    this.memory.free(this.base, this.size);
    this.memory.free(this.regsAddress, PT_REGS_SIZE + SCRATCH);
  }
}
