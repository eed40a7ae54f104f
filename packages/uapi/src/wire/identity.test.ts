import { describe, expect, it } from 'vitest';
import { BpfError } from '../errors.js';
import { MapType } from '../generated/enums.js';
import {
  ALL_CAPABILITIES,
  type CallerIdentity,
  DEFAULT_IDENTITY_POLICY,
  type HeaderView,
  type IdentityPolicy,
  callerIdentity,
  capabilitiesOf,
  identityPolicyFromEnv,
  mapCreateCapability,
  parseRoleTable,
  requireCapability,
} from './identity.js';

/** A header block as nats.js decodes it: keys in arrival order, each with its values. */
function hdrs(entries: readonly (readonly [string, string])[]): { headers: HeaderView } {
  const map = new Map<string, string[]>();
  for (const [k, v] of entries) map.set(k, [...(map.get(k) ?? []), v]);
  return { headers: { keys: () => [...map.keys()], values: (k) => map.get(k) ?? [] } };
}

/** What nats-server 2.9.10 wrote for the tracer over a `share: true` import (trimmed). */
const SERVER_INFO = JSON.stringify({ start: '2026-11-21T22:30:06Z', host: '127.0.0.1', id: 11, acc: 'TRACER', user: 'tracer', rtt: 544497, kind: 'Client' });
const FORGED = JSON.stringify({ acc: 'ADMIN', user: 'admin' });
const secure: IdentityPolicy = { ...DEFAULT_IDENTITY_POLICY, mode: 'secure' };
const caps = (who: CallerIdentity): string[] => [...who.capabilities].sort();

describe('identity - the caller as the NATS server names it', () => {
  it("maps the server's header to the account's capabilities", () => {
    const who = callerIdentity(hdrs([['Nats-Request-Info', SERVER_INFO]]));
    expect(who).toMatchObject({ account: 'TRACER', user: 'tracer', source: 'server' });
    expect(caps(who)).toEqual(['CAP_BPF', 'CAP_PERFMON']);
  });

  it.each([
    ['ADMIN', ['CAP_BPF', 'CAP_NET_ADMIN', 'CAP_PERFMON', 'CAP_SYS_ADMIN']],
    ['TRACER', ['CAP_BPF', 'CAP_PERFMON']],
    ['NETOPS', ['CAP_BPF', 'CAP_NET_ADMIN']],
    ['USERS', []],
    ['SOMEONE_ELSE', []],
  ])('default roles - account %s has %j', (acc, expected) => {
    expect(caps(callerIdentity(hdrs([['Nats-Request-Info', JSON.stringify({ acc })]])))).toEqual(expected);
  });

  it.each([
    ['a forged copy before the server\'s (what 2.9.10 leaves behind)', [['Nats-Request-Info', FORGED], ['Nats-Request-Info', SERVER_INFO]]],
    ['a copy in another letter case', [['nats-request-info', FORGED], ['Nats-Request-Info', SERVER_INFO]]],
    ['two copies and nothing from the server', [['NATS-REQUEST-INFO', FORGED], ['Nats-Request-Info', FORGED]]],
    ['a value that is not JSON', [['Nats-Request-Info', 'ADMIN']]],
    ['JSON without an account', [['Nats-Request-Info', '{"user":"admin"}']]],
    ['an account that is not a string', [['Nats-Request-Info', '{"acc":["ADMIN"]}']]],
    ['a user that is not a string', [['Nats-Request-Info', '{"acc":"ADMIN","user":1}']]],
  ] as const)('rejects %s: no capability, even in embedded mode', (_what, entries) => {
    const who = callerIdentity(hdrs(entries));
    expect(who).toMatchObject({ account: '', source: 'rejected' });
    expect(who.capabilities.size).toBe(0);
    expect(who.reason).toMatch(/Nats-Request-Info/);
  });

  it('rejects a header block the client library cannot decode (its getter throws)', () => {
    const msg = {
      get headers(): HeaderView {
        throw new Error("'header' ' ' is not a valid character in a header name");
      },
    };
    expect(callerIdentity(msg)).toMatchObject({ source: 'rejected', reason: expect.stringMatching(/not a valid character/) });
  });

  it('ignores other headers, even one whose value names Nats-Request-Info', () => {
    const who = callerIdentity(hdrs([['A', `Nats-Request-Info: ${FORGED}`], ['Nats-Request-Info', SERVER_INFO]]));
    expect(who).toMatchObject({ account: 'TRACER', source: 'server' });
  });

  it('no header: every capability in embedded mode, none in secure mode', () => {
    expect(callerIdentity({})).toMatchObject({ account: '', user: '', source: 'absent' });
    expect(caps(callerIdentity({ headers: undefined }))).toEqual([...ALL_CAPABILITIES].sort());
    expect(caps(callerIdentity(hdrs([['Bpf-Session', 's1']]), secure))).toEqual([]);
  });

  it('a user entry wins over its account; CAP_SYS_ADMIN counts as all four', () => {
    const roles = { USERS: [], 'USERS/alice': ['CAP_BPF'], OPS: ['CAP_SYS_ADMIN'] } as const;
    expect([...capabilitiesOf(roles, 'USERS', 'alice')]).toEqual(['CAP_BPF']);
    expect([...capabilitiesOf(roles, 'USERS', 'bob')]).toEqual([]);
    expect(capabilitiesOf(roles, 'OPS').size).toBe(4);
  });
});

