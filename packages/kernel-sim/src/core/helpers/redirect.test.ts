import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness, u32s } from '../../testing/harness.js';
import { udpFrame } from '../../testing/packets.js';
import { buildXdpContext } from '../contexts/xdp.js';
import { buildSkbContext } from '../contexts/skb.js';
import { LOOPBACK } from '../net/devices.js';

/** A harness with a DEVMAP whose key 1 sends to ifindex 7 (maps-store's engine). */
function harness() {
  const h = kernelHarness();
  const devmap = h.map({ map_type: 'devmap', key_size: 4, value_size: 4, max_entries: 4 });
  h.directory.update(devmap, u32s(1), u32s(7), 0);
  return { h, devmap };
}

/** Runs an XDP program on a frame directly, to see the run state the hook would act on. */
async function runXdp(text: (devmap: number) => string) {
  const { h, devmap } = harness();
  const { program } = await h.load(text(devmap), { prog_type: 'xdp' });
  const { ctx, packet } = buildXdpContext(h.kernel.arena, { bytes: udpFrame(), metaLength: 0, ingressIfindex: 1, rxQueueIndex: 0 });
  return { devmap, ...h.kernel.run(program, h.kernel.cpus[0]!, ctx.address, { packet }) };
}

describe('helpers - bpf_redirect', () => {
  it('helpers - in XDP: XDP_REDIRECT and the target ifindex recorded; any flag is XDP_ABORTED', async () => {
    const ok = await runXdp(() => `r1 = 3\nr2 = 0\ncall ${H.redirect}\nexit`);
    expect(ok.r0).toBe(4n);
    expect(ok.state.redirect).toEqual({ kind: 'ifindex', ifindex: 3, flags: 0 });
    const flagged = await runXdp(() => `r1 = 3\nr2 = 1\ncall ${H.redirect}\nexit`);
    expect(flagged.r0).toBe(0n);
    expect(flagged.state.redirect).toBeUndefined();
  });

  it('helpers - in tc: TC_ACT_REDIRECT with BPF_F_INGRESS kept; other flags are TC_ACT_SHOT', async () => {
    const { h } = harness();
    const run = async (flags: number) => {
      const { program } = await h.load(`r1 = 5\nr2 = ${flags}\ncall ${H.redirect}\nexit`, { prog_type: 'sched_cls' });
      const { ctx, packet } = buildSkbContext(h.kernel.arena, { frame: udpFrame(), device: LOOPBACK, l2: true, fields: {} });
      return h.kernel.run(program, h.kernel.cpus[0]!, ctx.address, { packet });
    };
    const ingress = await run(1);
    expect([ingress.r0, ingress.state.redirect]).toEqual([7n, { kind: 'ifindex', ifindex: 5, flags: 1 }]);
    expect((await run(2)).r0).toBe(2n);
  });
});

describe('helpers - bpf_redirect_map', () => {
  it('helpers - a key with an entry redirects through the map and is recorded', async () => {
    const result = await runXdp((devmap) => `ld_pseudo r1, 1, ${devmap}\nr2 = 1\nr3 = 0\ncall ${H.redirect_map}\nexit`);
    expect(result.r0).toBe(4n);
    expect(result.state.redirect).toEqual({ kind: 'map', mapId: result.devmap, key: 1, flags: 0 });
  });

  it('helpers - an empty key gives the fallback action in the low flag bits; other flags are XDP_ABORTED', async () => {
    const fallback = await runXdp((devmap) => `ld_pseudo r1, 1, ${devmap}\nr2 = 2\nr3 = 2\ncall ${H.redirect_map}\nexit`);
    expect([fallback.r0, fallback.state.redirect]).toEqual([2n, undefined]);
    expect((await runXdp((devmap) => `ld_pseudo r1, 1, ${devmap}\nr2 = 1\nr3 = 0x40\ncall ${H.redirect_map}\nexit`)).r0).toBe(0n);
  });
});
