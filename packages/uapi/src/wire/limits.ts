/**
 * Per-caller limits on kernel objects, as Linux's memory accounting limits them (RLIMIT_MEMLOCK
 * before 5.11, the memory cgroup since): every map's memory and every object is charged to the
 * account that created it (the NATS account the server names, wire/identity.ts) and uncharged
 * when the object is freed, not when its creator closes its handle — a map a program still uses
 * stays charged to its creator, as a map in Linux stays charged to the memcg that allocated it.
 *
 * What is limited, from the environment (the root README's configuration table):
 *
 *   BPFHIVE_LIMIT_MAP_BYTES   map memory per account (bpf_map_memory_usage; see maps-store)   256M
 *   BPFHIVE_LIMIT_MAPS        maps per account                                                1024
 *   BPFHIVE_LIMIT_PROGS       programs per account                                            1024
 *   BPFHIVE_LIMIT_LINKS       links per account                                               1024
 *   BPFHIVE_LIMIT_BTFS        BTF objects per account                                         1024
 *   BPFHIVE_LIMIT_ADMIN       `exempt` (default): CAP_SYS_ADMIN callers are counted but never
 *                             refused, as root with RLIMIT_MEMLOCK raised to infinity (what
 *                             libbpf and bpftool do) and no memcg limit; `limited`: they are not
 *
 * Numbers take a K, M or G suffix (powers of 1024); `unlimited` lifts a limit, as ulimit says.
 *
 * The replies, each naming the limit, its variable and the current use:
 * - memory over the limit: ENOMEM, what a failed memcg charge gives map_create since Linux 5.11
 *   (kernels before it refused with EPERM when RLIMIT_MEMLOCK was exceeded; bpfhive follows the
 *   current kernel);
 * - too many objects: E2BIG, the kernel's answer when a count is over its maximum (too many maps
 *   for one program, too many programs on one cgroup); Linux itself counts no objects per user.
 */
import { BpfError } from '../errors.js';
import type { CallerIdentity } from './identity.js';

/** What is charged: bytes of map memory, and objects by kind. */
export type Resource = 'map_bytes' | 'maps' | 'progs' | 'links' | 'btfs';

export const RESOURCES: readonly Resource[] = ['map_bytes', 'maps', 'progs', 'links', 'btfs'];

/** The limit per account of each resource; Infinity: none. */
export type ResourceAmounts = Readonly<Record<Resource, number>>;

export interface LimitPolicy {
  readonly limits: ResourceAmounts;
  /** Whether CAP_SYS_ADMIN callers are exempt (charged, never refused). */
  readonly exemptAdmin: boolean;
}

/** The environment variable of each limit. */
export const LIMIT_VARIABLES: Readonly<Record<Resource, string>> = {
  map_bytes: 'BPFHIVE_LIMIT_MAP_BYTES',
  maps: 'BPFHIVE_LIMIT_MAPS',
  progs: 'BPFHIVE_LIMIT_PROGS',
  links: 'BPFHIVE_LIMIT_LINKS',
  btfs: 'BPFHIVE_LIMIT_BTFS',
};

export const DEFAULT_LIMITS: ResourceAmounts = { map_bytes: 256 * 2 ** 20, maps: 1024, progs: 1024, links: 1024, btfs: 1024 };

export const DEFAULT_LIMIT_POLICY: LimitPolicy = { limits: DEFAULT_LIMITS, exemptAdmin: true };

/** What the refusal of each resource calls it, and its errno. */
const WHAT: Readonly<Record<Resource, { noun: string; errno: 'ENOMEM' | 'E2BIG' }>> = {
  map_bytes: { noun: 'of map memory', errno: 'ENOMEM' },
  maps: { noun: 'maps', errno: 'E2BIG' },
  progs: { noun: 'programs', errno: 'E2BIG' },
  links: { noun: 'links', errno: 'E2BIG' },
  btfs: { noun: 'BTF objects', errno: 'E2BIG' },
};

const SUFFIX: Readonly<Record<string, number>> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };

