import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness } from '../../testing/harness.js';
import { udpFrame } from '../../testing/packets.js';
import { SKB_MAX_LEN } from './skb.js';

const EFAULT = 0xfffffff2;
const EINVAL = 0xffffffea;

async function tc(text: string, frame = udpFrame(), progType = 'sched_cls') {
  const h = kernelHarness();
  const { program } = await h.load(text, { prog_type: progType });
  return h.kernel.testRun(program.id, { data_in: frame });
}

describe('helpers - skb_load_bytes and skb_store_bytes', () => {
  it('helpers - load_bytes copies from skb->data: a tc program sees the Ethernet header, a socket filter the IP header', async () => {
    const program = `
      r2 = 0
      r3 = r10
      r3 += -8
      r4 = 2
      call ${H.skb_load_bytes}
      if r0 != 0 goto out
      r0 = *(u16 *)(r10 - 8)
      out:
      exit`;
    expect((await tc(program)).retval).toBe(0x0002); // the first two bytes of the destination MAC
    expect((await tc(program, udpFrame(), 'socket_filter')).retval).toBe(0x0045); // version/IHL, TOS
  });

  it('helpers - the offset is a u32 (the register\'s upper half is dropped, as in the C call); above INT_MAX it is -EFAULT', async () => {
    const load = (offset: string) => `
      r2 = ${offset}
      r3 = r10
      r3 += -8
      r4 = 2
      call ${H.skb_load_bytes}
      exit`;
    expect((await tc(load('0x100000000 ll'))).retval).toBe(0);
    expect((await tc(load('0x80000000 ll'))).retval).toBe(EFAULT);
  });

  it('helpers - load_bytes past the packet is -EFAULT and zeroes the two bytes it was to fill', async () => {
    const result = await tc(`
      *(u64 *)(r10 - 8) = -1
      r2 = 59
      r3 = r10
      r3 += -8
      r4 = 2
      call ${H.skb_load_bytes}
      r6 = r0
      r1 = *(u64 *)(r10 - 8)
      r0 = 0
      if r1 != -65536 goto out
      r0 = r6
      out:
      exit`);
    expect(result.retval).toBe(EFAULT);
  });

  it('helpers - store_bytes writes into the packet; bad flags are -EINVAL, past the end -EFAULT', async () => {
    const store = (offset: number, flags: number) => `
      *(u32 *)(r10 - 4) = 0x04030201
      r2 = ${offset}
      r3 = r10
      r3 += -4
      r4 = 4
      r5 = ${flags}
      call ${H.skb_store_bytes}
      exit`;
    const ok = await tc(store(0, 3));
    expect(ok.retval).toBe(0);
    expect(Array.from(ok.data_out!.subarray(0, 6))).toEqual([1, 2, 3, 4, 0, 0xbb]);
    expect((await tc(store(0, 4))).retval).toBe(EINVAL);
    expect((await tc(store(57, 0))).retval).toBe(EFAULT);
  });
});

describe('helpers - skb_change_tail, skb_change_head and skb_pull_data', () => {
  it('helpers - change_tail trims or zero-extends the packet and len follows', async () => {
    const program = (len: number) => `
      r6 = r1
      r2 = ${len}
      r3 = 0
      call ${H.skb_change_tail}
      if r0 != 0 goto out
      r0 = *(u32 *)(r6 + 0)
      out:
      exit`;
    const grown = await tc(program(64));
    expect(grown.retval).toBe(64);
    expect(grown.data_out).toEqual(Uint8Array.from([...udpFrame(), 0, 0, 0, 0]));
    const long = await tc(program(3000));
    expect(long.retval).toBe(3000);
    expect(long.data_out!.length).toBe(3000);
    expect((await tc(program(20))).data_out).toEqual(udpFrame().subarray(0, 20));
    expect((await tc(program(13))).retval).toBe(EINVAL); // shorter than the link header
    // BPF_SKB_MAX_LEN = SKB_MAX_ALLOC = 16384 - 320 on x86-64 (Linux >= 5.12), whatever the device's MTU.
    expect(SKB_MAX_LEN).toBe(16064);
    expect((await tc(program(16064))).retval).toBe(16064);
    expect((await tc(program(16065))).retval).toBe(EINVAL);
  });

  it('helpers - change_head pushes zeroed room in front of the packet, moving it when the headroom is short', async () => {
    const program = (room: number) => `
      r6 = r1
      r2 = ${room}
      r3 = 0
      call ${H.skb_change_head}
      if r0 != 0 goto out
      r0 = *(u32 *)(r6 + 0)
      out:
      exit`;
    for (const room of [8, 200]) {
      const result = await tc(program(room));
      expect(result.retval).toBe(60 + room);
      expect(result.data_out).toEqual(Uint8Array.from([...new Uint8Array(room), ...udpFrame()]));
    }
    expect((await tc(`r2 = 8\nr3 = 1\ncall ${H.skb_change_head}\nexit`)).retval).toBe(EINVAL);
    // len + head_room may reach BPF_SKB_MAX_LEN, not pass it.
    expect((await tc(program(16064 - 60))).retval).toBe(16064);
    expect((await tc(program(16064 - 59))).retval).toBe(EINVAL);
  });

  it('helpers - skb_pull_data succeeds up to the packet length', async () => {
    expect((await tc(`r2 = 60\ncall ${H.skb_pull_data}\nexit`)).retval).toBe(0);
    expect((await tc(`r2 = 61\ncall ${H.skb_pull_data}\nexit`)).retval).toBe(0xfffffff4); // -ENOMEM
  });
});
