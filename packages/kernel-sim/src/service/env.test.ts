import { describe, expect, it } from 'vitest';
import { readKernelSimConfig } from './env.js';

describe('kernel-sim config', () => {
  it('config - KERNEL_SIM_STATS=1 keeps run statistics on from the start; they are off by default', () => {
    expect(readKernelSimConfig({}).stats).toBe(false);
    expect(readKernelSimConfig({ KERNEL_SIM_STATS: '1' }).stats).toBe(true);
    expect(() => readKernelSimConfig({ KERNEL_SIM_STATS: 'yes' })).toThrow(/KERNEL_SIM_STATS must be a whole number from 0 to 1/);
  });

  it('config - KERNEL_SIM_CPU_THREADS=1 puts the simulated CPUs on worker threads; off by default', () => {
    expect(readKernelSimConfig({}).cpuThreads).toBe(false);
    expect(readKernelSimConfig({ KERNEL_SIM_CPU_THREADS: '1' }).cpuThreads).toBe(true);
    expect(() => readKernelSimConfig({ KERNEL_SIM_CPU_THREADS: 'on' })).toThrow(/KERNEL_SIM_CPU_THREADS must be a whole number from 0 to 1/);
  });
});
