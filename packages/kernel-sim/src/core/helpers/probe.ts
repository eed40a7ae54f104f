import { HelperId } from '@bpfhive/uapi';
import { type HelperDef, type KernelServices, negErrno, ptr, u32 } from './common.js';

/**
 * The probe-read helpers (bpf_trace.c): copy from an arbitrary address, which may be unmapped.
 *
 * - probe_read_kernel / _user (and the legacy probe_read): copy `size` bytes; on a fault zero the
 *   destination and return -EFAULT.
 * - probe_read_kernel_str / _user_str (and probe_read_str): copy up to size - 1 bytes and a NUL,
 *   returning the length including the NUL; a string running into unmapped memory faults
 *   (-EFAULT, destination zeroed); size 0 returns 0.
 *
 * Kernel and user memory are the same arena in phase 1; processes get their own user memory with
 * the simulated world.
 */
export function probeHelpers(kernel: KernelServices): HelperDef[] {
  const { memory } = kernel;
  const read = ([dst, size, src]: readonly bigint[]): bigint => {
    const out = memory.bytes(ptr(dst!), u32(size!));
    const from = memory.tryBytes(src!, out.length);
    if (!from) {
      out.fill(0);
      return negErrno('EFAULT');
    }
    out.set(from);
    return 0n;
  };
  const readStr = ([dst, size, src]: readonly bigint[]): bigint => {
    const out = memory.bytes(ptr(dst!), u32(size!));
    if (out.length === 0) return 0n;
    for (let i = 0; i < out.length - 1; i++) {
      const byte = memory.tryBytes(src! + BigInt(i), 1);
      if (!byte) {
        out.fill(0);
        return negErrno('EFAULT');
      }
      out[i] = byte[0]!;
      if (byte[0] === 0) return BigInt(i + 1);
    }
    out[out.length - 1] = 0;
    return BigInt(out.length);
  };
  return [
    { id: HelperId.probe_read, fn: read },
    { id: HelperId.probe_read_kernel, fn: read },
    { id: HelperId.probe_read_user, fn: read },
    { id: HelperId.probe_read_str, fn: readStr },
    { id: HelperId.probe_read_kernel_str, fn: readStr },
    { id: HelperId.probe_read_user_str, fn: readStr },
  ];
}
