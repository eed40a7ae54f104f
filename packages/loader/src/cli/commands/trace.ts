import { parseArgs } from 'node:util';
import { Subjects } from '@bpfhive/uapi';
import { BpfClient } from '../../client/index.js';
import type { Command } from '../command.js';
import { type CliIo, UsageError } from '../io.js';

const USAGE = [
  'Usage: bpfhive trace [--count N] [--timeout SECONDS] [--nats URL]',
  '',
  "  Follows the kernel-sim's trace_pipe (bpf.v1.trace_pipe: every bpf_trace_printk line) and",
  '  prints each line until Ctrl-C, or until N lines (--count) or SECONDS (--timeout) have passed.',
  '  bpftool prog tracelog does the same with /sys/kernel/tracing/trace_pipe.',
].join('\n');

/** Resolves on SIGINT or SIGTERM, or after `ms` when given; `dispose` removes the handlers. */
export function stopSignal(ms: number | undefined): { done: Promise<void>; dispose(): void } {
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const onSignal = (): void => resolve();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = ms === undefined ? undefined : setTimeout(resolve, ms);
  return {
    done,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (timer) clearTimeout(timer);
    },
  };
}

function positive(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${what} must be a positive number, got '${text}'`);
  return n;
}

/** `bpfhive trace`: trace_pipe, one line per bpf_trace_printk. */
export const traceCommand: Command = {
  name: 'trace',
  summary: "follow trace_pipe (bpf_trace_printk's lines) until Ctrl-C",
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({ args, options: { count: { type: 'string', short: 'n' }, timeout: { type: 'string' }, nats: { type: 'string' } }, strict: true });
    const count = positive(values.count, '--count');
    const timeout = positive(values.timeout, '--timeout');
    const client = await BpfClient.connect({ ...(values.nats !== undefined && { servers: values.nats }), name: 'bpfhive-trace' });
    const stop = stopSignal(timeout === undefined ? undefined : timeout * 1000);
    try {
      const sub = client.nc.subscribe(Subjects.tracePipe, count === undefined ? {} : { max: count });
      await client.nc.flush();
      if (io.stdoutIsTty) io.stderr('Following bpf.v1.trace_pipe; Ctrl-C to stop.\n');
      const lines = (async () => {
        for await (const msg of sub) {
          const text = msg.string();
          io.stdout(text.endsWith('\n') ? text : `${text}\n`);
        }
      })();
      await Promise.race([lines, stop.done]);
      sub.unsubscribe();
      return 0;
    } finally {
      stop.dispose();
      await client.close();
    }
  },
};
