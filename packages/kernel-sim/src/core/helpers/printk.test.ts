import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness, u64s } from '../../testing/harness.js';
import { tracePipeLine } from './printk.js';

const EINVAL = 0xffffffea;

/** A context holding `text` at offset 0 (NUL-terminated) and room after it. */
const ctxWith = (text: string, size = 128): Uint8Array => {
  const ctx = new Uint8Array(size);
  ctx.set(Buffer.from(text, 'latin1'));
  return ctx;
};

describe('helpers - bpf_trace_printk', () => {
  it('helpers - prints one trace_pipe line and returns the length of the text', async () => {
    const h = kernelHarness({ syscallTask: { pid: 321, tgid: 321, uid: 0, gid: 0, comm: 'tester', cgroupId: 1n } });
    h.clock.monotonic = 12_345_678_901n;
    const fmt = 'n=%d u=%u x=%x\n\0';
    const { retval } = await h.syscall(`r2 = ${fmt.length}\nr3 = -3\nr4 = 7\nr5 = 255\ncall ${H.trace_printk}\nexit`, ctxWith(fmt));
    expect(retval).toBe('n=-3 u=7 x=ff\n'.length);
    expect(h.trace).toEqual(['          tester-321     [000] ...11    12.345678: bpf_trace_printk: n=-3 u=7 x=ff']);
  });

  it.each([
    ['a format without its NUL inside fmt_size', 'abc', 3],
    ['more conversions than the three arguments', '%d%d%d%d\0', 9],
    ['an unsupported conversion', '%f\0', 3],
  ])('helpers - %s is -EINVAL and prints nothing', async (_title, fmt, size) => {
    const h = kernelHarness();
    expect((await h.syscall(`r2 = ${size}\ncall ${H.trace_printk}\nexit`, ctxWith(fmt))).retval).toBe(EINVAL);
    expect(h.trace).toEqual([]);
  });

  it('helpers - trace_pipe lines name the task and CPU, right-align the comm and keep microseconds', () => {
    expect(tracePipeLine({ pid: 7, tgid: 7, uid: 0, gid: 0, comm: 'swapper/1', cgroupId: 1n }, 1, 1_000_000_500n, 'hi\n')).toBe(
      '       swapper/1-7       [001] ...11     1.000000: bpf_trace_printk: hi',
    );
  });
});

describe('helpers - bpf_trace_vprintk and bpf_snprintf', () => {
  it('helpers - trace_vprintk takes its arguments from an array of u64', async () => {
    const h = kernelHarness();
    const ctx = ctxWith('%s-%llu-%c\0', 128);
    ctx.set(Buffer.from('abc\0'), 96);
    const { retval } = await h.syscall(
      `
      r6 = r1
      r2 = r6
      r2 += 96
      *(u64 *)(r6 + 64) = r2
      *(u64 *)(r6 + 72) = 5
      *(u64 *)(r6 + 80) = 0x21
      r1 = r6
      r2 = 11
      r3 = r6
      r3 += 64
      r4 = 24
      call ${H.trace_vprintk}
      exit`,
      ctx,
    );
    expect(retval).toBe(7);
    expect(h.trace[0]).toMatch(/bpf_trace_printk: abc-5-!$/);
  });

  it('helpers - snprintf writes at most str_size - 1 characters and a NUL, and returns the full length plus one', async () => {
    const h = kernelHarness();
    const ctx = ctxWith('', 96);
    ctx.set(Buffer.from('%llu+%llu\0'), 32);
    ctx.set(u64s(1234n, 5n), 48);
    const call = (size: number) => `
      r6 = r1
      r2 = ${size}
      r3 = r6
      r3 += 32
      r4 = r6
      r4 += 48
      r5 = 16
      call ${H.snprintf}
      exit`;
    const full = await h.syscall(call(16), ctx);
    expect(full.retval).toBe(7);
    expect(Buffer.from(full.ctx.subarray(0, 8)).toString('latin1')).toBe('1234+5\0\0');
    const cut = await h.syscall(call(4), ctx);
    expect(cut.retval).toBe(7);
    expect(Buffer.from(cut.ctx.subarray(0, 5)).toString('latin1')).toBe('123\0\0');
  });

  it('helpers - snprintf with an argument array that is not whole u64s is -EINVAL', async () => {
    const ctx = ctxWith('', 64);
    ctx.set(Buffer.from('%d\0'), 32);
    const { retval } = await kernelHarness().syscall(`r2 = 8\nr3 = r1\nr3 += 32\nr4 = r1\nr5 = 12\ncall ${H.snprintf}\nexit`, ctx);
    expect(retval).toBe(EINVAL);
  });
});
