import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness, u32s, u64s } from '../../testing/harness.js';

/** A program that looks up the u32 key in ctx[0] in `map` and returns the u64 at the value (0xdead when absent). */
const lookup = (map: number): string => `
  r2 = *(u32 *)(r1 + 0)
  *(u32 *)(r10 - 4) = r2
  ld_pseudo r1, 1, ${map}
  r2 = r10
  r2 += -4
  call ${H.map_lookup_elem}
  if r0 == 0 goto miss
  r0 = *(u64 *)(r0 + 0)
  exit
  miss:
  r0 = 0xdead
  exit`;

describe('compile - inlined map lookups and kernel data', () => {
  it('compile - array, percpu_array and hash lookups are inlined over the maps-store engines and see user-space updates', async () => {
    const h = kernelHarness({ cpus: 2 });
    const run = (id: number, key: number, cpu = 0): number => h.kernel.testRun(id, { ctx_in: u32s(key, 0), flags: 1, cpu }).retval;
    const array = h.map({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 4 });
    const percpu = h.map({ map_type: 'percpu_array', key_size: 4, value_size: 8, max_entries: 4 });
    const hash = h.map({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 8 });
    h.directory.update(array, u32s(2), u64s(22n), 0);
    h.directory.update(percpu, u32s(1), u64s(10n, 11n), 0);
    const programs = [];
    for (const map of [array, percpu, hash]) {
      const { program } = await h.load(lookup(map), { prog_type: 'raw_tracepoint' });
      expect(program.compiled.stats.inlinedCalls).toBe(1);
      programs.push(program.id);
    }
    const [a, p, x] = programs as [number, number, number];
    expect([run(a, 2), run(a, 3), run(a, 4)]).toEqual([22, 0, 0xdead]);
    expect([run(p, 1, 0), run(p, 1, 1), run(p, 9, 1)]).toEqual([10, 11, 0xdead]);
    // The hash table is rebuilt (moved) as keys come and go; the inlined probe follows the slots cell.
    for (let round = 0; round < 20; round++) {
      for (let k = 0; k < 8; k++) h.directory.update(hash, u32s(round * 8 + k), u64s(BigInt(round * 8 + k + 1000)), 0);
      expect(run(x, round * 8 + 5)).toBe(round * 8 + 5 + 1000);
      expect(run(x, round * 8 - 3)).toBe(0xdead);
      for (let k = 0; k < 8; k++) h.directory.delete(hash, u32s(round * 8 + k));
      expect(run(x, round * 8 + 5)).toBe(0xdead);
      h.kernel.arena.quiescent();
    }
  });

  it('compile - clocks, the CPU and current are read from the kernel data block', async () => {
    const h = kernelHarness({ cpus: 2 });
    const { program } = await h.load(`call ${H.ktime_get_ns}\nr6 = r0\ncall ${H.get_smp_processor_id}\nr0 += r6\nexit`, { prog_type: 'raw_tracepoint' });
    expect(program.compiled.stats.inlinedCalls).toBe(2);
    h.clock.monotonic = 1000n;
    expect(h.kernel.testRun(program.id, { flags: 1, cpu: 1 }).retval).toBe(1001);
    h.clock.advance(50n);
    expect(h.kernel.testRun(program.id, { flags: 1, cpu: 0 }).retval).toBe(1050);
  });
});
