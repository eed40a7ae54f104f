import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness, u32s } from '../../testing/harness.js';
import { rfc1071, udpFrame } from '../../testing/packets.js';

const EINVAL = 0xffffffea;
const EFAULT = 0xfffffff2;

async function tc(text: string, frame = udpFrame()) {
  const h = kernelHarness();
  const { program } = await h.load(text, { prog_type: 'sched_cls' });
  return h.kernel.testRun(program.id, { data_in: frame });
}

/** The IPv4 header of a frame is valid when its checksum sums to zero. */
const ipHeaderValid = (frame: Uint8Array): boolean => rfc1071(frame.subarray(14, 34)) === 0;

describe('helpers - l3_csum_replace and l4_csum_replace', () => {
  it('helpers - l3_csum_replace with a 2-byte field keeps the IPv4 header valid after a TTL decrement', async () => {
    const result = await tc(`
      r6 = r1
      r2 = *(u32 *)(r6 + 76)
      r3 = *(u32 *)(r6 + 80)
      r4 = r2
      r4 += 34
      if r4 > r3 goto out
      r7 = *(u16 *)(r2 + 22)
      r8 = r7
      r8 -= 1
      *(u16 *)(r2 + 22) = r8
      r1 = r6
      r2 = 24
      r3 = r7
      r4 = r8
      r5 = 2
      call ${H.l3_csum_replace}
      out:
      exit`);
    expect(result.retval).toBe(0);
    expect(result.data_out![22]).toBe(63);
    expect(ipHeaderValid(result.data_out!)).toBe(true);
  });

  it('helpers - csum_diff of the old and new address fed to l3_csum_replace (flags 0) keeps the header valid', async () => {
    const result = await tc(`
      r6 = r1
      r2 = *(u32 *)(r6 + 76)
      r3 = *(u32 *)(r6 + 80)
      r4 = r2
      r4 += 34
      if r4 > r3 goto out
      r7 = *(u32 *)(r2 + 26)
      *(u32 *)(r10 - 4) = r7
      r8 = 0x0900000a
      *(u32 *)(r10 - 8) = r8
      *(u32 *)(r2 + 26) = r8
      r1 = r10
      r1 += -4
      r2 = 4
      r3 = r10
      r3 += -8
      r4 = 4
      r5 = 0
      call ${H.csum_diff}
      r4 = r0
      r1 = r6
      r2 = 24
      r3 = 0
      r5 = 0
      call ${H.l3_csum_replace}
      out:
      exit`);
    expect(result.retval).toBe(0);
    expect(Array.from(result.data_out!.subarray(26, 30))).toEqual([10, 0, 0, 9]);
    expect(ipHeaderValid(result.data_out!)).toBe(true);
  });

  it.each([
    ['an odd offset', 'r2 = 25\nr5 = 2', EFAULT],
    ['an offset past the packet', 'r2 = 60\nr5 = 2', EFAULT],
    ['a field size of 3', 'r2 = 24\nr5 = 3', EINVAL],
    ['flags 0 with a from value', 'r2 = 24\nr3 = 1\nr5 = 0', EINVAL],
    ['an unknown flag', 'r2 = 24\nr5 = 0x12', EINVAL],
  ])('helpers - l3_csum_replace with %s is refused', async (_title, args, retval) => {
    expect((await tc(`r3 = 0\nr4 = 0\n${args}\ncall ${H.l3_csum_replace}\nexit`)).retval).toBe(retval);
  });

  it('helpers - l4_csum_replace with BPF_F_MARK_MANGLED_0 leaves a zero (absent) UDP checksum alone', async () => {
    const result = await tc(`r2 = 40\nr3 = 0\nr4 = 5\nr5 = 0x24\ncall ${H.l4_csum_replace}\nexit`);
    expect(result.retval).toBe(0);
    expect(Array.from(result.data_out!.subarray(40, 42))).toEqual([0, 0]);
  });

  it('helpers - l4_csum_replace writes 0xffff (CSUM_MANGLED_0) instead of a zero result with BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE', async () => {
    // The checksum field is 0; replacing nothing by nothing gives csum_fold(~0) = 0, sent as 0xffff.
    const result = await tc(`r2 = 40\nr3 = 0\nr4 = 0\nr5 = 0x64\ncall ${H.l4_csum_replace}\nexit`);
    expect(result.retval).toBe(0);
    expect(Array.from(result.data_out!.subarray(40, 42))).toEqual([0xff, 0xff]);
  });
});

describe('helpers - csum_diff', () => {
  /** ctx: from at 0, to at 16; returns csum_diff(from, f, to, t, seed). */
  const diff = async (from: Uint8Array, fromSize: number, to: Uint8Array, toSize: number, seed: number) => {
    const ctx = new Uint8Array(32);
    ctx.set(from, 0);
    ctx.set(to, 16);
    const { retval } = await kernelHarness().syscall(`r2 = ${fromSize}\nr3 = r1\nr3 += 16\nr4 = ${toSize}\nr5 = ${seed}\ncall ${H.csum_diff}\nexit`, ctx);
    return retval;
  };

  it('helpers - pushing a word then pulling it gives the seed back', async () => {
    const word = u32s(0x12345678);
    const pushed = await diff(new Uint8Array(0), 0, word, 4, 0x1111);
    expect(pushed).toBe((0x1111 + 0x5678 + 0x1234) & 0xffff);
    expect(await diff(word, 4, new Uint8Array(0), 0, pushed)).toBe(0x1111);
  });

  it('helpers - sizes that are not multiples of 4 are -EINVAL; no data returns the seed', async () => {
    expect(await diff(new Uint8Array(4), 2, new Uint8Array(4), 4, 0)).toBe(EINVAL);
    expect(await diff(new Uint8Array(0), 0, new Uint8Array(0), 0, 0x4242)).toBe(0x4242);
  });
});
