import type { BpfMap } from '@bpfhive/maps-store';
import { HelperId, MapType } from '@bpfhive/uapi';
import { type HelperDef, type KernelServices, cpuOf, mapArg, negErrno, ptr } from './common.js';

/** The program side of maps-store's PERF_EVENT_ARRAY engine. */
interface PerfEventArray extends BpfMap {
  /** bpf_perf_event_output from `cpu`: 0 or a negative errno (slot, event and output errors). */
  output(cpu: number, flags: number, sample: Uint8Array): number;
}

const isPerfEventArray = (map: BpfMap): map is PerfEventArray => map.spec.map_type === MapType.PERF_EVENT_ARRAY && 'output' in map;

/**
 * bpf_perf_event_output(ctx, map, flags, data, size) (bpf_trace.c): the engine resolves the slot
 * (`flags & BPF_F_INDEX_MASK`, BPF_F_CURRENT_CPU for this CPU's) and hands the sample to the perf
 * event there through its PerfEventPort, with Linux's errors (-EINVAL, -E2BIG, -ENOENT,
 * -EOPNOTSUPP). Perf events themselves (perf_event_open, the readers on `bpf.v1.map.<id>.perf`)
 * are kernel objects of a later phase; until the kernel provides that port, slots are empty.
 */
export function perfHelpers(kernel: KernelServices): HelperDef[] {
  return [
    {
      id: HelperId.perf_event_output,
      fn: ([, m, flags, data, size], env) => {
        const { map } = mapArg(kernel, m);
        if (!isPerfEventArray(map) || flags > BigInt(Number.MAX_SAFE_INTEGER)) return negErrno('EINVAL');
        return BigInt(map.output(cpuOf(env).index, Number(flags), kernel.memory.bytes(ptr(data), Number(size)).slice()));
      },
    },
  ];
}
