import type { NatsConnection, Subscription } from '@nats-io/transport-node';

/**
 * What a buffer reader (ring-buf-reader.ts, perf-buf-reader.ts) has received and not yet handed
 * out: records from its subscriptions in arrival order, taken by poll/consume or by an async
 * iterator. Closing wakes every waiter; an iterator then ends once the queue is empty.
 */
export class RecordQueue<T> {
  readonly #items: T[] = [];
  readonly #subs: Subscription[] = [];
  readonly #waiters = new Set<() => void>();
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  /** Subscribes to `subject`, queueing each message as `decode` makes it (undefined: dropped); resolves once the server has the subscription. */
  async listen(nc: NatsConnection, subject: string, decode: (json: unknown) => T | undefined): Promise<void> {
    this.#subs.push(
      nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err || this.#closed) return;
          const item = decode(msg.json());
          if (item === undefined) return;
          this.#items.push(item);
          this.#notify();
        },
      }),
    );
    await nc.flush();
  }

  /** Everything queued now, in order; the queue is left empty. */
  drain(): T[] {
    return this.#items.splice(0);
  }

  /** Puts `items` back in front (a callback stopped the consume before them). */
  unshift(items: readonly T[]): void {
    this.#items.unshift(...items);
  }

  /** Resolves once something is queued, the queue closes, or `timeoutMs` passes (negative: no limit; 0: at once). */
  async wait(timeoutMs: number): Promise<void> {
    if (this.#items.length > 0 || this.#closed || timeoutMs === 0) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        if (timer) clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = timeoutMs > 0 ? setTimeout(done, timeoutMs) : undefined;
      this.#waiters.add(done);
    });
  }

  /** The records as they come, until the queue closes and is empty. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      const item = this.#items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.#closed) return;
      await this.wait(-1);
    }
  }

  /** Unsubscribes and wakes every waiter; what is queued can still be taken. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const sub of this.#subs) sub.unsubscribe();
    this.#notify();
  }

  #notify(): void {
    for (const wake of [...this.#waiters]) wake();
  }
}
