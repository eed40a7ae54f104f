import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness } from '../../testing/harness.js';

describe('helpers - the CPU', () => {
  it('helpers - get_smp_processor_id is the CPU the program runs on', async () => {
    const h = kernelHarness({ cpus: 4 });
    const { program } = await h.load(`call ${H.get_smp_processor_id}\nexit`, { prog_type: 'raw_tracepoint' });
    expect([0, 1, 3].map((cpu) => h.kernel.testRun(program.id, { flags: 1, cpu }).retval)).toEqual([0, 1, 3]);
  });

  it('helpers - get_numa_node_id is 0 (one node) and get_prandom_u32 draws from the random source', async () => {
    const h = kernelHarness();
    const numa = await h.load(`call ${H.get_numa_node_id}\nexit`);
    expect(h.kernel.testRun(numa.program.id, {}).retval).toBe(0);
    const random = await h.load(`call ${H.get_prandom_u32}\nr6 = r0\ncall ${H.get_prandom_u32}\nr0 <<= 8\nr0 += r6\nexit`);
    expect(h.kernel.testRun(random.program.id, {}).retval).toBe((8 << 8) + 4);
  });
});
