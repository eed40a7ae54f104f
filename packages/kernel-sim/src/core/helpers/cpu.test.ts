import { prandomStep, seedPrandom } from '@bpfhive/jit';
import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness } from '../../testing/harness.js';

describe('helpers - the CPU', () => {
  it('helpers - get_smp_processor_id is the CPU the program runs on', async () => {
    const h = kernelHarness({ cpus: 4 });
    const { program } = await h.load(`call ${H.get_smp_processor_id}\nexit`, { prog_type: 'raw_tracepoint' });
    expect([0, 1, 3].map((cpu) => h.kernel.testRun(program.id, { flags: 1, cpu }).retval)).toEqual([0, 1, 3]);
  });

  it("helpers - get_numa_node_id is 0 (one node) and get_prandom_u32 is Linux's prandom_u32_state, seeded per CPU from the random source", async () => {
    const h = kernelHarness();
    const numa = await h.load(`call ${H.get_numa_node_id}\nexit`);
    expect(h.kernel.testRun(numa.program.id, {}).retval).toBe(0);
    const random = await h.load(`call ${H.get_prandom_u32}\n*(u32 *)(r10 - 4) = r0\ncall ${H.get_prandom_u32}\nr0 <<= 32\nr1 = *(u32 *)(r10 - 4)\nr0 |= r1\nexit`, { prog_type: 'raw_tracepoint' });
    // The harness's random source gives 4, 8, 15, 16, …: CPU 0 is seeded with 4 << 32 | 8, CPU 1 with 15 << 32 | 16.
    const draws = (seed: bigint, n: number): number[] => {
      let state = seedPrandom(seed);
      return Array.from({ length: n }, () => {
        const step = prandomStep(state);
        state = step.state;
        return step.value;
      });
    };
    const [a, b, c, d] = draws((4n << 32n) | 8n, 4);
    const pair = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo);
    const run = (cpu: number): bigint => BigInt(h.kernel.testRun(random.program.id, { flags: 1, cpu }).retval);
    // testRun's retval is the low 32 bits of r0: check the state moves on from run to run.
    expect(run(0)).toBe(pair(a!, b!) & 0xffff_ffffn);
    expect(run(0)).toBe(pair(c!, d!) & 0xffff_ffffn);
    const [e] = draws((15n << 32n) | 16n, 1);
    expect(run(1)).toBe(BigInt(e!));
  });
});
