import type { JsonWriter } from '../format/json-writer.js';
import type { MemorySample, ObjectCounts } from './bench-sampler.js';
import type { OperationSummary } from './bench-stats.js';

/** Everything a `bpfhive bench load` run found (its `-j` document has exactly these fields). */
export interface LoadReport {
  readonly clients: number;
  /** What was asked for, in seconds. */
  readonly duration_s: number;
  /** From the first request to the end of the last client's last cycle. */
  readonly elapsed_s: number;
  readonly mix: readonly string[];
  readonly operations: readonly OperationSummary[];
  /** All operations together. */
  readonly total: { readonly ok: number; readonly per_sec: number; readonly errors: number };
  /** Failures of every operation, by errno. */
  readonly errors: Readonly<Record<string, number>>;
  readonly objects: { readonly before: ObjectCounts; readonly after: ObjectCounts };
  /** Each service instance's memory, sampled through the run (first and last: before and after). */
  readonly memory: readonly MemorySample[];
}

/** Objects of some kind that were not there before the run. */
export function leftBehind(report: LoadReport): string[] {
  return (Object.keys(report.objects.before) as (keyof ObjectCounts)[])
    .filter((k) => report.objects.after[k] > report.objects.before[k])
    .map((k) => `${report.objects.after[k] - report.objects.before[k]} ${k}`);
}

/** The report as one JSON object, laid out by the writer (`-p` indents it as bpftool would). */
export function writeReportJson(json: JsonWriter, report: LoadReport): void {
  writeValue(json, report);
}

function writeValue(json: JsonWriter, value: unknown): void {
  if (Array.isArray(value)) {
    json.startArray();
    for (const v of value) writeValue(json, v);
    json.endArray();
  } else if (typeof value === 'object' && value !== null) {
    json.startObject();
    for (const [k, v] of Object.entries(value)) {
      json.name(k);
      writeValue(json, v);
    }
    json.endObject();
  } else if (typeof value === 'number') {
    json.number(value);
  } else if (typeof value === 'string') {
    json.string(value);
  } else if (typeof value === 'boolean') {
    json.bool(value);
  } else {
    json.null();
  }
}

const MiB = 2 ** 20;
const pad = (text: string | number, width: number): string => String(text).padStart(width);

/** The plain-text report. */
export function formatReport(report: LoadReport): string {
  const lines: string[] = [];
  lines.push(`bench load: ${report.clients} clients, ${report.duration_s} s asked, ${report.elapsed_s} s elapsed, mix ${report.mix.join(',')}`);
  lines.push('');
  lines.push(`${'operation'.padEnd(12)}${pad('ok', 9)}${pad('ops/s', 10)}${pad('p50 ms', 9)}${pad('p90 ms', 9)}${pad('p99 ms', 9)}${pad('max ms', 9)}  errors`);
  for (const o of report.operations) {
    const errors = Object.entries(o.errors).map(([e, n]) => `${e} ${n}`).join(', ');
    lines.push(`${o.op.padEnd(12)}${pad(o.ok, 9)}${pad(o.per_sec.toFixed(1), 10)}${pad(o.p50_ms.toFixed(2), 9)}${pad(o.p90_ms.toFixed(2), 9)}${pad(o.p99_ms.toFixed(2), 9)}${pad(o.max_ms.toFixed(2), 9)}  ${errors || '-'}`);
  }
  lines.push(`${'total'.padEnd(12)}${pad(report.total.ok, 9)}${pad(report.total.per_sec.toFixed(1), 10)}${' '.repeat(36)}  ${report.total.errors || '-'}`);
  lines.push('');
  const errors = Object.entries(report.errors);
  lines.push(`errors: ${errors.length === 0 ? 'none' : errors.map(([e, n]) => `${e} ${n}`).join(', ')}`);
  const counts = (c: ObjectCounts): string => `map ${c.map}  prog ${c.prog}  link ${c.link}  btf ${c.btf}`;
  const left = leftBehind(report);
  lines.push(`objects before: ${counts(report.objects.before)}`);
  lines.push(`objects after:  ${counts(report.objects.after)}  (${left.length === 0 ? 'none left behind' : `left behind: ${left.join(', ')}`})`);
  lines.push(...formatMemory(report.memory));
  return `${lines.join('\n')}\n`;
}

/** RSS per service instance over time: at most eight columns, evenly spread, always the first and the last. */
function formatMemory(samples: readonly MemorySample[]): string[] {
  if (samples.length === 0) return ['', 'memory: no service reported rss_bytes in its $SRV.STATS'];
  const times = [...new Set(samples.map((s) => s.t))].sort((a, b) => a - b);
  const shown = times.length <= 8 ? times : Array.from({ length: 8 }, (_, i) => times[Math.round((i * (times.length - 1)) / 7)]!);
  const instances = [...new Set(samples.map((s) => `${s.service} ${s.id}`))];
  const lines = ['', `${'RSS MiB at'.padEnd(34)}${shown.map((t) => pad(`${t.toFixed(1)}s`, 8)).join('')}`];
  for (const instance of instances) {
    const row = shown.map((t) => {
      const s = samples.find((x) => `${x.service} ${x.id}` === instance && x.t === t);
      return pad(s ? (s.rss_bytes / MiB).toFixed(1) : '-', 8);
    });
    const [service, id] = instance.split(' ');
    lines.push(`${`${service} ${id!.slice(-8)}`.padEnd(34)}${row.join('')}`);
  }
  return lines;
}
