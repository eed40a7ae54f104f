/**
 * How fault tests judge calls made while something breaks: every call must end, either with its
 * result or with a BpfSyscallError carrying an errno. A call still pending after its deadline is
 * a hang; anything else thrown (a TypeError, a nats.js error that escaped the client) is a crash.
 */
import { BpfSyscallError } from '../../src/client/index.js';

export type Outcome<T> =
  | { readonly kind: 'ok'; readonly value: T; readonly startedAt: number }
  | { readonly kind: 'errno'; readonly code: string; readonly message: string; readonly startedAt: number }
  | { readonly kind: 'hang' | 'crash'; readonly message: string; readonly startedAt: number };

/** Runs `call` and says how it ended, waiting at most `withinMs` (then: a hang). */
export async function settle<T>(call: () => Promise<T>, withinMs: number): Promise<Outcome<T>> {
  const startedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'hang', message: `still pending after ${withinMs} ms`, startedAt }), withinMs);
  });
  const ended = call().then(
    (value): Outcome<T> => ({ kind: 'ok', value, startedAt }),
    (e: unknown): Outcome<T> =>
      e instanceof BpfSyscallError
        ? { kind: 'errno', code: e.code, message: e.message, startedAt }
        : { kind: 'crash', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e), startedAt },
  );
  try {
    return await Promise.race([ended, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** The outcomes that are neither a result nor an errno in `allowed`, one line each (empty: all fine). */
export function unclean(outcomes: readonly Outcome<unknown>[], allowed: readonly string[]): string[] {
  return outcomes
    .filter((o) => o.kind !== 'ok' && !(o.kind === 'errno' && allowed.includes(o.code)))
    .map((o) => `${o.kind}${o.kind === 'errno' ? ` ${o.code}` : ''}: ${'message' in o ? o.message : ''}`);
}

/**
 * Retries `attempt` (which throws, e.g. a failed expect, until the condition holds) every 100 ms
 * until it returns, or fails with its last error once `withinMs` passed.
 */
export async function eventually<T>(what: string, withinMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await attempt();
    } catch (e) {
      if (Date.now() >= deadline) throw new Error(`${what}: not within ${withinMs} ms; last: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Calls made one after another by each of several callers until stop(); every outcome kept. */
export class CallStream<T> {
  readonly outcomes: Outcome<T>[] = [];
  #stopped = false;
  readonly #loops: Promise<void>[];

  /** `callers[i]` makes one call; each ends within `hangMs` or counts as a hang. */
  constructor(callers: readonly (() => Promise<T>)[], hangMs: number) {
    this.#loops = callers.map(async (call) => {
      while (!this.#stopped) this.outcomes.push(await settle(call, hangMs));
    });
  }

  /** How many calls started at or after `at` (Date.now()) have ended, and how many of them succeeded. */
  since(at: number): { ended: number; succeeded: number } {
    const later = this.outcomes.filter((o) => o.startedAt >= at);
    return { ended: later.length, succeeded: later.filter((o) => o.kind === 'ok').length };
  }

  /** Stops after the calls under way; resolves with every outcome. */
  async stop(): Promise<Outcome<T>[]> {
    this.#stopped = true;
    await Promise.all(this.#loops);
    return this.outcomes;
  }
}
