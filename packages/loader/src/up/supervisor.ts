import { type ChildProcess, spawn } from 'node:child_process';
import { RESTART_STABLE_MS, restartDelayMs, seconds } from './backoff.js';
import { eachLine } from './lines.js';
import { STOP_GRACE_MS, isRunning, stopProcess } from './stop-process.js';

/** What to run: a command line, its environment, and the label its log lines carry. */
export interface ProcessSpec {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** Where a supervised process's output and the supervisor's own notices go. */
export interface SupervisorSink {
  line(label: string, stream: 'stdout' | 'stderr', text: string): void;
  notice(text: string): void;
}

/**
 * A child process that is restarted, with exponential backoff, whenever it exits without being
 * asked to. It runs in its own process group, so a terminal's Ctrl-C reaches only the supervisor,
 * which then stops it with `stop()`. Its output is read line by line into the sink.
 */
export class SupervisedProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private failures = 0;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  /** How many times it was restarted. */
  restarts = 0;

  constructor(
    readonly spec: ProcessSpec,
    private readonly sink: SupervisorSink,
  ) {}

  /** The running process's id, or undefined between a crash and its restart. */
  get pid(): number | undefined {
    return this.child && isRunning(this.child) ? this.child.pid : undefined;
  }

  start(): void {
    const { command, args, env, cwd, label } = this.spec;
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    this.startedAt = Date.now();
    eachLine(child.stdout, (text) => this.sink.line(label, 'stdout', text));
    eachLine(child.stderr, (text) => this.sink.line(label, 'stderr', text));
    let gone = false;
    const onGone = (how: string): void => {
      if (gone) return;
      gone = true;
      this.onGone(how);
    };
    child.once('exit', (code, signal) => onGone(signal ? `killed by ${signal}` : `exit code ${code}`));
    child.once('error', (e) => child.pid === undefined && onGone(`could not start: ${e.message}`));
  }

  private onGone(how: string): void {
    if (this.stopping) return;
    if (Date.now() - this.startedAt >= RESTART_STABLE_MS) this.failures = 0;
    const delay = restartDelayMs(this.failures++);
    this.sink.notice(`${this.spec.label} stopped unexpectedly (${how}); restarting it in ${seconds(delay)}`);
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.restarts++;
      this.start();
      this.sink.notice(`${this.spec.label} restarted (pid ${this.child?.pid}, restart ${this.restarts})`);
    }, delay);
  }

  /** Stops it for good: no more restarts; SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs: number = STOP_GRACE_MS): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    if (this.child) await stopProcess(this.child, graceMs);
  }

  /** SIGKILL now and never restart: for a second Ctrl-C and for `up` exiting abnormally. */
  kill(): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    if (this.child && isRunning(this.child)) this.child.kill('SIGKILL');
  }
}
