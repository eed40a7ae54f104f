/**
 * Who is asking: the caller of a bpf(2) command as the NATS server vouches for it, and the
 * capabilities that gives it. Never a field the client fills in.
 *
 * How NATS decides (deploy/nats/bpfhive.conf, checked against nats-server 2.9.10 in
 * packages/testkit/test/privileges.test.ts): the services live alone in the BPFHIVE account;
 * each role is an account (ADMIN, TRACER, NETOPS, USERS) that imports the commands with
 * `share: true`. For every request crossing such an import the server sets the header
 * `Nats-Request-Info` to JSON naming the requester: `acc` always, `user` (and host, name…)
 * because of `share`. A header of that name sent by the client is replaced, but a server older
 * than 2.11.15 / 2.12.6 (CVE-2026-33223) replaces only the first copy and lets other letter
 * cases through. The server adds exactly one, so a request carrying the header more than once,
 * in any letter case, is a forgery and gets no capability. Inside BPFHIVE nothing is stamped: a service acting for a client forwards the
 * client's header unchanged, which is safe because only services hold BPFHIVE's password.
 *
 * No header at all: the server is not vouching (no accounts configured, or a peer service).
 * `mode: 'embedded'` (the default; a laptop, CI, tests) then gives every capability, as root
 * on one's own machine; `mode: 'secure'` (BPFHIVE_IDENTITY=secure) gives none, so a server
 * started without the configuration fails closed.
 *
 * How the services apply it (the adapter calls callerIdentity(msg, policy) and hands the plain
 * CallerIdentity to the core; CAP_SYS_ADMIN counts as every capability, as in Linux). What
 * Linux checks in kernel/bpf/syscall.c, always EPERM unless said otherwise:
 * - map_create: mapCreateCapability(map_type) — none for array, hash, ringbuf and the other
 *   unprivileged types, CAP_NET_ADMIN for sockmap, sockhash, devmap, devmap_hash and xskmap,
 *   CAP_BPF for the rest. Distributions set kernel.unprivileged_bpf_disabled, which makes
 *   map_create and prog_load always need CAP_BPF; bpfhive models the setting 0, as issue 9 asks.
 * - prog_load: CAP_BPF unless ProgTypeSpec.unprivileged (socket_filter, cgroup_skb), plus
 *   ProgTypeSpec.capability (CAP_NET_ADMIN for XDP, TC, most cgroup and socket types,
 *   CAP_PERFMON for tracing); without CAP_BPF more than 4,096 instructions is E2BIG and the verifier
 *   applies its unprivileged rules; helpers per ProgTypeSpec.helperCapability. btf_load: CAP_BPF.
 * - Ids are not file descriptors: anyone can name `bpf.v1.map.7.lookup_elem`, while Linux
 *   needs an fd, and map/prog/link/btf_get_fd_by_id need CAP_SYS_ADMIN. So a command on an
 *   object by id (map.<id>.*, prog.<id>.test_run/info/close, link.<id>.*, btf.<id>.*) is
 *   allowed to the account that created the object, or got it through obj_get, and otherwise
 *   needs CAP_SYS_ADMIN. prog test_run needs nothing more (Linux dropped its CAP_SYS_ADMIN
 *   check in 5.8); info hides the translated and JIT-ed instructions without CAP_BPF.
 * - link_create: Linux checked the capability at load time and trusts the fd; bpfhive checks
 *   that the caller holds the program (as above) and has what its type needs to be loaded.
 * - map/prog/link/btf_get_next_id: CAP_SYS_ADMIN.
 * - obj_pin, obj_get, obj_unpin: bpffs file modes, root-only by default; a pin records the
 *   account that made it, and obj_get and obj_unpin are allowed to that account or with
 *   CAP_SYS_ADMIN (EACCES). Pinning a program or link also needs the right to name it by id
 *   (below; the kernel-sim checks the client's identity, which the maps-store forwards), and
 *   obj_get of one gives the getter that right, as the fd BPF_OBJ_GET returns would.
 * - bpf.v1.sim.>: the simulated world is the host: CAP_NET_ADMIN for devices and traffic,
 *   CAP_SYS_ADMIN for the rest. trace_pipe is a NATS subscribe permission (ADMIN and TRACER).
 * - bpf.v1.internal.> is never exported to clients and needs no check.
 */
