import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness } from '../../testing/harness.js';
import { buildArgsContext } from '../contexts/tracing.js';

const EINVAL = 0xffffffffffffffean;
const EFAULT = 0xfffffffffffffff2n;
const EEXIST = 0xffffffffffffffefn;
const ENOMEM = 0xfffffffffffffff4n;

/** r0 = bpf_get_stack(ctx, fp - 32, `size`, `flags`); the buffer's first u64 goes to fp - 40 … returned via r0 when `first`. */
const getStack = (size: number, flags: string | number, first = false) => `
  r6 = r1
  r1 = 0x5a5a
  *(u64 *)(r10 - 32) = r1
  r1 = r6
  r2 = r10
  r2 += -32
  r3 = ${size}
  r4 = ${flags}
  call ${H.get_stack}
  ${first ? 'r0 = *(u64 *)(r10 - 32)' : ''}
  exit`;

function setup() {
  const h = kernelHarness();
  const ctx = buildArgsContext(h.kernel.arena, []);
  const cpu = h.kernel.cpus[0]!;
  const stacks = { kernel: [0xffffffff81000100n, 0xffffffff81000200n, 0xffffffff81000300n], user: [0x7f0000001000n] };
  return { h, ctx, cpu, stacks };
}

describe('helpers - bpf_get_stack and bpf_get_stackid', () => {
  it('bpf_get_stack - copies the frames after the skipped ones, zeroes the rest, returns the bytes copied', async () => {
    const { h, ctx, cpu, stacks } = setup();
    const copy = (await h.load(getStack(32, 1), { prog_type: 'raw_tracepoint' })).program;
    expect(h.kernel.run(copy, cpu, ctx.address, { stacks }).r0).toBe(16n);
    const first = (await h.load(getStack(32, 0, true), { prog_type: 'raw_tracepoint' })).program;
    expect(h.kernel.run(first, cpu, ctx.address, { stacks }).r0).toBe(0xffffffff81000100n);
    const user = (await h.load(getStack(8, 256, true), { prog_type: 'raw_tracepoint' })).program;
    expect(h.kernel.run(user, cpu, ctx.address, { stacks }).r0).toBe(0x7f0000001000n);
  });

  it('bpf_get_stack - EINVAL for unknown flags, a size not a multiple of the entry, build ids of a kernel stack; EFAULT with no stack or all skipped; the buffer is cleared', async () => {
    const { h, ctx, cpu, stacks } = setup();
    for (const [size, flags, code] of [
      [32, 1 << 12, EINVAL],
      [12, 0, EINVAL],
      [32, 1 << 11, EINVAL],
      [32, 3, EFAULT],
    ] as const) {
      const { program } = await h.load(getStack(size, flags), { prog_type: 'raw_tracepoint' });
      expect(h.kernel.run(program, cpu, ctx.address, { stacks }).r0).toBe(code);
    }
    const cleared = (await h.load(getStack(32, 1 << 12, true), { prog_type: 'raw_tracepoint' })).program;
    expect(h.kernel.run(cleared, cpu, ctx.address, { stacks }).r0).toBe(0n);
    const none = (await h.load(getStack(32, 0), { prog_type: 'raw_tracepoint' })).program;
    expect(h.kernel.run(none, cpu, ctx.address).r0).toBe(EFAULT);
  });

  it('bpf_get_stackid - an id per stack, EEXIST for another stack in a taken bucket (ENOMEM to replace it without a free trace), EINVAL for high flag bits, EFAULT without a stack', async () => {
    const { h, ctx, cpu, stacks } = setup();
    const map = h.map({ map_type: 'stack_trace', key_size: 4, value_size: 32, max_entries: 1 });
    const stackid = async (flags: string | number) =>
      (await h.load(`ld_pseudo r2, 1, ${map}\nr3 = ${flags}\ncall ${H.get_stackid}\nexit`, { prog_type: 'raw_tracepoint' })).program;
    const kernelId = h.kernel.run(await stackid(0), cpu, ctx.address, { stacks }).r0;
    expect(kernelId).toBe(0n); // one bucket
    expect(h.kernel.run(await stackid(0), cpu, ctx.address, { stacks }).r0).toBe(0n);
    expect(h.kernel.run(await stackid(256), cpu, ctx.address, { stacks }).r0).toBe(EEXIST);
    // BPF_F_REUSE_STACKID takes a free trace before it lets the old one go: with max_entries 1, none (as pcpu_freelist_pop).
    expect(h.kernel.run(await stackid(256 | 1024), cpu, ctx.address, { stacks }).r0).toBe(ENOMEM);
    expect(h.kernel.run(await stackid('0x100000000 ll'), cpu, ctx.address, { stacks }).r0).toBe(EINVAL);
    expect(h.kernel.run(await stackid(0), cpu, ctx.address).r0).toBe(EFAULT);
  });
});
