import { dirname, join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import type { CliIo } from '../cli/io.js';
import { type ServiceName, builtServices, serviceMain } from './layout.js';
import { prefixed } from './lines.js';
import { type UpNats, provideNats } from './nats-choice.js';
import { connectChecked } from './nats-connect.js';
import type { UpOptions } from './options.js';
import { startDemo } from './demo.js';
import { type Answering, waitUntilAnswering } from './readiness.js';
import { onStopSignals } from './stop-signals.js';
import { formatReady } from './summary.js';
import { SupervisedProcess, type SupervisorSink } from './supervisor.js';

/** What `up` needs from its surroundings. */
export interface UpContext {
  readonly io: CliIo;
  /** The `packages/` folder (layout.ts `packagesDir()`). */
  readonly packages: string;
  /** The environment the services inherit; NATS_URL and MAPS_STORE_DATA are set on top. */
  readonly env: NodeJS.ProcessEnv;
}

/** A stop signal came before everything was up: not an error. */
class StoppedDuringStart extends Error {}

/**
 * `bpfhive up`: a NATS server (the given one, or a local nats-server it starts) and every built
 * service as its own supervised child process; waits until each answers `$SRV.PING`, says where
 * to connect, forwards their logs, and on SIGINT/SIGTERM/SIGHUP stops the children and then the
 * nats-server it started. Returns 0 after a requested stop; 1, with the reason on stderr, when
 * NATS is unusable, a service did not answer in time, or the local nats-server died — having
 * stopped everything it started. Throws, having started nothing, when no service is built.
 */
export async function runUp(options: UpOptions, ctx: UpContext): Promise<number> {
  const { present, missing } = builtServices(ctx.packages);
  if (present.length === 0) throw new Error('no service is built (no packages/<service>/dist/main.js): run npm run build first');
  const up = new UpRun(options, ctx);
  if (missing.length > 0) up.say(`not starting ${missing.join(', ')}: no packages/<service>/dist/main.js (not written yet, or not built: npm run build)`);
  return up.run(present, missing);
}

/** One run of `up`: what it started, and the signals it received. */
class UpRun {
  private processes: SupervisedProcess[] = [];
  private nats: UpNats | undefined;
  private nc: NatsConnection | undefined;
  private signals = 0;
  private readonly stopped: Promise<string>;
  private stopRequested: (signal: string) => void = () => {};

  constructor(
    private readonly options: UpOptions,
    private readonly ctx: UpContext,
  ) {
    this.stopped = new Promise((resolve) => (this.stopRequested = resolve));
  }

  say(text: string): void {
    this.ctx.io.stdout(prefixed('up', text));
  }

  async run(present: readonly ServiceName[], missing: readonly string[]): Promise<number> {
    const removeSignalHandlers = onStopSignals((signal) => this.onSignal(signal));
    // Should `up` itself die abnormally, take the children along (the handler must be synchronous).
    const killAll = (): void => this.processes.forEach((p) => p.kill());
    process.on('exit', killAll);
    let status = 0;
    try {
      const answering = await this.start(present);
      this.ctx.io.stdout(formatReady({ natsUrl: this.nats!.url, natsOrigin: this.nats!.origin, missing, services: present.map((name) => ({ name, instances: answering.get(name) ?? [] })) }));
      const demo = this.options.demo ? startDemo({ natsUrl: this.nats!.url, print: (text) => this.ctx.io.stdout(`${text}\n`) }) : undefined;
      status = await this.serve();
      await demo?.stop();
    } catch (e) {
      if (e instanceof StoppedDuringStart) this.say(`${e.message} during start: stopping`);
      else {
        this.ctx.io.stderr(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
        status = 1;
      }
    } finally {
      await this.shutdown();
      process.off('exit', killAll);
      removeSignalHandlers();
    }
    this.say(status === 0 ? 'stopped' : 'stopped after an error');
    return status;
  }

  /** The first signal stops gracefully; another one kills what still runs. */
  private onSignal(signal: string): void {
    if (++this.signals === 1) return this.stopRequested(signal);
    this.say(`${signal} again: killing everything now`);
    this.processes.forEach((p) => p.kill());
  }

  /** NATS, then the services; resolves with their instances once all answer. */
  private async start(present: readonly ServiceName[]): Promise<Answering> {
    const { options, ctx } = this;
    this.nats = await provideNats(options.nats, join(options.dataDir, 'nats'), options.readyTimeoutMs, ctx.env.PATH, ctx.io, options.quiet);
    if (this.nats.local) this.say(`started nats-server on ${this.nats.url} (pid ${this.nats.local.pid})`);
    this.nc = await connectChecked(this.nats.url, this.nats.origin, 'bpfhive-up');
    await this.stopIfSignalled();
    this.processes = this.plan(present, this.nats.url);
    for (const p of this.processes) {
      p.start();
      this.say(`started ${p.spec.label} (pid ${p.pid})`);
    }
    const expected = new Map(present.map((name) => [name, options.replicas.get(name) ?? 1]));
    const answering = await waitUntilAnswering(this.nc, expected, options.readyTimeoutMs, this.stopped);
    await this.stopIfSignalled();
    return answering;
  }

  private async stopIfSignalled(): Promise<void> {
    if (this.signals > 0) throw new StoppedDuringStart(await this.stopped);
  }

  /** The instances of every built service, one SupervisedProcess each. */
  private plan(present: readonly ServiceName[], natsUrl: string): SupervisedProcess[] {
    const { options, ctx } = this;
    const env = { ...ctx.env, NATS_URL: natsUrl, MAPS_STORE_DATA: join(options.dataDir, 'maps') };
    const sink: SupervisorSink = {
      line: (label, stream, text) => {
        // The tour keeps the screen to itself: only the services' stderr (warnings, errors) shows.
        if (options.quiet || (options.demo && stream === 'stdout')) return;
        if (stream === 'stdout') ctx.io.stdout(prefixed(label, text));
        else ctx.io.stderr(prefixed(label, text));
      },
      notice: (text) => ctx.io.stderr(prefixed('up', text)),
    };
    return present.flatMap((name) => {
      const n = options.replicas.get(name) ?? 1;
      return Array.from({ length: n }, (_, i) => {
        const label = n > 1 ? `${name}#${i + 1}` : name;
        const spec = { label, command: process.execPath, args: [serviceMain(ctx.packages, name)], env, cwd: dirname(ctx.packages) };
        return new SupervisedProcess(spec, sink);
      });
    });
  }

  /** Runs until a stop signal (0) or until the nats-server it started dies (1). */
  private async serve(): Promise<number> {
    const natsDied = this.nats?.local?.exited.then((code) => `nats-server exited unexpectedly (code ${code})`);
    const why = await Promise.race([this.stopped, ...(natsDied ? [natsDied] : [])]);
    if (this.signals > 0) {
      this.say(`${why}: stopping`);
      return 0;
    }
    this.ctx.io.stderr(prefixed('up', `${why}; stopping`));
    return 1;
  }

  /** The services first (they drain their subscriptions), then our connection, then nats-server. */
  private async shutdown(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    await this.nc?.close().catch(() => {});
    await this.nats?.local?.stop();
  }
}