import { BpfError } from '../errors.js';
import { MapType } from '../generated/enums.js';
import type { Capability } from '../progtypes/helper-sets.js';

/** The header the NATS server sets on a request that crossed a service import. */
export const REQUEST_INFO_HEADER = 'Nats-Request-Info';

/** Every capability, in the order Linux numbers them (CAP_NET_ADMIN 12 … CAP_BPF 39). */
export const ALL_CAPABILITIES: readonly Capability[] = ['CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'CAP_PERFMON', 'CAP_BPF'];

/**
 * Capabilities per principal: a key is an account (`TRACER`) or an account and user
 * (`TRACER/alice`, which wins over its account). A principal not named has no capability.
 */
export type RoleTable = Readonly<Record<string, readonly Capability[]>>;

/** The roles of deploy/nats/bpfhive.conf. */
export const DEFAULT_ROLES: RoleTable = {
  ADMIN: ['CAP_SYS_ADMIN'],
  TRACER: ['CAP_BPF', 'CAP_PERFMON'],
  NETOPS: ['CAP_BPF', 'CAP_NET_ADMIN'],
  USERS: [],
};

export interface IdentityPolicy {
  readonly roles: RoleTable;
  /** What a request without the header gets: every capability ('embedded') or none ('secure'). */
  readonly mode: 'embedded' | 'secure';
}

export const DEFAULT_IDENTITY_POLICY: IdentityPolicy = { roles: DEFAULT_ROLES, mode: 'embedded' };

/** The caller of one request. Plain data: cores take it without knowing NATS. */
export interface CallerIdentity {
  /** The requester's account as the server named it; '' when the server named none. */
  readonly account: string;
  /** Its user (name, nkey or "[REDACTED]" for a token); '' when the import does not share it. */
  readonly user: string;
  /** What it may do; holding CAP_SYS_ADMIN means holding all four, as in Linux. */
  readonly capabilities: ReadonlySet<Capability>;
  /**
   * `server`: one well-formed header, set by the server. `absent`: no header, the policy's mode
   * decided. `rejected`: a forged, repeated or malformed header; no capability.
   */
  readonly source: 'server' | 'absent' | 'rejected';
  /** Why a header was rejected, for logs. */
  readonly reason?: string;
}

/** The part of a nats.js `MsgHdrs` this module reads (structural: no NATS import here). */
export interface HeaderView {
  keys(): string[];
  values(key: string): string[];
}

/** A request as a service receives it; reading `headers` may throw on a malformed header block. */
export interface MessageWithHeaders {
  readonly headers?: HeaderView | undefined;
}

/**
 * The caller of `msg` under `policy`. Never throws: a header block the client library cannot
 * decode, a repeated header or a header that is not the server's JSON gives a `rejected`
 * identity with no capability.
 */
export function callerIdentity(msg: MessageWithHeaders, policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY): CallerIdentity {
  let values: string[];
  try {
    const headers = msg.headers;
    const keys = headers ? headers.keys().filter((k) => k.trim().toLowerCase() === REQUEST_INFO_HEADER.toLowerCase()) : [];
    values = keys.flatMap((k) => headers!.values(k));
  } catch (e) {
    return rejected(`unreadable headers: ${e instanceof Error ? e.message : String(e)}`);
  }
  return identityFromRequestInfo(values, policy);
}

/** The identity for the values of every `Nats-Request-Info` header of a request (any case). */
export function identityFromRequestInfo(values: readonly string[], policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY): CallerIdentity {
  if (values.length === 0) {
    return { account: '', user: '', capabilities: policy.mode === 'embedded' ? EVERY : NONE, source: 'absent' };
  }
  if (values.length > 1) return rejected(`${values.length} ${REQUEST_INFO_HEADER} headers; the server sets exactly one`);
  const info = parseRequestInfo(values[0]!);
  if (!info) return rejected(`${REQUEST_INFO_HEADER} is not the server's JSON with an "acc"`);
  return { ...info, capabilities: capabilitiesOf(policy.roles, info.account, info.user), source: 'server' };
}

/** `acc` and `user` of the server's JSON (nats-server's ClientInfo), or undefined. */
export function parseRequestInfo(json: string): { account: string; user: string } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { acc, user } = value as { acc?: unknown; user?: unknown };
  if (typeof acc !== 'string' || acc === '' || (user !== undefined && typeof user !== 'string')) return undefined;
  return { account: acc, user: user ?? '' };
}

