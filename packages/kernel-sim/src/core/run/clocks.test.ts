import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness, readU64, u32s } from '../../testing/harness.js';
import { udpFrame } from '../../testing/packets.js';
import { Simulation } from '../hooks/simulation.js';
import { readsClocks } from './clocks.js';

describe('run - clocks', () => {
  it.each([
    ['r0 = 1\nexit', false],
    [`*(u32 *)(r10 - 4) = 0\nr1 = 0\nr2 = r10\nr2 += -4\ncall ${H.get_smp_processor_id}\nexit`, false],
    [`call ${H.ktime_get_ns}\nexit`, true],
    [`call ${H.ktime_get_coarse_ns}\nexit`, true],
    [`call ${H.jiffies64}\nexit`, true],
    [`call ${H.ktime_get_tai_ns}\nexit`, true],
  ])('run - readsClocks(%j) is %s', async (text, reads) => {
    const h = kernelHarness();
    const { program } = await h.load(text);
    expect(readsClocks(program)).toBe(reads);
  });

  it('run - a program that may tail-call reads the clocks (its callee may)', async () => {
    const h = kernelHarness();
    const progs = h.map({ map_type: 'prog_array', key_size: 4, value_size: 4, max_entries: 1 });
    const { program } = await h.load(`ld_pseudo r2, 1, ${progs}\nr3 = 0\ncall ${H.tail_call}\nr0 = 0\nexit`);
    expect(readsClocks(program)).toBe(true);
  });

  it('run - an XDP program run in batches reads the clock as it is at each batch', async () => {
    const h = kernelHarness({ cpus: 1 });
    const sim = new Simulation(h.kernel);
    const [eth0] = sim.createDevice({ name: 'eth0', queues: 1, addresses: ['10.0.0.2/24'] });
    const last = h.map({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 1 });
    // last[0] = bpf_ktime_get_ns(); XDP_DROP
    const { program } = await h.load(
      `call ${H.ktime_get_ns}\n*(u64 *)(r10 - 16) = r0\n*(u32 *)(r10 - 4) = 0\nld_pseudo r1, 1, ${last}\nr2 = r10\nr2 += -4\nr3 = r10\nr3 += -16\nr4 = 0\ncall ${H.map_update_elem}\nr0 = 1\nexit`,
      { prog_type: 'xdp' },
    );
    sim.links.create({ prog_id: program.id, attach_type: 'xdp', target_ifindex: eth0!.ifindex });
    const seen: bigint[] = [];
    for (let i = 0; i < 2; i++) {
      sim.receive('eth0', [udpFrame(), udpFrame()]);
      seen.push(readU64(h.directory.lookup(last, u32s(0))!));
      h.clock.advance(1_000_000n);
    }
    expect(seen).toEqual([h.clock.monotonic - 2_000_000n, h.clock.monotonic - 1_000_000n]);
  });
});