describe('identity - EPERM and what map_create needs', () => {
  it('requireCapability throws EPERM naming the action, the capability and the caller', () => {
    const who = callerIdentity(hdrs([['Nats-Request-Info', SERVER_INFO]]));
    expect(() => requireCapability(who, 'CAP_PERFMON', 'prog_load kprobe')).not.toThrow();
    const attempt = (): void => requireCapability(who, 'CAP_NET_ADMIN', 'prog_load xdp');
    expect(attempt).toThrow(BpfError);
    expect(attempt).toThrow('prog_load xdp: CAP_NET_ADMIN required; TRACER/tracer does not have it');
    try {
      attempt();
    } catch (e) {
      expect((e as BpfError).code).toBe('EPERM');
    }
  });

  it.each([
    [MapType.HASH, null],
    [MapType.ARRAY, null],
    [MapType.RINGBUF, null],
    [MapType.PERCPU_CGROUP_STORAGE, null],
    [MapType.LRU_HASH, 'CAP_BPF'],
    [MapType.LPM_TRIE, 'CAP_BPF'],
    [MapType.QUEUE, 'CAP_BPF'],
    [MapType.BLOOM_FILTER, 'CAP_BPF'],
    [MapType.DEVMAP, 'CAP_NET_ADMIN'],
    [MapType.XSKMAP, 'CAP_NET_ADMIN'],
    [MapType.SOCKHASH, 'CAP_NET_ADMIN'],
  ])('map_create of type %i needs %s', (type, cap) => {
    expect(mapCreateCapability(type)).toBe(cap);
  });
});

describe('identity - policy from the environment', () => {
  it('defaults to embedded mode and the deploy/nats roles', () => {
    expect(identityPolicyFromEnv({})).toEqual(DEFAULT_IDENTITY_POLICY);
  });

  it('reads BPFHIVE_IDENTITY and BPFHIVE_ROLES', () => {
    const policy = identityPolicyFromEnv({ BPFHIVE_IDENTITY: 'secure', BPFHIVE_ROLES: '{"OPS":["CAP_BPF"],"OPS/root":["CAP_SYS_ADMIN"]}' });
    expect(policy).toEqual({ mode: 'secure', roles: { OPS: ['CAP_BPF'], 'OPS/root': ['CAP_SYS_ADMIN'] } });
  });

  it.each([
    [{ BPFHIVE_IDENTITY: 'root' }, "BPFHIVE_IDENTITY must be 'embedded' or 'secure', not 'root'"],
    [{ BPFHIVE_ROLES: '{' }, 'BPFHIVE_ROLES: not JSON'],
    [{ BPFHIVE_ROLES: '["CAP_BPF"]' }, 'BPFHIVE_ROLES: must be an object'],
    [{ BPFHIVE_ROLES: '{"OPS":["CAP_ROOT"]}' }, "BPFHIVE_ROLES: 'OPS' must list capabilities among"],
    [{ BPFHIVE_ROLES: '{"OPS":"CAP_BPF"}' }, "BPFHIVE_ROLES: 'OPS' must list capabilities among"],
  ])('rejects %j', (env, message) => {
    expect(() => identityPolicyFromEnv(env)).toThrow(message);
  });

  it('parseRoleTable keeps an empty role', () => {
    expect(parseRoleTable('{"USERS":[]}')).toEqual({ USERS: [] });
  });
});
