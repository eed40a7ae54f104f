import { describe, expect, it } from 'vitest';
import { BpfError } from '../errors.js';
import { type CallerIdentity, capabilitiesOf, DEFAULT_ROLES } from './identity.js';
import { DEFAULT_LIMITS, type LimitPolicy, ResourceLedger, formatBytes, limitPolicyFromEnv, parseLimit, principalOf } from './limits.js';
import { processMemoryStats, serviceStatsHandler } from './service-stats.js';

const caller = (account: string): CallerIdentity => ({ account, user: '', capabilities: capabilitiesOf(DEFAULT_ROLES, account), source: 'server' });
const users = caller('USERS');
const admin = caller('ADMIN');
const small: LimitPolicy = { limits: { ...DEFAULT_LIMITS, map_bytes: 1000, maps: 2, progs: 1 }, exemptAdmin: true };

/** The errno and message a charge fails with. */
function refusal(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (e) {
    if (e instanceof BpfError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('the charge was not refused');
}

describe('limits - the environment', () => {
  it('unset variables keep the defaults; admins are exempt', () => {
    expect(limitPolicyFromEnv({})).toEqual({ limits: DEFAULT_LIMITS, exemptAdmin: true });
  });

  it('numbers take K, M, G; unlimited lifts a limit; BPFHIVE_LIMIT_ADMIN=limited', () => {
    const policy = limitPolicyFromEnv({ BPFHIVE_LIMIT_MAP_BYTES: '64M', BPFHIVE_LIMIT_MAPS: '10', BPFHIVE_LIMIT_PROGS: 'unlimited', BPFHIVE_LIMIT_LINKS: '2k', BPFHIVE_LIMIT_ADMIN: 'limited' });
    expect(policy).toEqual({ limits: { ...DEFAULT_LIMITS, map_bytes: 64 * 2 ** 20, maps: 10, progs: Infinity, links: 2048 }, exemptAdmin: false });
  });

  it('a bad value is an error naming the variable', () => {
    expect(() => limitPolicyFromEnv({ BPFHIVE_LIMIT_MAPS: '-1' })).toThrow(/BPFHIVE_LIMIT_MAPS must be a whole number/);
    expect(() => limitPolicyFromEnv({ BPFHIVE_LIMIT_MAP_BYTES: '1.5G' })).toThrow(/BPFHIVE_LIMIT_MAP_BYTES/);
    expect(() => limitPolicyFromEnv({ BPFHIVE_LIMIT_ADMIN: 'yes' })).toThrow(/BPFHIVE_LIMIT_ADMIN must be 'exempt' or 'limited'/);
    expect(parseLimit('X', ' 4K ')).toBe(4096);
  });
});

describe('limits - the ledger', () => {
  it('map memory over the limit is ENOMEM naming the limit, its variable and the use', () => {
    const ledger = new ResourceLedger(small);
    ledger.charge(users, { maps: 1, map_bytes: 600 }, 'map_create');
    expect(refusal(() => ledger.charge(users, { maps: 1, map_bytes: 500 }, 'map_create'))).toEqual({
      code: 'ENOMEM',
      message: 'map_create: USERS would exceed its limit of 1000 B of map memory (BPFHIVE_LIMIT_MAP_BYTES): 600 B in use, this needs 500 B more',
    });
    // All or nothing: the refused charge took no map either.
    expect(ledger.usage('USERS')).toMatchObject({ maps: 1, map_bytes: 600 });
  });

  it('too many objects is E2BIG; each account has its own count', () => {
    const ledger = new ResourceLedger(small);
    ledger.charge(users, { progs: 1 }, 'prog_load');
    expect(refusal(() => ledger.charge(users, { progs: 1 }, 'prog_load'))).toEqual({
      code: 'E2BIG',
      message: 'prog_load: USERS would exceed its limit of 1 programs (BPFHIVE_LIMIT_PROGS): 1 in use, this needs 1 more',
    });
    expect(() => ledger.charge(caller('TRACER'), { progs: 1 }, 'prog_load')).not.toThrow();
  });

  it('release gives the charge back once; an account using nothing is forgotten', () => {
    const ledger = new ResourceLedger(small);
    const a = ledger.charge(users, { maps: 1, map_bytes: 1000 }, 'map_create');
    a.release();
    a.release();
    expect(ledger.accounts()).toEqual({});
    const b = ledger.charge(users, { maps: 1, map_bytes: 1000 }, 'map_create');
    expect(ledger.accounts()).toEqual({ USERS: { map_bytes: 1000, maps: 1, progs: 0, links: 0, btfs: 0 } });
    b.release();
    expect(ledger.usage('USERS').maps).toBe(0);
  });

  it('CAP_SYS_ADMIN is charged but not refused, unless the policy says limited', () => {
    const exempt = new ResourceLedger(small);
    for (let i = 0; i < 3; i++) exempt.charge(admin, { progs: 1 }, 'prog_load');
    expect(exempt.usage('ADMIN').progs).toBe(3);
    const limited = new ResourceLedger({ ...small, exemptAdmin: false });
    limited.charge(admin, { progs: 1 }, 'prog_load');
    expect(refusal(() => limited.charge(admin, { progs: 1 }, 'prog_load')).code).toBe('E2BIG');
  });

  it('a caller the server named no account for is charged as (unidentified)', () => {
    const nobody: CallerIdentity = { account: '', user: '', capabilities: new Set(), source: 'absent' };
    expect(principalOf(nobody)).toBe('(unidentified)');
    const ledger = new ResourceLedger(small);
    ledger.charge(nobody, { maps: 2 }, 'map_create');
    expect(refusal(() => ledger.charge(nobody, { maps: 1 }, 'map_create')).message).toMatch(/^map_create: \(unidentified\) would exceed its limit of 2 maps/);
  });

  it('formatBytes prints binary units', () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(256 * 2 ** 20), formatBytes(Infinity)]).toEqual(['512 B', '1.5 KiB', '256 MiB', 'unlimited']);
  });
});

describe('service stats', () => {
  it('reports the memory of the process, plus what the service adds', async () => {
    expect(processMemoryStats(() => ({ rss: 3, heapUsed: 2, external: 1 }))).toEqual({ rss_bytes: 3, heap_used_bytes: 2, external_bytes: 1 });
    const data = await serviceStatsHandler(() => ({ maps: 4 }))();
    expect(data).toMatchObject({ maps: 4 });
    expect(data.rss_bytes).toBeGreaterThan(0);
  });
});
