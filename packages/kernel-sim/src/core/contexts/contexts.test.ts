import { PT_REGS, SOCK_ADDR } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness } from '../../testing/harness.js';
import { member } from './layout.js';
import { buildSockAddr } from './sock-addr.js';
import { buildArgsContext, placeContext } from './tracing.js';

describe('contexts - tracing', () => {
  it('contexts - a kprobe program reads its arguments from pt_regs laid out as uapi says (PT_REGS_PARM1 = di)', async () => {
    const h = kernelHarness();
    const { program } = await h.load(`r0 = *(u64 *)(r1 + ${member(PT_REGS, 'di').offset})\nr2 = *(u64 *)(r1 + ${member(PT_REGS, 'si').offset})\nr0 -= r2\nexit`, { prog_type: 'kprobe' });
    const regs = new Uint8Array(PT_REGS.size);
    const view = new DataView(regs.buffer);
    view.setBigUint64(member(PT_REGS, 'di').offset, 50n, true);
    view.setBigUint64(member(PT_REGS, 'si').offset, 8n, true);
    const ctx = placeContext(h.kernel.arena, regs);
    expect(h.kernel.run(program, h.kernel.cpus[0]!, ctx.address, { funcIp: 0xffffffff81234560n }).r0).toBe(42n);
  });

  it('contexts - raw tracepoint and fentry contexts are u64 arrays', async () => {
    const h = kernelHarness();
    const { program } = await h.load('r0 = *(u64 *)(r1 + 16)\nexit', { prog_type: 'raw_tracepoint' });
    const ctx = buildArgsContext(h.kernel.arena, [1n, 2n, 0xfedcba9876543210n]);
    expect(h.kernel.run(program, h.kernel.cpus[0]!, ctx.address).r0).toBe(0xfedcba9876543210n);
    expect(() => buildArgsContext(h.kernel.arena, new Array<bigint>(14).fill(0n))).toThrow(/at most 12 arguments/);
  });
});

describe('contexts - bpf_sock_addr', () => {
  it('contexts - the user address in network byte order, the socket type and protocol', async () => {
    const h = kernelHarness();
    const text = ['user_family', 'user_ip4', 'user_port', 'type', 'protocol']
      .map((name, i) => `r2 = *(u32 *)(r1 + ${member(SOCK_ADDR, name).offset})\n*(u32 *)(r10 - ${4 * (i + 1)}) = r2`)
      .join('\n');
    const { program } = await h.load(`${text}\nr0 = *(u32 *)(r10 - 4)\nr2 = *(u32 *)(r10 - 12)\nr0 <<= 16\nr0 |= r2\nexit`, {
      prog_type: 'cgroup_sock_addr',
      expected_attach_type: 'cgroup_inet4_connect',
    });
    const ctx = buildSockAddr(h.kernel.arena, { family: 2, type: 1, protocol: 6, ip: Uint8Array.of(10, 0, 0, 1), port: 8080 });
    // AF_INET << 16 | htons(8080) as the u32 Linux stores.
    expect(h.kernel.run(program, h.kernel.cpus[0]!, ctx.address).r0).toBe((2n << 16n) | 0x901fn);
    const bytes = ctx.bytes;
    expect(Array.from(bytes.subarray(member(SOCK_ADDR, 'user_ip4').offset, member(SOCK_ADDR, 'user_ip4').offset + 4))).toEqual([10, 0, 0, 1]);
  });
});
