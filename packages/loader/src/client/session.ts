import { SESSION_TTL, Subjects } from '@bpfhive/uapi';
import { BpfSyscallError } from './errors.js';
import type { Transport } from './transport.js';

export interface SessionOptions {
  /** How long the services keep the session's objects once keep-alives stop, in ms (default 10 000; clamped to 100 … 600 000). */
  readonly ttlMs?: number;
  /**
   * Called once if the services no longer know the session (EBADF on a keep-alive: it expired
   * while this process was stalled or cut off, or the maps-store restarted). Its objects are
   * closed, as a crashed process's fds are; what was pinned lives on.
   */
  readonly onLost?: (error: BpfSyscallError) => void;
}

/**
 * A client session (DESIGN.md §2; uapi schemas/session.ts): opened with bpf.v1.session_open,
 * kept alive every ttl / 3 from an unref'd timer (it never holds the process open), closed with
 * bpf.v1.session.<id>.close. The objects created under it — every request names it in the
 * Bpf-Session header — are closed by the services when it closes or when keep-alives stop for
 * longer than its TTL: a client that crashes leaks nothing.
 */
export class ClientSession {
  #timer: NodeJS.Timeout | undefined;
  #lost = false;

  private constructor(
    private readonly transport: Transport,
    readonly id: string,
    readonly ttlMs: number,
    private readonly onLost?: (error: BpfSyscallError) => void,
  ) {}

  /** Opens a session and starts its keep-alives. */
  static async open(transport: Transport, options: SessionOptions = {}): Promise<ClientSession> {
    const reply = await transport.request(Subjects.sessionOpen, options.ttlMs === undefined ? {} : { ttl_ms: options.ttlMs });
    const id = reply.session_id;
    const ttl = reply.ttl_ms;
    if (typeof id !== 'string' || typeof ttl !== 'number') throw new BpfSyscallError('EBADMSG', `${Subjects.sessionOpen}: the reply has no session_id and ttl_ms`);
    const session = new ClientSession(transport, id, ttl, options.onLost);
    session.#timer = setInterval(() => void session.#keepAlive(), Math.max(SESSION_TTL.min / 4, Math.floor(ttl / 3)));
    session.#timer.unref();
    return session;
  }

  /** Whether the services dropped the session (see SessionOptions.onLost). */
  get lost(): boolean {
    return this.#lost;
  }

  /** Ends the session: the services close its objects before answering. Never throws: a session that cannot be reached expires. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    if (this.#lost) return;
    this.#lost = true;
    try {
      await this.transport.request(Subjects.session(this.id, 'close'), {});
    } catch {
      // Gone already (EBADF) or unreachable: either way it ends by its TTL at the latest.
    }
  }

  async #keepAlive(): Promise<void> {
    if (this.#lost) return;
    try {
      await this.transport.request(Subjects.session(this.id, 'keepalive'), {});
    } catch (e) {
      // A timeout or an outage is retried at the next tick; a session the services do not know is gone for good.
      if (!(e instanceof BpfSyscallError && (e.code === 'EBADF' || e.code === 'EPERM')) || this.#lost) return;
      this.#lost = true;
      clearInterval(this.#timer);
      this.onLost?.(e);
    }
  }
}
