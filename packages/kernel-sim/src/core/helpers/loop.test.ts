import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness, readU64 } from '../../testing/harness.js';

/** bpf_loop(n, callback, ctx, flags); the callback adds its index to *ctx and stops once the sum passes `stop`. */
const loop = (n: number, stop: number, flags = 0) => `
  r6 = r1
  *(u64 *)(r6 + 0) = 0
  r1 = ${n}
  ld_pseudo r2, 4, callback
  r3 = r6
  r4 = ${flags}
  call ${H.loop}
  exit
  callback:
  r3 = *(u64 *)(r2 + 0)
  r3 += r1
  *(u64 *)(r2 + 0) = r3
  r0 = 0
  if r3 <= ${stop} goto done
  r0 = 1
  done:
  exit`;

describe('helpers - bpf_loop', () => {
  it('helpers - calls the callback with 0..n-1 and returns n', async () => {
    const { retval, ctx } = await kernelHarness().syscall(loop(5, 1000), new Uint8Array(8));
    expect([retval, readU64(ctx)]).toEqual([5, 10n]);
  });

  it('helpers - a callback returning 1 ends the loop; the result counts that call', async () => {
    const { retval, ctx } = await kernelHarness().syscall(loop(100, 5), new Uint8Array(8));
    expect([retval, readU64(ctx)]).toEqual([4, 6n]);
  });

  it('helpers - flags are -EINVAL and more than 8M iterations -E2BIG', async () => {
    const h = kernelHarness();
    expect((await h.syscall(loop(1, 0, 1), new Uint8Array(8))).retval).toBe(0xffffffea);
    expect((await h.syscall(loop(8 * 1024 * 1024 + 1, 0), new Uint8Array(8))).retval).toBe(0xfffffff9);
  });
});
