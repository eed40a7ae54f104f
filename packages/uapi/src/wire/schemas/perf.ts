import type { FromSchema } from 'json-schema-to-ts';
import { base64, u32 } from './common.js';

/**
 * Perf events for BPF output and program statistics, served by the kernel-sim:
 *
 * - `bpf.v1.perf_event_open {cpu, type?, config?, page_cnt?}` → `{perf_event_id}`: a BPF output
 *   event on one CPU (perf_event_open(2) with PERF_TYPE_SOFTWARE / PERF_COUNT_SW_BPF_OUTPUT, the
 *   only kind there is: EOPNOTSUPP for others) with a buffer of `page_cnt` pages (a power of two,
 *   default 8; EINVAL otherwise, or for a CPU the kernel does not have). User space puts the id into
 *   a PERF_EVENT_ARRAY slot with `map.<id>.update_elem`, as it puts the event's fd in Linux; the
 *   map must then be in the kernel (a program using it is loaded), or the kernel checks the id
 *   when it takes the map.
 * - `bpf.v1.perf_event.<id>.close {}` → `{}`: close(2) of the event (ENOENT unknown, EBADF closed
 *   already); slots that hold it keep it until they are overwritten or deleted.
 * - Published on `bpf.v1.map.<id>.perf` (SimSubjects.perf): one PerfRecord per sample a program
 *   wrote to the map with bpf_perf_event_output (or bpf_skb_output / bpf_xdp_output), and one per
 *   CPU whose buffer overflowed since the last drain, with the number of samples lost. Records are
 *   drained after every hook batch or test run.
 * - `bpf.v1.enable_stats {type: 'run_time' | 0}` → `{stats_id}` (BPF_ENABLE_STATS, CAP_SYS_ADMIN):
 *   programs count run_time_ns and run_cnt while the handle is held; `bpf.v1.stats.<id>.close {}`
 *   → `{}` drops it (EBADF when not held). KERNEL_SIM_STATS=1 keeps them on from the start (the
 *   kernel.bpf_stats_enabled sysctl).
 */
const object = <const P extends Record<string, unknown>, const R extends readonly string[]>(id: string, title: string, properties: P, required: R) =>
  ({ $id: id, title, type: 'object', additionalProperties: false, required, properties }) as const;

export const PerfEventOpenRequestSchema = object(
  'bpf.v1.perf_event_open.request',
  'perf_event_open for a BPF output event, or a sampling CPU clock, on one CPU',
  {
    cpu: { ...u32, description: 'the CPU the event is bound to; samples from other CPUs to it are EOPNOTSUPP' },
    type: { ...u32, description: 'perf_event_attr.type: 1 (PERF_TYPE_SOFTWARE), the default' },
    config: { ...u32, description: 'perf_event_attr.config: 10 (PERF_COUNT_SW_BPF_OUTPUT), the default, or 0 (PERF_COUNT_SW_CPU_CLOCK) with sample_period or freq and sample_freq' },
    page_cnt: { type: 'integer', minimum: 1, maximum: 65536, description: 'data pages of the event buffer, a power of two (default 8)' },
    sample_period: { type: 'integer', minimum: 1, maximum: 9007199254740991, description: 'config 0 (PERF_COUNT_SW_CPU_CLOCK): sample every this many ns' },
    sample_freq: { type: 'integer', minimum: 1, maximum: 4294967295, description: 'config 0 with freq: samples per second (at most kernel.perf_event_max_sample_rate, 100000)' },
    freq: { type: 'boolean', description: 'sample_freq, not sample_period' },
  },
  ['cpu'] as const,
);
export type PerfEventOpenRequest = FromSchema<typeof PerfEventOpenRequestSchema>;

export const PerfEventOpenReplySchema = object('bpf.v1.perf_event_open.reply', 'The new perf event', { perf_event_id: u32 }, ['perf_event_id'] as const);
export type PerfEventOpenReply = FromSchema<typeof PerfEventOpenReplySchema>;

export const PerfRecordSchema = object(
  'bpf.v1.map.perf.record',
  'One perf buffer record: a sample (cpu, data) as a libbpf perf_buffer sample callback receives it, or lost samples (cpu, lost) as its lost callback does',
  {
    cpu: { ...u32, description: 'the CPU whose buffer the record is in' },
    data: { ...base64, description: 'the sample (PERF_SAMPLE_RAW), absent in a lost record' },
    lost: { type: 'integer', minimum: 1, description: 'samples dropped because the buffer was full (PERF_RECORD_LOST)' },
  },
  ['cpu'] as const,
);
export type PerfRecordMessage = FromSchema<typeof PerfRecordSchema>;

export const EnableStatsRequestSchema = object(
  'bpf.v1.enable_stats.request',
  'BPF_ENABLE_STATS',
  { type: { oneOf: [{ type: 'string', enum: ['run_time'] }, { type: 'integer', minimum: 0, maximum: 4294967295 }], description: 'enum bpf_stats_type: run_time (0)' } },
  ['type'] as const,
);
export type EnableStatsRequest = FromSchema<typeof EnableStatsRequestSchema>;

export const EnableStatsReplySchema = object('bpf.v1.enable_stats.reply', 'The handle that keeps statistics on', { stats_id: u32 }, ['stats_id'] as const);
export type EnableStatsReply = FromSchema<typeof EnableStatsReplySchema>;
