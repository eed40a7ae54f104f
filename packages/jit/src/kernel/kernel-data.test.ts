import { HelperId } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../interp/memory.js';
import type { CallEnv } from '../interp/env.js';
import { kernelDataHelpers } from './kernel-data-helpers.js';
import { KERNEL_DATA_HELPERS, KERNEL_DATA_SIZE, KernelDataBlock, KernelDataOffset, type PrandomState, prandomStep, seedPrandom } from './kernel-data.js';

const memory = (): WebAssembly.Memory => new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });

/** lib/tests/random32_kunit.c seeds a state with an LCG, warms it up (10 steps) and reads on. */
function kunitState(seed: number): PrandomState {
  const lcg = (x: number): number => Math.imul(x, 69069) >>> 0;
  const raise = (x: number, m: number): number => (x < m ? x + m : x);
  const s1 = raise(lcg(seed), 2);
  const s2 = raise(lcg(s1), 8);
  const s3 = raise(lcg(s2), 16);
  let state: PrandomState = [s1, s2, s3, raise(lcg(s3), 128)];
  for (let k = 0; k < 10; k++) state = prandomStep(state).state;
  return state;
}

describe('kernel data block', () => {
  it('layout - every field lies inside the block, 4- or 8-aligned, and no two overlap', () => {
    const fields = [...Object.entries(KernelDataOffset)].map(([name, offset]) => {
      const bytes = name === 'PRANDOM' ? 16 : name === 'CPU' || name === 'NUMA_NODE' ? 4 : 8;
      return { name, offset, bytes };
    });
    for (const f of fields) {
      expect(f.offset + f.bytes, f.name).toBeLessThanOrEqual(KERNEL_DATA_SIZE);
      expect(f.offset % Math.min(f.bytes, 8), f.name).toBe(0);
    }
    for (const a of fields) for (const b of fields) if (a !== b) expect(a.offset + a.bytes <= b.offset || b.offset + b.bytes <= a.offset, `${a.name} / ${b.name}`).toBe(true);
  });

  it('prandom - prandom_u32_state gives the results of the kernel self-test (lib/tests/random32_kunit.c)', () => {
    const test1: [number, number][] = [
      [1, 3484351685],
      [2, 2623130059],
      [3, 3125133893],
      [4, 984847254],
    ];
    for (const [seed, result] of test1) expect(prandomStep(kunitState(seed)).value, `seed ${seed}`).toBe(result);
    // test2: taus113 of the GSL, after `iteration` results.
    const test2: [number, number, number][] = [
      [931557656, 959, 2975593782],
      [1339693295, 876, 3887776532],
      [407983964, 921, 728767059],
    ];
    for (const [seed, iteration, result] of test2) {
      let state = kunitState(seed);
      for (let j = 0; j < iteration - 1; j++) state = prandomStep(state).state;
      expect(prandomStep(state).value, `seed ${seed}`).toBe(result);
    }
  });

  it('prandom - seedPrandom is prandom_seed_state then 10 warm-up steps: deterministic, never a zero word', () => {
    expect(seedPrandom(42n)).toEqual(seedPrandom(42n));
    expect(seedPrandom(42n)).not.toEqual(seedPrandom(43n));
    for (const seed of [0n, 1n, 0xffff_ffff_ffff_ffffn]) for (const word of seedPrandom(seed)) expect(word).not.toBe(0);
  });

  it('KernelDataBlock - writes what it is given, keeps the rest, reads it back', () => {
    const mem = memory();
    const block = new KernelDataBlock(mem, 0x1000);
    block.set({ ktimeNs: 123n, cpu: 3, pidTgid: (42n << 32n) | 43n, prandom: [1, 2, 3, 4] });
    block.set({ bootNs: -1n });
    const values = block.read();
    expect(values).toMatchObject({ ktimeNs: 123n, bootNs: 0xffff_ffff_ffff_ffffn, cpu: 3, pidTgid: (42n << 32n) | 43n, prandom: [1, 2, 3, 4], task: 0n });
    expect(new DataView(mem.buffer).getBigUint64(0x1000 + KernelDataOffset.PID_TGID, true)).toBe((42n << 32n) | 43n);
  });

  it('KernelDataBlock - rejects a misaligned block and one outside the memory', () => {
    expect(() => new KernelDataBlock(memory(), 0x1004)).toThrow(RangeError);
    expect(() => new KernelDataBlock(memory(), 65536 - 64)).toThrow(/outside the memory/);
  });

  it('kernelDataHelpers - each helper returns its field; get_prandom_u32 steps the stored state', () => {
    const mem = memory();
    const block = new KernelDataBlock(mem, 0x2000);
    const state = seedPrandom(7n);
    block.set({ ktimeNs: 1n, bootNs: 2n, coarseNs: 3n, taiNs: 4n, jiffies64: 5n, cpu: 6, numaNode: 7, pidTgid: 8n, uidGid: 9n, cgroupId: 10n, task: 11n, prandom: state });
    const env = { memory: new AddressSpace([{ name: 'kernel memory', base: 0n, bytes: new Uint8Array(mem.buffer), writable: true }]) } as unknown as CallEnv;
    const helpers = kernelDataHelpers(0x2000n);
    const call = (id: number): bigint => helpers.get(id)!.fn([0n, 0n, 0n, 0n, 0n], env);
    const expected: [number, bigint][] = [
      [HelperId.ktime_get_ns, 1n],
      [HelperId.ktime_get_boot_ns, 2n],
      [HelperId.ktime_get_coarse_ns, 3n],
      [HelperId.ktime_get_tai_ns, 4n],
      [HelperId.jiffies64, 5n],
      [HelperId.get_smp_processor_id, 6n],
      [HelperId.get_numa_node_id, 7n],
      [HelperId.get_current_pid_tgid, 8n],
      [HelperId.get_current_uid_gid, 9n],
      [HelperId.get_current_cgroup_id, 10n],
      [HelperId.get_current_task, 11n],
      [HelperId.get_current_task_btf, 11n],
    ];
    for (const [id, value] of expected) expect(call(id), `helper ${id}`).toBe(value);
    expect(expected.length + 1).toBe(KERNEL_DATA_HELPERS.size);
    const first = prandomStep(state);
    expect(call(HelperId.get_prandom_u32)).toBe(BigInt(first.value));
    expect(block.read().prandom).toEqual(first.state);
    expect(call(HelperId.get_prandom_u32)).toBe(BigInt(prandomStep(first.state).value));
    expect(helpers.get(HelperId.ktime_get_ns)!.name).toBe('bpf_ktime_get_ns');
  });
});
