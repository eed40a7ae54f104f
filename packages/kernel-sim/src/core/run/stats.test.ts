import { describe, expect, it } from 'vitest';
import { kernelHarness } from '../../testing/harness.js';
import { StatsSwitch } from './stats.js';

describe('stats switch', () => {
  it('stats switch - on while any BPF_ENABLE_STATS handle is held', () => {
    const stats = new StatsSwitch();
    expect(stats.enabled).toBe(false);
    const a = stats.enable(0);
    const b = stats.enable(0);
    expect(stats.enabled).toBe(true);
    stats.disable(a);
    expect(stats.enabled).toBe(true);
    stats.disable(b);
    expect(stats.enabled).toBe(false);
    expect(() => stats.disable(b)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('stats switch - always on with the sysctl set; an unknown stats type is EINVAL', () => {
    const stats = new StatsSwitch(true);
    expect(stats.enabled).toBe(true);
    expect(() => stats.enable(1)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});

describe('stats switch - program runs', () => {
  it('stats switch - run_cnt and run_time_ns grow only while stats are on', async () => {
    const stats = new StatsSwitch();
    const h = kernelHarness({ stats });
    const { program } = await h.load('r0 = 2\nexit', { prog_type: 'xdp' });
    const run = () => h.kernel.testRun(program.id, { data_in: new Uint8Array(64) });
    run();
    expect(h.kernel.info(program.id)).toMatchObject({ run_cnt: 0, run_time_ns: 0 });
    const handle = stats.enable(0);
    run();
    run();
    expect(h.kernel.info(program.id).run_cnt).toBe(2);
    stats.disable(handle);
    run();
    expect(h.kernel.info(program.id).run_cnt).toBe(2);
  });
});
