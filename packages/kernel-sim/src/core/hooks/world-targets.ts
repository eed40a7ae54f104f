import { findBtfType } from '@bpfhive/uapi';
import { kernelBtf } from '../../kbtf/kernel-btf.js';
import { KALLSYMS, TRACEPOINTS } from '../../world/index.js';
import type { AttachTargets } from '../links/attr.js';
import type { PerfEvents } from '../perf/perf-events.js';
import type { SimWorld } from './world.js';

const functions = new Map(KALLSYMS.map((s) => [s.name, s.address]));
const tracepoints = new Set(TRACEPOINTS.map((t) => `${t.category}/${t.name}`));
/** Raw tracepoints are the events with a raw form: every tracepoint but the syscalls:* ones (their raw form is raw_syscalls). */
const rawTracepoints = new Set(TRACEPOINTS.filter((t) => t.category !== 'syscalls').map((t) => t.name));

/**
 * What link_create checks targets against, from the simulated world: its devices (lo has no
 * native XDP, as its driver has none; the others do), the kernel functions of kallsyms and the
 * kernel BTF, the tracepoints the world fires, and the kernel's sampling perf events.
 */
export function worldTargets(world: SimWorld, perfEvents?: PerfEvents): AttachTargets {
  return {
    ...(perfEvents && {
      samplingEvent: (id: number) => perfEvents.sampling(id),
      perfEventExists: (id: number) => perfEvents.exists(id),
    }),
    device: (ifindex) => {
      const dev = world.devices.get(ifindex);
      return dev && { ifindex, native: dev.kind !== 'loopback' };
    },
    kernelFunction: (name) => functions.get(name),
    btfFunction: (id) => {
      const t = kernelBtf().types[id];
      return t?.kind === 'FUNC' ? t.name : undefined;
    },
    btfFunctionId: (name) => findBtfType(kernelBtf(), name, 'FUNC') ?? 0,
    tracepoint: (category, name) => tracepoints.has(`${category}/${name}`),
    rawTracepoint: (name) => rawTracepoints.has(name),
  };
}
