import { SK_BUFF } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness, readU32 } from '../../testing/harness.js';
import { udpFrame } from '../../testing/packets.js';
import { member } from '../contexts/layout.js';
import { writeField } from '../contexts/write.js';
import type { TestRunAttr } from './attr.js';

/** An __sk_buff with the given fields set. */
function skb(values: Record<string, number | bigint | Uint8Array>): Uint8Array {
  const ctx = new Uint8Array(SK_BUFF.size);
  for (const [name, value] of Object.entries(values)) writeField(ctx, member(SK_BUFF, name), value);
  return ctx;
}
const at = (name: string) => member(SK_BUFF, name).offset;

/** Copies __sk_buff fields into the packet's first bytes so the test can read them from data_out. */
const dumpFields = (names: string[]) =>
  ['r6 = r1', 'r7 = *(u32 *)(r6 + 76)', 'r8 = *(u32 *)(r6 + 80)', 'r9 = r7', `r9 += ${4 * names.length}`, 'if r9 > r8 goto out']
    .concat(names.flatMap((name, i) => [`r2 = *(u32 *)(r6 + ${at(name)})`, `*(u32 *)(r7 + ${4 * i}) = r2`]))
    .concat(['out:', 'r0 = 0', 'exit'])
    .join('\n');

async function run(text: string, attr: TestRunAttr, progType = 'sched_cls') {
  const h = kernelHarness();
  const { program } = await h.load(text, { prog_type: progType });
  return h.kernel.testRun(program.id, attr);
}

describe('test_run - __sk_buff programs', () => {
  it('test_run - a tc program sees the frame from the MAC header with the fields eth_type_trans and the socket fill in', async () => {
    const names = ['len', 'pkt_type', 'protocol', 'ifindex', 'family', 'local_ip4', 'remote_ip4', 'wire_len', 'mark', 'priority'];
    const result = await run(dumpFields(names), { data_in: udpFrame(), ctx_in: skb({ mark: 7, priority: 3 }) });
    const out = result.data_out!;
    const field = (name: string) => readU32(out, 4 * names.indexOf(name));
    expect(names.map(field)).toEqual([60, 3, 0x0008, 1, 2, 0x0100000a, 0x0200000a, 60, 7, 3]);
  });

  it('test_run - a frame sent to the device address is PACKET_HOST, to broadcast PACKET_BROADCAST', async () => {
    const type = async (dst: number[]) => readU32((await run(dumpFields(['pkt_type']), { data_in: udpFrame(undefined, dst) })).data_out!);
    expect(await type([0, 0, 0, 0, 0, 0])).toBe(0);
    expect(await type([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).toBe(1);
    expect(await type([0x01, 0, 0x5e, 0, 0, 1])).toBe(2);
  });

  it('test_run - a socket filter sees the packet from the IP header; data_out puts back a zeroed link header', async () => {
    const result = await run('r0 = *(u32 *)(r1 + 0)\nexit', { data_in: udpFrame() }, 'socket_filter');
    expect(result.retval).toBe(46);
    expect(result.data_out).toEqual(Uint8Array.from([...new Uint8Array(14), ...udpFrame().subarray(14)]));
  });

  it('test_run - ctx_out carries back what the program changed (mark, priority, cb) and leaves the rest as given', async () => {
    const result = await run(
      `
      r2 = 99
      *(u32 *)(r1 + ${at('mark')}) = r2
      *(u32 *)(r1 + ${at('cb') + 4}) = r2
      r0 = 0
      exit`,
      { data_in: udpFrame(), ctx_in: skb({ priority: 5, gso_size: 1400, tstamp: 123n }) },
    );
    expect(result.ctx_out).toEqual(skb({ mark: 99, priority: 5, ifindex: 1, cb: Uint8Array.of(0, 0, 0, 0, 99, 0, 0, 0), wire_len: 60, gso_size: 1400, tstamp: 123n }));
  });

  it.each([
    ['a field that may not be set (len)', { data_in: udpFrame(), ctx_in: skb({ len: 1 }) }, 'EINVAL'],
    ['a field that may not be set (data)', { data_in: udpFrame(), ctx_in: skb({ data: 1 }) }, 'EINVAL'],
    ['wire_len below the packet length', { data_in: udpFrame(), ctx_in: skb({ wire_len: 59 }) }, 'EINVAL'],
    ['gso_segs above 65535', { data_in: udpFrame(), ctx_in: skb({ gso_segs: 65536 }) }, 'EINVAL'],
    ['an unknown device', { data_in: udpFrame(), ctx_in: skb({ ifindex: 9 }) }, 'ENODEV'],
    ['flags', { data_in: udpFrame(), flags: 1 }, 'EINVAL'],
    ['a cpu', { data_in: udpFrame(), cpu: 1 }, 'EINVAL'],
    ['a frame shorter than an Ethernet header', { data_in: new Uint8Array(13) }, 'EINVAL'],
    ['a frame longer than a page less headroom and tailroom', { data_in: new Uint8Array(3713) }, 'EINVAL'],
    ['data_size_out smaller than the packet', { data_in: udpFrame(), data_size_out: 10 }, 'ENOSPC'],
  ] as [string, TestRunAttr, string][])('test_run - %s is %s', async (_title, attr, code) => {
    await expect(run('r0 = 0\nexit', attr)).rejects.toMatchObject({ code });
  });

  it('test_run - wire_len may be set anywhere from the packet length to 64 KiB', async () => {
    const result = await run(dumpFields(['wire_len']), { data_in: udpFrame(), ctx_in: skb({ wire_len: 1500 }) });
    expect(readU32(result.data_out!)).toBe(1500);
  });
});

describe('test_run - legacy packet loads', () => {
  it('test_run - LD_ABS in a socket filter reads the packet from the network header, big-endian', async () => {
    const result = await run('r6 = r1\nr0 = *(u8 *)skb[9]\nr7 = r0\nr0 = *(u16 *)skb[2]\nr0 <<= 8\nr0 |= r7\nexit', { data_in: udpFrame() }, 'socket_filter');
    expect(result.retval).toBe((46 << 8) | 17); // IP total length 46, protocol UDP
  });
});
