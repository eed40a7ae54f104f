import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness } from '../../testing/harness.js';
import { udpFrame } from '../../testing/packets.js';

const EINVAL = 0xffffffea;
const EACCES = 0xfffffff3;

/** Loads an XDP program and test-runs it on `frame`. */
async function xdp(text: string, frame = udpFrame(), ctx?: Uint8Array) {
  const h = kernelHarness();
  const { program } = await h.load(text, { prog_type: 'xdp' });
  return h.kernel.testRun(program.id, { data_in: frame, ...(ctx && { ctx_in: ctx }) });
}

describe('helpers - xdp_adjust_head', () => {
  it('helpers - a negative delta makes room in front (encapsulation); the program writes it', async () => {
    const result = await xdp(`
      r6 = r1
      r2 = -4
      call ${H.xdp_adjust_head}
      if r0 != 0 goto out
      r2 = *(u32 *)(r6 + 0)
      r1 = 0x11223344
      *(u32 *)(r2 + 0) = r1
      r0 = 2
      out:
      exit`);
    const frame = udpFrame();
    expect(result.retval).toBe(2);
    expect(Array.from(result.data_out!.subarray(0, 4))).toEqual([0x44, 0x33, 0x22, 0x11]);
    expect(result.data_out!.subarray(4)).toEqual(frame);
  });

  it('helpers - a positive delta strips the front (decapsulation)', async () => {
    const result = await xdp(`r2 = 14\ncall ${H.xdp_adjust_head}\nexit`);
    expect(result.retval).toBe(0);
    expect(result.data_out).toEqual(udpFrame().subarray(14));
  });

  it.each([
    ['into the xdp_frame area', -217],
    ['leaving less than an Ethernet header', 51],
  ])('helpers - moving data %s is -EINVAL and changes nothing', async (_title, delta) => {
    const result = await xdp(`r2 = ${delta}\ncall ${H.xdp_adjust_head}\nexit`);
    expect(result.retval).toBe(EINVAL);
    expect(result.data_out).toEqual(udpFrame());
  });

  it('helpers - data may come as close as the end of the xdp_frame: 256 - 40 bytes of headroom', async () => {
    expect((await xdp(`r2 = -216\ncall ${H.xdp_adjust_head}\nexit`)).retval).toBe(0);
  });
});

describe('helpers - xdp_adjust_tail', () => {
  it('helpers - growing adds zeroed bytes, shrinking cuts the end', async () => {
    const grown = await xdp(`r2 = 6\ncall ${H.xdp_adjust_tail}\nexit`);
    expect(grown.retval).toBe(0);
    expect(grown.data_out).toEqual(Uint8Array.from([...udpFrame(), 0, 0, 0, 0, 0, 0]));
    const shrunk = await xdp(`r2 = -10\ncall ${H.xdp_adjust_tail}\nexit`);
    expect(shrunk.data_out).toEqual(udpFrame().subarray(0, 50));
  });

  it('helpers - test_run gives a 4096-byte frame (frame_sz): 256 of headroom, 320 of skb_shared_info, so data_end may reach 3520 bytes past data', async () => {
    expect((await xdp(`r2 = ${3520 - 60}\ncall ${H.xdp_adjust_tail}\nexit`)).retval).toBe(0);
    expect((await xdp(`r2 = ${3521 - 60}\ncall ${H.xdp_adjust_tail}\nexit`)).retval).toBe(EINVAL);
  });

  it.each([
    ['past the tailroom', 4000],
    ['below an Ethernet header', -47],
  ])('helpers - moving the end %s is -EINVAL', async (_title, delta) => {
    expect((await xdp(`r2 = ${delta}\ncall ${H.xdp_adjust_tail}\nexit`)).retval).toBe(EINVAL);
  });
});

describe('helpers - xdp_adjust_meta and xdp_get_buff_len', () => {
  it('helpers - metadata in front of the packet shows in data_out and in data - data_meta', async () => {
    const result = await xdp(`
      r6 = r1
      r2 = -8
      call ${H.xdp_adjust_meta}
      if r0 != 0 goto out
      r2 = *(u32 *)(r6 + 8)
      r1 = 0x0badcafe
      *(u32 *)(r2 + 4) = r1
      r1 = *(u32 *)(r6 + 0)
      r0 = *(u32 *)(r6 + 8)
      r1 -= r0
      r0 = r1
      out:
      exit`);
    expect(result.retval).toBe(8);
    expect(Array.from(result.data_out!.subarray(0, 8))).toEqual([0, 0, 0, 0, 0xfe, 0xca, 0xad, 0x0b]);
    expect(result.data_out!.subarray(8)).toEqual(udpFrame());
  });

  it.each([
    ['a length that is not a multiple of 4', -6, EACCES],
    ['more than 32 bytes', -36, EACCES],
    ['metadata past data', 4, EINVAL],
  ])('helpers - xdp_adjust_meta with %s is refused', async (_title, delta, retval) => {
    expect((await xdp(`r2 = ${delta}\ncall ${H.xdp_adjust_meta}\nexit`)).retval).toBe(retval);
  });

  it('helpers - xdp_get_buff_len is data_end - data', async () => {
    expect((await xdp(`call ${H.xdp_get_buff_len}\nexit`)).retval).toBe(udpFrame().length);
  });
});
