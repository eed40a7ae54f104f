import { packagesDir } from '../../up/layout.js';
import { readUpEnv } from '../../up/env.js';
import { parseUpArgs } from '../../up/options.js';
import { runUp } from '../../up/up.js';
import type { Command } from '../command.js';
import type { CliIo } from '../io.js';

export const upCommand: Command = {
  name: 'up',
  summary: 'run NATS and every service on this machine, until Ctrl-C',
  usage: `Usage: bpfhive up [--nats URL | --no-nats] [--replicas SERVICE=N,...] [--data DIR] [--quiet] [--timeout SECONDS] [--demo]

  Runs the whole system here: a NATS server and every built service (maps-store, verifier, jit,
  kernel-sim), each as its own process (node packages/SERVICE/dist/main.js), restarted with
  backoff should it die. Waits until every service answers as a NATS micro service, then prints
  the NATS URL to export and the services' instance ids; forwards their logs as [SERVICE] lines.
  Ctrl-C (or SIGTERM) stops the services, then the NATS server it started, and exits 0.
    --nats URL       use this NATS server (default: NATS_URL when set; else start nats-server -js
                     on a free port, its JetStream store in DIR/nats)
    --no-nats        never start nats-server: use NATS_URL or nats://127.0.0.1:4222
    --replicas LIST  instances of the stateless services, e.g. jit=2,verifier=2 (default 1 each)
    --data DIR       where nats-server and the maps-store keep their files (default .bpfhive)
    --quiet          do not forward the services' logs
    --timeout S      how long the services get to answer at start (default 30)
    --demo           once up, a short tour (what npm start runs): load three examples, drive
                     processes and traffic, show their events and live counters; then stay up
                     (the services' stdout logs are not forwarded, their stderr is)`,
  async run(args: string[], io: CliIo): Promise<number> {
    const options = parseUpArgs(args, readUpEnv(process.env), process.cwd());
    return runUp(options, { io, packages: packagesDir(), env: process.env });
  },
};