/** A limit's value: a whole number with an optional K/M/G suffix, or `unlimited` (Infinity). Throws an Error naming `name`. */
export function parseLimit(name: string, text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'unlimited' || t === 'infinity') return Infinity;
  const m = /^(\d+)([kmg]?)$/.exec(t);
  const value = m ? Number(m[1]) * SUFFIX[m[2]!]! : NaN;
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be a whole number (optionally with K, M or G) or 'unlimited', not '${text}'`);
  return value;
}

/** The limit policy of `env` (see the top of this file); unset or empty variables keep their defaults. Throws an Error naming a bad variable. */
export function limitPolicyFromEnv(env: Readonly<Record<string, string | undefined>>): LimitPolicy {
  const limits = { ...DEFAULT_LIMITS };
  for (const resource of RESOURCES) {
    const text = env[LIMIT_VARIABLES[resource]];
    if (text) limits[resource] = parseLimit(LIMIT_VARIABLES[resource], text);
  }
  const admin = env.BPFHIVE_LIMIT_ADMIN || 'exempt';
  if (admin !== 'exempt' && admin !== 'limited') throw new Error(`BPFHIVE_LIMIT_ADMIN must be 'exempt' or 'limited', not '${admin}'`);
  return { limits, exemptAdmin: admin === 'exempt' };
}

/** The name an account is charged under: its NATS account, or `(unidentified)` when the server named none. */
export function principalOf(who: CallerIdentity): string {
  return who.account === '' ? '(unidentified)' : who.account;
}

/** A charge taken by ResourceLedger.charge; release() gives it back (once; later calls do nothing). */
export interface Charge {
  readonly principal: string;
  readonly amounts: Partial<ResourceAmounts>;
  release(): void;
}

/** A human size: 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return 'unlimited';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${Number(v.toFixed(1))} ${units[i]}`;
}

const show = (resource: Resource, n: number): string => (resource === 'map_bytes' ? formatBytes(n) : Number.isFinite(n) ? String(n) : 'unlimited');

/**
 * What each account uses, against a LimitPolicy. Pure bookkeeping: the services charge when they
 * create an object, keep the Charge with it and release it when the object is freed — also when
 * creating it failed after the charge, so nothing is left charged for an object that never was.
 */
export class ResourceLedger {
  readonly #used = new Map<string, Record<Resource, number>>();

  constructor(readonly policy: LimitPolicy = DEFAULT_LIMIT_POLICY) {}

  /**
   * Charges `amounts` to `who`'s account for `action` ("map_create"), all or nothing: ENOMEM when
   * map memory would exceed its limit, E2BIG when a count would, naming the limit, its variable,
   * what is in use and what was asked. A CAP_SYS_ADMIN caller is charged but not refused unless
   * the policy says `limited`.
   */
  charge(who: CallerIdentity, amounts: Partial<ResourceAmounts>, action: string): Charge {
    const principal = principalOf(who);
    const used = this.#usage(principal);
    const exempt = this.policy.exemptAdmin && who.capabilities.has('CAP_SYS_ADMIN');
    if (!exempt) {
      for (const resource of RESOURCES) {
        const want = amounts[resource] ?? 0;
        const limit = this.policy.limits[resource];
        if (want > 0 && used[resource] + want > limit) {
          const { noun, errno } = WHAT[resource];
          throw new BpfError(
            errno,
            `${action}: ${principal} would exceed its limit of ${show(resource, limit)} ${noun} ` +
              `(${LIMIT_VARIABLES[resource]}): ${show(resource, used[resource])} in use, this needs ${show(resource, want)} more`,
          );
        }
      }
    }
    for (const resource of RESOURCES) used[resource] += amounts[resource] ?? 0;
    let released = false;
    return {
      principal,
      amounts,
      release: () => {
        if (released) return;
        released = true;
        for (const resource of RESOURCES) used[resource] -= amounts[resource] ?? 0;
        if (RESOURCES.every((r) => used[r] === 0)) this.#used.delete(principal);
      },
    };
  }

  /** What `principal` uses now (zeros for one that uses nothing). */
  usage(principal: string): ResourceAmounts {
    return { ...(this.#used.get(principal) ?? zero()) };
  }

  /** Every account using something, with its use. */
  accounts(): Record<string, ResourceAmounts> {
    return Object.fromEntries([...this.#used].map(([p, u]) => [p, { ...u }]));
  }

  #usage(principal: string): Record<Resource, number> {
    let used = this.#used.get(principal);
    if (!used) this.#used.set(principal, (used = zero()));
    return used;
  }
}

function zero(): Record<Resource, number> {
  return { map_bytes: 0, maps: 0, progs: 0, links: 0, btfs: 0 };
}
