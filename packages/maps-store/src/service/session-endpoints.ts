import { randomBytes } from 'node:crypto';
import { type NatsConnection, RequestError } from '@nats-io/transport-node';
import type { ServiceMsg } from '@nats-io/services';
import {
  BpfError,
  type CallerIdentity,
  EmptySchema,
  type HeldObject,
  type IdentityPolicy,
  SESSION_ID_PATTERN,
  SUBJECT_PREFIX,
  type SessionCheckReply,
  type SessionOpenReply,
  type SessionOpenRequest,
  SessionOpenRequestSchema,
  SessionTable,
  Subjects,
  callerIdentity,
  grantedTtl,
  requestSession,
  respond,
  serve,
} from '@bpfhive/uapi';
import type { MapDirectory } from '../core/directory.js';

export interface MapSessionsOptions {
  readonly policy: IdentityPolicy;
  /** Where session ends go (closes, expiries, failures to reach the kernel); default nowhere. */
  readonly log?: (line: string) => void;
  /** How long to wait for the kernel-sim to close a session's objects, in ms (default 5000). */
  readonly kernelTimeoutMs?: number;
  /** The clock sessions expire by (default Date.now). */
  readonly now?: () => number;
}

type Endpoint = (name: string, subject: string, handle: (msg: ServiceMsg) => unknown) => void;

const ID = new RegExp(SESSION_ID_PATTERN);

/**
 * The maps-store's side of client sessions (uapi schemas/session.ts): it issues them (128 random
 * bits), keeps them alive, expires them, and holds the maps created under one. A session that
 * ends — closed by its opener, or not kept alive for longer than its TTL — has each of its maps
 * closed as `bpf.v1.map.<id>.close` would (a pinned, leased or inner map lives on) and the
 * kernel-sim told on `bpf.v1.internal.session.<id>.end`, so it closes the programs, links and BTF
 * objects it holds for the session. A close waits for the kernel-sim before its reply; an expiry
 * does not wait. Sessions live in memory only: a restarted maps-store knows none (see DESIGN.md §2).
 */
export class MapSessions {
  readonly table: SessionTable;
  readonly #log: (line: string) => void;

  constructor(
    private readonly nc: NatsConnection,
    private readonly directory: MapDirectory,
    private readonly options: MapSessionsOptions,
  ) {
    this.table = new SessionTable(options.now);
    this.#log = options.log ?? (() => {});
  }

  /**
   * map_create for a request that may name a session: EINVAL / EBADF / EPERM for a bad, gone or
   * foreign one (nothing is made); else `make()`, the new map held by the session. All in one
   * turn of the event loop, so the session cannot end between the check and the hold.
   */
  create(msg: ServiceMsg, who: CallerIdentity, make: () => number): number {
    const session = requestSession(msg);
    if (session === undefined) return make();
    this.table.check(session, who, 'map_create');
    const id = make();
    this.table.hold(session, { kind: 'map', id });
    return id;
  }

  /** bpf.v1.session_open, bpf.v1.session.<id>.keepalive / .close and bpf.v1.internal.session.<id>.check. */
  addEndpoints(endpoint: Endpoint): void {
    const { policy } = this.options;
    endpoint('session_open', Subjects.sessionOpen, (msg) =>
      serve<SessionOpenRequest>(msg, SessionOpenRequestSchema, (r): SessionOpenReply => {
        const session_id = randomBytes(16).toString('hex');
        const ttl_ms = grantedTtl(r.ttl_ms);
        this.table.add(session_id, callerIdentity(msg, policy), ttl_ms);
        return { session_id, ttl_ms };
      }),
    );
    endpoint('session', `${SUBJECT_PREFIX}.session.*.*`, (msg) => {
      const [, , , id = '', command] = msg.subject.split('.');
      const who = callerIdentity(msg, policy);
      switch (command) {
        case 'keepalive':
          return serve(msg, EmptySchema, () => ({ ttl_ms: this.table.keepAlive(sessionId(id, msg), who) }));
        case 'close':
          return serve(msg, EmptySchema, async () => {
            const held = this.table.close(sessionId(id, msg), who);
            await this.#end(id, held, 'closed by its opener');
            return {};
          });
        default:
          return respond(msg, () => {
            throw new BpfError('EINVAL', `${msg.subject}: unknown session command '${command}'`);
          });
      }
    });
    // A service asking (never a client: bpf.v1.internal.> is not exported): alive, and whose?
    endpoint('internal_session', `${SUBJECT_PREFIX}.internal.session.*.check`, (msg) =>
      serve(msg, EmptySchema, (): SessionCheckReply => {
        const { owner, ttlMs } = this.table.check(sessionId(msg.subject.split('.')[4] ?? '', msg), undefined, 'session check');
        return { ttl_ms: ttlMs, account: owner.account, user: owner.user, source: owner.source === 'server' ? 'server' : 'absent' };
      }),
    );
  }

  /** Ends sessions past their TTL every `everyMs`; returns the stop function. */
  startExpiry(everyMs: number): () => void {
    const timer = setInterval(() => {
      for (const { id, held } of this.table.expire()) void this.#end(id, held, 'not kept alive within its TTL');
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Closes the maps an ended session held, then has the kernel-sim close its objects; never throws. */
  async #end(id: string, held: readonly HeldObject[], why: string): Promise<void> {
    let closed = 0;
    for (const object of held) {
      try {
        this.directory.close(object.id);
        closed++;
      } catch (e) {
        // Closed already by the client (ENOENT): the session's handle was that one.
        if (!(e instanceof BpfError && e.code === 'ENOENT')) this.#log(`session ${id}: closing map ${object.id} failed: ${String(e)}`);
      }
    }
    this.#log(`session ${id} ${why}: ${closed} map handle(s) closed`);
    try {
      await this.nc.request(Subjects.internalSession(id, 'end'), '{}', { timeout: this.options.kernelTimeoutMs ?? 5_000 });
    } catch (e) {
      // No kernel-sim (no responders) holds nothing; one that missed this finds out on its next check.
      if (!(e instanceof RequestError && e.isNoResponders())) this.#log(`session ${id}: telling the kernel-sim failed: ${String(e)}`);
    }
  }
}

/** `text` as a session id, or EINVAL. */
function sessionId(text: string, msg: ServiceMsg): string {
  if (!ID.test(text)) throw new BpfError('EINVAL', `${msg.subject}: '${text.slice(0, 40)}' is not a session id`);
  return text;
}
