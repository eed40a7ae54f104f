import { parseArgs } from 'node:util';
import { DEFAULT_NATS_URL, readUpEnv } from '../../up/env.js';
import { pingService } from '../../up/micro-ping.js';
import { connectChecked } from '../../up/nats-connect.js';
import type { Command } from '../command.js';
import { type CliIo, UsageError } from '../io.js';
import { errorLine } from '../tty.js';

export const pingCommand: Command = {
  name: 'ping',
  summary: 'check that a service answers on NATS (for health checks)',
  usage: `Usage: bpfhive ping SERVICE [--nats URL] [--timeout MS]

  Sends the NATS micro services PING ($SRV.PING.SERVICE) and prints one line per instance that
  answers: its name, id and version. Exits 0 when at least one answered, 1 otherwise, so it
  serves as a container health check. SERVICE is maps-store, verifier, jit, kernel-sim, or any
  micro service name.
    --nats URL     the NATS server (default: NATS_URL, else ${DEFAULT_NATS_URL})
    --timeout MS   how long to wait for answers (default 2000)`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { nats: { type: 'string' }, timeout: { type: 'string', default: '2000' } },
    });
    if (positionals.length !== 1) throw new UsageError('ping takes exactly one SERVICE, e.g. bpfhive ping jit');
    const name = positionals[0]!;
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new UsageError(`'${name}' is not a micro service name`);
    const timeoutMs = Number(values.timeout);
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout must be a positive number of milliseconds, not ${values.timeout}`);
    const fromEnv = readUpEnv(process.env).natsUrl;
    const url = values.nats ?? fromEnv ?? DEFAULT_NATS_URL;
    const origin = values.nats !== undefined ? '--nats' : fromEnv !== undefined ? 'from NATS_URL' : 'the default URL';
    const nc = await connectChecked(url, origin, 'bpfhive-ping', timeoutMs);
    try {
      const replies = await pingService(nc, name, { maxWaitMs: timeoutMs });
      if (replies.length === 0) {
        io.stderr(errorLine(io, `no ${name} service answered on ${url} within ${timeoutMs} ms`));
        return 1;
      }
      for (const r of replies) io.stdout(`${r.name} ${r.id} ${r.version}\n`);
      return 0;
    } finally {
      await nc.close();
    }
  },
};