/** The capabilities `roles` gives `account` (or `account/user`), CAP_SYS_ADMIN widened to all. */
export function capabilitiesOf(roles: RoleTable, account: string, user = ''): ReadonlySet<Capability> {
  const own = (user !== '' ? roles[`${account}/${user}`] : undefined) ?? roles[account] ?? [];
  return own.includes('CAP_SYS_ADMIN') ? EVERY : new Set(own);
}

/** Throws EPERM, naming the action and what is missing, unless `who` holds `capability`. */
export function requireCapability(who: CallerIdentity, capability: Capability, action: string): void {
  if (who.capabilities.has(capability)) return;
  const name = who.account === '' ? 'an unidentified caller' : `${who.account}${who.user ? `/${who.user}` : ''}`;
  throw new BpfError('EPERM', `${action}: ${capability} required; ${name} does not have it`);
}

/**
 * What map_create needs for `mapType` (kernel/bpf/syscall.c map_create): null for the types
 * unprivileged users may create, CAP_NET_ADMIN for socket and device maps, CAP_BPF otherwise.
 */
export function mapCreateCapability(mapType: number): Capability | null {
  if (UNPRIVILEGED_MAP_TYPES.has(mapType)) return null;
  return NET_ADMIN_MAP_TYPES.has(mapType) ? 'CAP_NET_ADMIN' : 'CAP_BPF';
}

/**
 * The policy from the environment: BPFHIVE_IDENTITY (`embedded`, the default, or `secure`) and
 * BPFHIVE_ROLES, a JSON object of principal to capability names (default DEFAULT_ROLES).
 * Throws an Error saying what is wrong with either.
 */
export function identityPolicyFromEnv(env: Readonly<Record<string, string | undefined>>): IdentityPolicy {
  const mode = env.BPFHIVE_IDENTITY || 'embedded';
  if (mode !== 'embedded' && mode !== 'secure') throw new Error(`BPFHIVE_IDENTITY must be 'embedded' or 'secure', not '${mode}'`);
  return { mode, roles: env.BPFHIVE_ROLES ? parseRoleTable(env.BPFHIVE_ROLES) : DEFAULT_ROLES };
}

/** A role table from JSON such as `{"TRACER": ["CAP_BPF", "CAP_PERFMON"], "USERS": []}`. */
export function parseRoleTable(json: string): RoleTable {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new Error(`BPFHIVE_ROLES: not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('BPFHIVE_ROLES: must be an object of principal to capabilities');
  const table: Record<string, Capability[]> = {};
  for (const [principal, caps] of Object.entries(value)) {
    if (!Array.isArray(caps) || caps.some((c) => !(ALL_CAPABILITIES as readonly unknown[]).includes(c))) {
      throw new Error(`BPFHIVE_ROLES: '${principal}' must list capabilities among ${ALL_CAPABILITIES.join(', ')}`);
    }
    table[principal] = caps as Capability[];
  }
  return table;
}

const EVERY: ReadonlySet<Capability> = new Set(ALL_CAPABILITIES);
const NONE: ReadonlySet<Capability> = new Set();

function rejected(reason: string): CallerIdentity {
  return { account: '', user: '', capabilities: NONE, source: 'rejected', reason };
}

const UNPRIVILEGED_MAP_TYPES: ReadonlySet<number> = new Set([
  MapType.ARRAY, MapType.PERCPU_ARRAY, MapType.PROG_ARRAY, MapType.PERF_EVENT_ARRAY, MapType.CGROUP_ARRAY,
  MapType.ARRAY_OF_MAPS, MapType.HASH, MapType.PERCPU_HASH, MapType.HASH_OF_MAPS, MapType.RINGBUF,
  MapType.USER_RINGBUF, MapType.CGROUP_STORAGE, MapType.PERCPU_CGROUP_STORAGE,
]);

const NET_ADMIN_MAP_TYPES: ReadonlySet<number> = new Set([
  MapType.SOCKMAP, MapType.SOCKHASH, MapType.DEVMAP, MapType.DEVMAP_HASH, MapType.XSKMAP,
]);
