import type { NatsConnection } from '@nats-io/transport-node';
import type { Service, ServiceMsg } from '@nats-io/services';
import {
  BpfError,
  type CallerIdentity,
  EmptySchema,
  type HeldObject,
  RemoteBpfError,
  SUBJECT_PREFIX,
  type SessionCheckReply,
  SessionCheckReplySchema,
  SessionTable,
  Subjects,
  requestSession,
  serve,
  validateWire,
} from '@bpfhive/uapi';
import { requestJson } from './request.js';

/** What the kernel-sim holds for sessions: programs, links, BTF objects, perf events and stats handles. */
export type SessionKind = 'prog' | 'link' | 'btf' | 'perf_event' | 'stats';

export interface KernelSessionsOptions {
  /** How long to wait for the maps-store's answer, in ms (default 5000). */
  readonly timeoutMs?: number;
  /** How often to ask the maps-store whether the sessions held here still live, in ms (default 5000). */
  readonly recheckMs?: number;
  /** Where failures to close an object go; default nowhere. */
  readonly log?: (line: string) => void;
}

/**
 * The kernel-sim's side of client sessions (uapi schemas/session.ts). The maps-store issues and
 * expires sessions; the kernel-sim holds the programs, links and BTF objects created under one
 * (the request's `Bpf-Session` header) and closes each exactly as the client's `close` would when
 * the session ends — so a link keeps its program, a pin its object, a program its maps and BTF.
 *
 * - Before it first holds an object for a session, it asks the maps-store who opened it
 *   (`bpf.v1.internal.session.<id>.check`; EBADF for a session that is not open, EAGAIN when no
 *   maps-store answers) and from then on checks callers against that opener itself (EPERM).
 * - It closes what a session holds on `bpf.v1.internal.session.<id>.end` (the maps-store, on a
 *   close or an expiry), and, in case that notice was lost, when a periodic check says EBADF. A
 *   maps-store that does not answer ends nothing.
 * - A kernel-sim restart loses its objects and this table alike.
 */
export class KernelSessions {
  readonly #table = new SessionTable();
  readonly #closers = new Map<SessionKind, (id: number) => void>();
  readonly #log: (line: string) => void;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: KernelSessionsOptions = {},
  ) {
    this.#log = options.log ?? (() => {});
  }

  /** How to close an object of `kind` as its client's close would (each endpoint group registers its own). */
  closer(kind: SessionKind, close: (id: number) => void): void {
    this.#closers.set(kind, close);
  }

  /**
   * Makes an object for a request that may name a session (`action` names the command): without
   * one, just `make()`; with one, EINVAL / EBADF / EPERM / EAGAIN before anything is made, and
   * the object held by the session after. A session that ended while the object was made gets
   * it closed at once and the request EBADF, so nothing is left behind.
   */
  async create<T>(msg: ServiceMsg, who: CallerIdentity, kind: SessionKind, action: string, make: () => T | Promise<T>, idOf: (made: T) => number): Promise<T> {
    const session = requestSession(msg);
    if (session === undefined) return make();
    await this.#admit(session, who, action);
    const made = await make();
    const object = { kind, id: idOf(made) };
    try {
      this.#table.hold(session, object);
    } catch (e) {
      this.#close(session, object);
      throw e;
    }
    return made;
  }

  /** bpf.v1.internal.session.<id>.end, and the periodic check of the sessions held here; stops with the service. */
  serve(service: Service): void {
    service.addEndpoint('internal_session_end', {
      subject: `${SUBJECT_PREFIX}.internal.session.*.end`,
      handler: (err, msg) => {
        if (err) return;
        void serve(msg, EmptySchema, () => {
          this.#end(msg.subject.split('.')[4] ?? '');
          return {};
        });
      },
    });
    const timer = setInterval(() => void this.#recheck(), this.options.recheckMs ?? 5_000);
    timer.unref();
    void service.stopped.then(() => clearInterval(timer));
  }

  /** `who` may create under `session`: known here and theirs, or confirmed by the maps-store and recorded with its opener. */
  async #admit(session: string, who: CallerIdentity, action: string): Promise<void> {
    if (!this.#table.has(session)) {
      const owner = await this.#ask(session, action);
      // Another request may have recorded it meanwhile; the maps-store's clock decides when it ends.
      if (!this.#table.has(session)) this.#table.add(session, owner, Infinity);
    }
    this.#table.check(session, who, action);
  }

  /** The opener of live session `id`, as the maps-store knows it; its errno (EBADF) otherwise. */
  async #ask(id: string, action: string): Promise<CallerIdentity> {
    let reply: SessionCheckReply;
    try {
      reply = validateWire<SessionCheckReply>(SessionCheckReplySchema, await requestJson(this.nc, Subjects.internalSession(id, 'check'), {}, this.options.timeoutMs ?? 5_000));
    } catch (e) {
      if (e instanceof BpfError) throw new BpfError(e.code, `${action}: ${e.message}`, { cause: e });
      throw e;
    }
    return { account: reply.account, user: reply.user, source: reply.source, capabilities: new Set() };
  }

  /** Asks about every session held here; ends those the maps-store says are not open. */
  async #recheck(): Promise<void> {
    for (const id of this.#table.ids()) {
      try {
        await this.#ask(id, 'session recheck');
      } catch (e) {
        if (e instanceof BpfError && e.cause instanceof RemoteBpfError && e.cause.code === 'EBADF') this.#end(id);
      }
    }
  }

  /** Closes what session `id` held, the newest first (a link before the program it holds). */
  #end(id: string): void {
    for (const object of this.#table.end(id).reverse()) this.#close(id, object);
  }

  #close(session: string, object: HeldObject): void {
    try {
      this.#closers.get(object.kind as SessionKind)?.(object.id);
    } catch (e) {
      // Closed already by its client (EBADF, ENOENT): the session's handle was that one.
      if (!(e instanceof BpfError && (e.code === 'EBADF' || e.code === 'ENOENT'))) this.#log(`session ${session}: closing ${object.kind} ${object.id} failed: ${String(e)}`);
    }
  }
}
