import type { BpfClient } from '../../client/index.js';
import type { Command } from '../command.js';
import { UsageError } from '../io.js';
import { type LoadReport, formatReport, leftBehind, writeReportJson } from './bench-report.js';
import { type MemorySample, allServiceMemory, objectCounts } from './bench-sampler.js';
import { LoadRecorder } from './bench-stats.js';
import { WORK_KINDS, type WorkKind, runClient } from './bench-workload.js';
import { type ToolContext, type ToolSubcommand, toolCommand } from './link-context.js';
import { type ArgCursor, isPrefix } from './map-args.js';
import { EXIT_FAILURE, EXIT_OK } from './map-context.js';

/** What a load run is asked to do. */
export interface LoadOptions {
  readonly clients: number;
  readonly durationS: number;
  readonly kinds: ReadonlySet<WorkKind>;
  /** How often services' memory is sampled, in ms. */
  readonly sampleMs: number;
}

const DEFAULTS: LoadOptions = { clients: 8, durationS: 10, kinds: new Set(WORK_KINDS), sampleMs: 1_000 };

/** `[clients N] [duration SECONDS] [mix KIND[,KIND…]] [sample MS]`, keywords by prefix as bpftool reads them. */
export function parseLoadArgs(args: ArgCursor): LoadOptions {
  let options = DEFAULTS;
  const number = (word: string, min: number, max: number): number => {
    const text = args.shift();
    const n = Number(text);
    if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`${word} must be a number from ${min} to ${max}, not '${text}'`);
    return n;
  };
  while (args.count > 0) {
    const word = args.shift();
    if (isPrefix(word, 'clients')) options = { ...options, clients: Math.floor(number('clients', 1, 1024)) };
    else if (isPrefix(word, 'duration')) options = { ...options, durationS: number('duration', 0.1, 86_400) };
    else if (isPrefix(word, 'sample')) options = { ...options, sampleMs: number('sample', 50, 3_600_000) };
    else if (isPrefix(word, 'mix')) {
      const kinds = args.shift().split(',');
      const bad = kinds.find((k) => !(WORK_KINDS as readonly string[]).includes(k));
      if (bad !== undefined) throw new UsageError(`mix takes ${WORK_KINDS.join(', ')}, not '${bad}'`);
      options = { ...options, kinds: new Set(kinds as WorkKind[]) };
    } else throw new UsageError(`what is '${word}'?`);
  }
  return options;
}

/**
 * Runs the load: object counts and services' memory before, `clients` clients for the duration
 * with the memory sampled every `sampleMs`, the counts and memory once every client finished its
 * last cycle.
 */
export async function runLoad(client: BpfClient, options: LoadOptions): Promise<LoadReport> {
  const before = await objectCounts(client);
  const start = performance.now();
  const seconds = (): number => Math.round((performance.now() - start) / 100) / 10;
  const memory: MemorySample[] = [...(await allServiceMemory(client.nc, 0))];
  const recorder = new LoadRecorder();
  const stopAt = start + options.durationS * 1000;
  const stop = (): boolean => performance.now() >= stopAt;
  const sampler = setInterval(() => {
    void allServiceMemory(client.nc, seconds()).then((s) => memory.push(...s), () => undefined);
  }, options.sampleMs);
  try {
    await Promise.all(Array.from({ length: options.clients }, (_, i) => runClient(client, i, options.kinds, recorder, stop)));
  } finally {
    clearInterval(sampler);
  }
  const elapsed = (performance.now() - start) / 1000;
  const after = await objectCounts(client);
  memory.push(...(await allServiceMemory(client.nc, seconds())));
  const operations = recorder.summary(elapsed);
  const errors = recorder.errorTotals();
  const ok = operations.reduce((n, o) => n + o.ok, 0);
  return {
    clients: options.clients,
    duration_s: options.durationS,
    elapsed_s: Math.round(elapsed * 1000) / 1000,
    mix: WORK_KINDS.filter((k) => options.kinds.has(k)),
    operations,
    total: { ok, per_sec: Math.round((ok / elapsed) * 1000) / 1000, errors: Object.values(errors).reduce((a, b) => a + b, 0) },
    errors,
    objects: { before, after },
    memory: memory.sort((a, b) => a.t - b.t),
  };
}

async function load(ctx: ToolContext, args: ArgCursor): Promise<number> {
  const options = parseLoadArgs(args);
  const report = await runLoad(await ctx.client(), options);
  if (ctx.out.json) writeReportJson(ctx.out.json, report);
  else ctx.out.plain(formatReport(report));
  return report.total.errors === 0 && leftBehind(report).length === 0 ? EXIT_OK : EXIT_FAILURE;
}

const benchLoad: ToolSubcommand = {
  name: 'load',
  synopsis: 'load [clients N] [duration SECONDS] [mix KIND[,KIND...]] [sample MS]',
  run: load,
};

/** `bpfhive bench …`: load generators against the running services. */
export const benchCommand: Command = toolCommand(
  'bench',
  'load the running services from many clients; throughput, latency, errors, memory',
  [benchLoad],
  [benchLoad],
  [
    '       KIND := { map | prog | link }   (default: all three)',
    '',
    '  load: N concurrent clients (default 8) on one NATS connection repeat whole object lifetimes',
    '  for the duration (default 10 s): map: map_create, map_update, map_lookup, map_delete,',
    '  map_close; prog: prog_load (verifier and JIT) then prog_close; link: link_create on a cgroup,',
    '  link_detach, link_close between the two. It prints per operation the successful operations,',
    '  their rate and latency (p50, p90, p99, max), failures by errno; the live maps, programs, links',
    '  and BTF objects before and after (get_next_id walks: needs CAP_SYS_ADMIN); and each service',
    "  instance's RSS every `sample` ms (default 1000), from its NATS micro services $SRV.STATS.",
    '  Exits 255 when an operation failed or objects were left behind.',
  ].join('\n'),
);
