import type { FromSchema } from 'json-schema-to-ts';

/**
 * Client sessions (DESIGN.md §2, "Lifetimes follow file descriptors"): what a process's fd table
 * is in Linux. The maps-store is the one issuer and the clock of every session:
 *
 * - `bpf.v1.session_open {ttl_ms?}` → `{session_id, ttl_ms}`: a new session owned by the caller
 *   (wire/identity.ts); ttl_ms is clamped to [SESSION_TTL.min, SESSION_TTL.max] (default
 *   SESSION_TTL.default) and the reply says what was granted.
 * - `bpf.v1.session.<id>.keepalive {}` → `{ttl_ms}`: the session lives another ttl_ms. Clients
 *   send one every ttl_ms / 3.
 * - `bpf.v1.session.<id>.close {}` → `{}`: ends the session at once; its objects are closed
 *   (in the kernel-sim too) before the reply.
 *   Both: EBADF when the session is unknown, closed or expired; EPERM when the caller is not its
 *   opener (close is also allowed with CAP_SYS_ADMIN).
 * - A command that creates an object (map_create, prog_load, link_create, btf_load) with the
 *   header `Bpf-Session: <id>` puts the object in the session: EINVAL for a malformed header,
 *   EBADF for an unknown or ended session, EPERM for another caller's session. Other commands
 *   ignore the header (an obj_get makes no new handle here: ids are not fds).
 *
 * Between the services (never exported to clients):
 * - `bpf.v1.internal.session.<id>.check {}` → `{ttl_ms, account, user, source}` (maps-store): is
 *   the session alive (else EBADF), and who opened it? The kernel-sim asks before it first holds
 *   an object for a session, then checks its callers against that opener itself, and asks again
 *   now and then to learn of ends it missed.
 * - `bpf.v1.internal.session.<id>.end {}` → `{}` (kernel-sim): the session ended; close what it
 *   holds.
 */
const object = <const P extends Record<string, unknown>, const R extends readonly string[]>(id: string, title: string, properties: P, required: R) =>
  ({ $id: id, title, type: 'object', additionalProperties: false, required, properties }) as const;

/** The TTLs a session may have, in ms. */
export const SESSION_TTL = { min: 100, default: 10_000, max: 600_000 } as const;

/** 128 random bits, lower-case hex: unguessable, and one NATS subject token. */
export const SESSION_ID_PATTERN = '^[0-9a-f]{32}$';

const session_id = { type: 'string', pattern: SESSION_ID_PATTERN, description: 'the session, 32 lower-case hex digits; name it in the Bpf-Session header' } as const;
const ttl_ms = { type: 'integer', minimum: SESSION_TTL.min, maximum: SESSION_TTL.max, description: 'how long the session lives without a keep-alive, in ms' } as const;

export const SessionOpenRequestSchema = object(
  'bpf.v1.session_open.request',
  'Open a session holding the objects created under it',
  { ttl_ms: { type: 'integer', minimum: 1, maximum: 4294967295, description: `the TTL wanted, in ms; clamped to [${SESSION_TTL.min}, ${SESSION_TTL.max}] (default ${SESSION_TTL.default})` } },
  [] as const,
);
export type SessionOpenRequest = FromSchema<typeof SessionOpenRequestSchema>;

export const SessionOpenReplySchema = object('bpf.v1.session_open.reply', 'The new session and its TTL', { session_id, ttl_ms }, ['session_id', 'ttl_ms'] as const);
export type SessionOpenReply = FromSchema<typeof SessionOpenReplySchema>;

export const SessionTtlReplySchema = object(
  'bpf.v1.session.ttl.reply',
  'A live session: the reply to bpf.v1.session.<id>.keepalive and bpf.v1.internal.session.<id>.check',
  { ttl_ms },
  ['ttl_ms'] as const,
);
export type SessionTtlReply = FromSchema<typeof SessionTtlReplySchema>;

export const SessionCheckReplySchema = object(
  'bpf.v1.internal.session_check.reply',
  "A live session and its opener, as the maps-store's callerIdentity named it: bpf.v1.internal.session.<id>.check",
  {
    ttl_ms,
    account: { type: 'string', description: "the opener's NATS account; '' when the server named none" },
    user: { type: 'string', description: "the opener's user; '' when the import does not share it" },
    source: { enum: ['server', 'absent'], description: "'server': the NATS server vouched for the opener; 'absent': no Nats-Request-Info (embedded mode)" },
  },
  ['ttl_ms', 'account', 'user', 'source'] as const,
);
export type SessionCheckReply = FromSchema<typeof SessionCheckReplySchema>;
