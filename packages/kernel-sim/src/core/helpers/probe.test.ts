import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness } from '../../testing/harness.js';

const EFAULT = 0xfffffff2;

/** ctx: 16 bytes of destination, then the source bytes; r3 = source address (ctx + 16, or `from`). */
const probe = (helper: number, size: number, from?: string) => `
  r3 = r1
  r3 += 16
  ${from ?? ''}
  r2 = ${size}
  call ${helper}
  exit`;

describe('helpers - probe_read_kernel / _user', () => {
  it.each([H.probe_read_kernel, H.probe_read_user, H.probe_read])('helpers - helper %i copies mapped memory and returns 0', async (helper) => {
    const h = kernelHarness();
    const ctx = new Uint8Array(32);
    ctx.set([1, 2, 3, 4, 5, 6, 7, 8], 16);
    const { retval, ctx: out } = await h.syscall(probe(helper, 6), ctx);
    expect(retval).toBe(0);
    expect(Array.from(out.subarray(0, 8))).toEqual([1, 2, 3, 4, 5, 6, 0, 0]);
  });

  it.each([
    ['NULL', 'r3 = 0'],
    ['an address past the kernel memory', 'r3 = -4096 ll'],
  ])('helpers - probe_read_kernel of %s is -EFAULT and zeroes the destination', async (_title, from) => {
    const h = kernelHarness();
    const { retval, ctx } = await h.syscall(probe(H.probe_read_kernel, 8, from), new Uint8Array(32).fill(9));
    expect(retval).toBe(EFAULT);
    expect(Array.from(ctx.subarray(0, 10))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 9, 9]);
  });
});

describe('helpers - probe_read_kernel_str / _user_str', () => {
  const withString = (text: string) => {
    const ctx = new Uint8Array(48).fill(0xee);
    ctx.set(Buffer.from(`${text}\0`, 'latin1'), 16);
    return ctx;
  };

  it.each([H.probe_read_kernel_str, H.probe_read_user_str, H.probe_read_str])('helpers - helper %i copies a string with its NUL and returns its length with the NUL', async (helper) => {
    const { retval, ctx } = await kernelHarness().syscall(probe(helper, 16), withString('hello'));
    expect(retval).toBe(6);
    expect(Buffer.from(ctx.subarray(0, 7)).toString('latin1')).toBe('hello\0\xee');
  });

  it('helpers - a string longer than the buffer is cut to size - 1 characters and a NUL; the result is size', async () => {
    const { retval, ctx } = await kernelHarness().syscall(probe(H.probe_read_kernel_str, 4), withString('hello'));
    expect(retval).toBe(4);
    expect(Buffer.from(ctx.subarray(0, 5)).toString('latin1')).toBe('hel\0\xee');
  });

  it('helpers - a string from NULL is -EFAULT with the destination zeroed; size 0 copies nothing', async () => {
    const h = kernelHarness();
    const fault = await h.syscall(probe(H.probe_read_kernel_str, 8, 'r3 = 0'), withString('x'));
    expect(fault.retval).toBe(EFAULT);
    expect(Array.from(fault.ctx.subarray(0, 9))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0xee]);
    expect((await h.syscall(probe(H.probe_read_kernel_str, 0), withString('x'))).retval).toBe(0);
  });
});
