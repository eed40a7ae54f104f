/**
 * Client sessions, the services' side (DESIGN.md §2, schemas/session.ts): a session is what a
 * process's fd table is in Linux. Objects created under it are held by it; when it is closed or
 * not kept alive for longer than its TTL, the service closes each of them exactly as the client's
 * `close` would, so what a pin, a link, a program or a kernel lease holds lives on.
 *
 * SessionTable is plain data and a clock (no NATS, no timers): the maps-store keeps the one that
 * issues sessions and expires them; the kernel-sim keeps one of the sessions it holds objects
 * for, learned from the maps-store, and ends them when the maps-store says so.
 */
import { BpfError } from '../errors.js';
import type { CallerIdentity, MessageWithHeaders } from './identity.js';
import { SESSION_ID_PATTERN, SESSION_TTL } from './schemas/session.js';

/** The header that names a request's session. */
export const SESSION_HEADER = 'Bpf-Session';

const ID = new RegExp(SESSION_ID_PATTERN);

/**
 * The session a request names in its Bpf-Session header (any letter case): undefined without
 * one; EINVAL for a header that is repeated, unreadable or not a session id.
 */
export function requestSession(msg: MessageWithHeaders): string | undefined {
  let values: string[];
  try {
    const headers = msg.headers;
    const keys = headers ? headers.keys().filter((k) => k.trim().toLowerCase() === SESSION_HEADER.toLowerCase()) : [];
    values = keys.flatMap((k) => headers!.values(k));
  } catch (e) {
    throw new BpfError('EINVAL', `${SESSION_HEADER}: unreadable headers: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new BpfError('EINVAL', `${SESSION_HEADER}: given ${values.length} times; name one session`);
  const id = values[0]!.trim();
  if (!ID.test(id)) throw new BpfError('EINVAL', `${SESSION_HEADER}: '${id.slice(0, 40)}' is not a session id (32 lower-case hex digits from bpf.v1.session_open)`);
  return id;
}

/** The TTL a session gets for the one asked for: clamped to SESSION_TTL, its default without one. */
export function grantedTtl(wanted?: number): number {
  if (wanted === undefined) return SESSION_TTL.default;
  return Math.min(SESSION_TTL.max, Math.max(SESSION_TTL.min, Math.floor(wanted)));
}

/** An object a session holds: its kind as the service names it ('map', 'prog', 'link', 'btf') and id. */
export interface HeldObject {
  readonly kind: string;
  readonly id: number;
}

/** A session that ended, with what it held (in the order it was created). */
export interface EndedSession {
  readonly id: string;
  readonly held: HeldObject[];
}

interface Session {
  readonly owner: CallerIdentity;
  readonly ttlMs: number;
  lastSeen: number;
  readonly held: HeldObject[];
}

/**
 * Sessions by id: who opened each, its TTL, when it was last kept alive, what it holds. Every
 * refusal is a BpfError: EBADF for a session that is unknown, closed or past its TTL (a closed
 * fd), EPERM for a caller that is not its opener.
 */
export class SessionTable {
  readonly #sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Starts session `id` for `owner`, alive for `ttlMs` from now. EEXIST when the id is taken; EPERM for a forged identity. */
  add(id: string, owner: CallerIdentity, ttlMs: number): void {
    if (owner.source === 'rejected') throw new BpfError('EPERM', `session_open: the request's identity was rejected (${owner.reason ?? 'forged header'})`);
    if (this.#sessions.has(id)) throw new BpfError('EEXIST', `session ${id} exists already`);
    this.#sessions.set(id, { owner, ttlMs, lastSeen: this.now(), held: [] });
  }

  /** Whether session `id` is alive (known and within its TTL). */
  has(id: string): boolean {
    return this.#live(id) !== undefined;
  }

  /**
   * Live session `id`'s opener and TTL, after checking `who` is its opener (`who` undefined: a
   * service asking whether it lives). `action` names the command in a refusal.
   */
  check(id: string, who: CallerIdentity | undefined, action: string): { readonly owner: CallerIdentity; readonly ttlMs: number } {
    const { owner, ttlMs } = this.#owned(id, who, action, false);
    return { owner, ttlMs };
  }

  /** The opener keeps session `id` alive for another TTL, which it returns. */
  keepAlive(id: string, who: CallerIdentity): number {
    const session = this.#owned(id, who, 'session keepalive', false);
    session.lastSeen = this.now();
    return session.ttlMs;
  }

  /** The opener (or CAP_SYS_ADMIN) ends session `id`: what it held, for the caller to close. */
  close(id: string, who: CallerIdentity): HeldObject[] {
    const session = this.#owned(id, who, 'session close', true);
    this.#sessions.delete(id);
    return session.held;
  }

  /** Ends session `id` without a check (its issuer said it ended): what it held; [] for a session not known here. */
  end(id: string): HeldObject[] {
    const held = this.#sessions.get(id)?.held ?? [];
    this.#sessions.delete(id);
    return held;
  }

  /** Session `id` now holds `object`; EBADF when the session is gone (the caller then closes the object itself). */
  hold(id: string, object: HeldObject): void {
    const session = this.#live(id);
    if (!session) throw gone(id, 'create');
    session.held.push(object);
  }

  /** Ends every session not kept alive within its TTL; what each held. */
  expire(): EndedSession[] {
    const ended: EndedSession[] = [];
    for (const [id, session] of this.#sessions) {
      if (this.#expired(session)) {
        this.#sessions.delete(id);
        ended.push({ id, held: session.held });
      }
    }
    return ended;
  }

  /** The ids of the sessions known here, expired or not. */
  ids(): string[] {
    return [...this.#sessions.keys()];
  }

  #expired(session: Session): boolean {
    return this.now() - session.lastSeen > session.ttlMs;
  }

  #live(id: string): Session | undefined {
    const session = this.#sessions.get(id);
    return session && !this.#expired(session) ? session : undefined;
  }

  #owned(id: string, who: CallerIdentity | undefined, action: string, adminMay: boolean): Session {
    const session = this.#live(id);
    if (!session) throw gone(id, action);
    if (who === undefined || sameCaller(session.owner, who) || (adminMay && who.capabilities.has('CAP_SYS_ADMIN'))) return session;
    throw new BpfError('EPERM', `${action}: session ${id} belongs to ${nameOf(session.owner)}, not ${nameOf(who)}`);
  }
}

/** Whether two requests come from the same caller: the same account and user, vouched for the same way. */
export function sameCaller(a: CallerIdentity, b: CallerIdentity): boolean {
  return a.source === b.source && a.source !== 'rejected' && a.account === b.account && a.user === b.user;
}

function gone(id: string, action: string): BpfError {
  return new BpfError('EBADF', `${action}: session ${id} is not open (never opened, closed, or not kept alive within its TTL)`);
}

function nameOf(who: CallerIdentity): string {
  if (who.account === '') return who.source === 'rejected' ? 'a caller with a rejected identity' : 'an unidentified caller';
  return `${who.account}${who.user ? `/${who.user}` : ''}`;
}
