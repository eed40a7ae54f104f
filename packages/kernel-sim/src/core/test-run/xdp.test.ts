import { describe, expect, it } from 'vitest';
import { kernelHarness, u32s } from '../../testing/harness.js';
import { udpFrame } from '../../testing/packets.js';
import type { TestRunAttr } from './attr.js';

/** xdp_md { data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex }. */
const xdpMd = (data: number, dataEnd: number, ingress = 0, queue = 0, egress = 0) => u32s(data, dataEnd, 0, ingress, queue, egress);

async function xdp(text: string, attr: TestRunAttr) {
  const h = kernelHarness();
  const { program } = await h.load(text, { prog_type: 'xdp' });
  return { h, id: program.id, run: () => h.kernel.testRun(program.id, attr) };
}

describe('test_run - XDP', () => {
  it('test_run - returns the verdict, the packet, and what the program sees in xdp_md', async () => {
    // r0 = (data_end - data) * 256 + ingress_ifindex * 16 + rx_queue_index
    const { run } = await xdp(
      `
      r2 = *(u32 *)(r1 + 0)
      r3 = *(u32 *)(r1 + 4)
      r3 -= r2
      r3 <<= 8
      r4 = *(u32 *)(r1 + 12)
      r4 <<= 4
      r3 += r4
      r4 = *(u32 *)(r1 + 16)
      r3 += r4
      r0 = r3
      exit`,
      { data_in: udpFrame() },
    );
    const result = run();
    expect(result.retval).toBe((60 << 8) | (1 << 4));
    expect(result.data_out).toEqual(udpFrame());
    expect(result.ctx_out).toBeUndefined();
  });

  it('test_run - the program reads and writes the packet through data and data_end', async () => {
    const { run } = await xdp(
      `
      r2 = *(u32 *)(r1 + 0)
      r3 = *(u32 *)(r1 + 4)
      r4 = r2
      r4 += 14
      if r4 > r3 goto drop
      r5 = *(u8 *)(r2 + 12)
      *(u8 *)(r2 + 0) = r5
      r0 = 2
      exit
      drop:
      r0 = 1
      exit`,
      { data_in: udpFrame() },
    );
    const result = run();
    expect(result.retval).toBe(2);
    expect(result.data_out![0]).toBe(0x08);
  });

  it('test_run - ctx_in with metadata: data_in starts with it, the program sees it before data, ctx_out gives the bounds back', async () => {
    const frame = udpFrame();
    const data = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, ...frame]);
    const { run } = await xdp(
      `
      r2 = *(u32 *)(r1 + 8)
      r0 = *(u8 *)(r2 + 0)
      exit`,
      { data_in: data, ctx_in: xdpMd(8, data.length, 1, 0) },
    );
    const result = run();
    expect(result.retval).toBe(1);
    expect(result.data_out).toEqual(data);
    expect(result.ctx_out).toEqual(xdpMd(8, data.length, 1, 0));
  });

  it('test_run - repeat runs the program again on the same frame, and run_cnt counts every run', async () => {
    const { h, id, run } = await xdp(`r0 = 2\nexit`, { data_in: udpFrame(), repeat: 5 });
    expect(run().retval).toBe(2);
    expect(h.kernel.info(id).run_cnt).toBe(5);
    expect(h.kernel.testRun(id, { data_in: udpFrame(), repeat: 0 }).duration).toBe(0); // the test clock stands still
    expect(h.kernel.info(id).run_cnt).toBe(6);
  });

  it('test_run - data_size_out smaller than the packet is ENOSPC; large enough or 0 is fine', async () => {
    const { h, id } = await xdp(`r0 = 2\nexit`, {});
    expect(() => h.kernel.testRun(id, { data_in: udpFrame(), data_size_out: 59 })).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    expect(h.kernel.testRun(id, { data_in: udpFrame(), data_size_out: 60 }).data_out).toHaveLength(60);
    expect(h.kernel.testRun(id, { data_in: udpFrame(), data_size_out: 0 }).data_out).toHaveLength(60);
    expect(() => h.kernel.testRun(id, { data_in: udpFrame(), ctx_in: xdpMd(0, 60), ctx_size_out: 20 })).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
  });

  it.each([
    ['data_in shorter than an Ethernet header', { data_in: new Uint8Array(13) }, 'EINVAL'],
    ['no data_in', {}, 'EINVAL'],
    ['flags other than live frames', { data_in: udpFrame(), flags: 1 }, 'EINVAL'],
    ['live frames', { data_in: udpFrame(), flags: 2 }, 'EOPNOTSUPP'],
    ['batch_size without live frames', { data_in: udpFrame(), batch_size: 4 }, 'EINVAL'],
    ['a packet that needs fragments', { data_in: new Uint8Array(3521) }, 'EOPNOTSUPP'],
    ['xdp_md.data_meta set', { data_in: udpFrame(), ctx_in: u32s(0, 60, 4) }, 'EINVAL'],
    ['xdp_md.data_end other than the size', { data_in: udpFrame(), ctx_in: xdpMd(0, 59) }, 'EINVAL'],
    ['metadata that is not a multiple of 4', { data_in: udpFrame(), ctx_in: xdpMd(6, 60) }, 'EINVAL'],
    ['metadata longer than 32 bytes', { data_in: udpFrame(), ctx_in: xdpMd(36, 60) }, 'EINVAL'],
    ['egress_ifindex set', { data_in: udpFrame(), ctx_in: xdpMd(0, 60, 1, 0, 1) }, 'EINVAL'],
    ['rx_queue_index without ingress_ifindex', { data_in: udpFrame(), ctx_in: xdpMd(0, 60, 0, 1) }, 'EINVAL'],
    ['an rx queue the device does not have', { data_in: udpFrame(), ctx_in: xdpMd(0, 60, 1, 1) }, 'EINVAL'],
    ['an unknown ingress device', { data_in: udpFrame(), ctx_in: xdpMd(0, 60, 9) }, 'ENODEV'],
    ['ctx_in longer than xdp_md with non-zero bytes after it', { data_in: udpFrame(), ctx_in: Uint8Array.from([...xdpMd(0, 60), 1]) }, 'E2BIG'],
    ['an empty ctx_in', { data_in: udpFrame(), ctx_in: new Uint8Array(0) }, 'EINVAL'],
  ] as [string, TestRunAttr, string][])('test_run - %s is %s', async (_title, attr, code) => {
    const { run } = await xdp(`r0 = 2\nexit`, attr);
    expect(run).toThrow(expect.objectContaining({ code }));
  });

  it('test_run - a DEVMAP program cannot be test-run', async () => {
    const h = kernelHarness();
    const { program } = await h.load(`r0 = 2\nexit`, { prog_type: 'xdp', expected_attach_type: 'xdp_devmap' });
    expect(() => h.kernel.testRun(program.id, { data_in: udpFrame() })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('test_run - the largest single-buffer packet fits: a page less 256 bytes of headroom and the shared info', async () => {
    const { run } = await xdp(`r0 = 2\nexit`, { data_in: new Uint8Array(3520) });
    expect(run().data_out).toHaveLength(3520);
  });
});
