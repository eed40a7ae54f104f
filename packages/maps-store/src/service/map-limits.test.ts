import { type CallerIdentity, DEFAULT_LIMITS, ResourceLedger, capabilitiesOf, DEFAULT_ROLES } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from '../core/arena.js';
import { MapDirectory } from '../core/directory.js';
import { mapMemoryUsage } from '../core/memory-usage.js';
import { MapCharges } from './map-limits.js';

const users: CallerIdentity = { account: 'USERS', user: 'u', capabilities: capabilitiesOf(DEFAULT_ROLES, 'USERS'), source: 'server' };
const hash = { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 64 } as const;
const hashBytes = mapMemoryUsage({ ...hash, map_type: 1, map_flags: 0 }, 2);

function charges(limits: Partial<typeof DEFAULT_LIMITS>): { c: MapCharges; d: MapDirectory } {
  const d = new MapDirectory(new Arena({ initialPages: 8 }), { cpus: 2 });
  return { c: new MapCharges(new ResourceLedger({ limits: { ...DEFAULT_LIMITS, ...limits }, exemptAdmin: true }), d, 2), d };
}

describe('maps-store limits', () => {
  it('map_create over the memory limit is ENOMEM and makes no map; closing a map gives its memory back', () => {
    const { c, d } = charges({ map_bytes: hashBytes * 2 });
    const a = c.create(users, hash);
    c.create(users, hash);
    expect(() => c.create(users, hash)).toThrow(expect.objectContaining({ code: 'ENOMEM', message: expect.stringMatching(/^map_create \(hash\): USERS would exceed its limit of .* \(BPFHIVE_LIMIT_MAP_BYTES\)/) }));
    expect(() => d.nextId(2)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    d.close(a);
    expect(c.stats()).toEqual({ maps: 1, accounts: { USERS: { maps: 1, map_bytes: hashBytes } } });
    expect(c.create(users, hash)).toBe(3);
  });

  it('too many maps is E2BIG', () => {
    const { c } = charges({ maps: 1 });
    c.create(users, hash);
    expect(() => c.create(users, hash)).toThrow(expect.objectContaining({ code: 'E2BIG', message: expect.stringContaining('limit of 1 maps (BPFHIVE_LIMIT_MAPS): 1 in use') }));
  });

  it('a create the directory refuses leaves nothing charged', () => {
    const { c } = charges({});
    expect(() => c.create(users, { ...hash, key_size: 0 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => c.create(users, { ...hash, map_type: 'nonsense' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(c.stats()).toEqual({ maps: 0, accounts: {} });
  });
});

describe('maps-store limits - who may close', () => {
  it('the creating account and CAP_SYS_ADMIN may close a map; another account gets EPERM', () => {
    const { c } = charges({});
    const id = c.create(users, hash);
    const tracer: CallerIdentity = { account: 'TRACER', user: 't', capabilities: capabilitiesOf(DEFAULT_ROLES, 'TRACER'), source: 'server' };
    const admin: CallerIdentity = { account: 'ADMIN', user: 'a', capabilities: capabilitiesOf(DEFAULT_ROLES, 'ADMIN'), source: 'server' };
    expect(() => c.checkClose(tracer, id)).toThrow(expect.objectContaining({ code: 'EPERM', message: `map close: map ${id} was not created by TRACER; CAP_SYS_ADMIN required` }));
    expect(() => c.checkClose(users, id)).not.toThrow();
    expect(() => c.checkClose(admin, id)).not.toThrow();
    expect(() => c.checkClose(users, 99)).toThrow(expect.objectContaining({ code: 'EPERM' }));
  });
});

describe('maps-store limits - maps restored after a restart', () => {
  it('a pinned map restored from its snapshot is charged to its creator again, who may close it', () => {
    const before = charges({});
    const id = before.c.create(users, hash);
    before.d.pin('/sys/fs/bpf/kept', id);
    const snapshot = JSON.parse(JSON.stringify(before.d.snapshot(id))) as ReturnType<MapDirectory['snapshot']>;

    const after = charges({});
    after.d.restore([snapshot]);
    expect(after.c.stats()).toEqual({ maps: 0, accounts: {} });
    expect(after.c.chargeRestored()).toEqual([id]);
    expect(after.c.stats()).toEqual({ maps: 1, accounts: { USERS: { maps: 1, map_bytes: hashBytes } } });
    // Charged once: a second pass (another re-registration) finds nothing new.
    expect(after.c.chargeRestored()).toEqual([]);
    expect(() => after.c.checkClose(users, id)).not.toThrow();
    after.d.unpin('/sys/fs/bpf/kept');
    after.d.close(id);
    expect(after.c.stats()).toEqual({ maps: 0, accounts: {} });
  });

  it('a restored map leaves its owner over the limit rather than being dropped: the next create is refused', () => {
    const before = charges({});
    const id = before.c.create(users, hash);
    before.d.pin('/sys/fs/bpf/kept', id);
    const after = charges({ maps: 1 });
    after.d.restore([before.d.snapshot(id)]);
    after.c.chargeRestored();
    expect(() => after.c.create(users, hash)).toThrow(expect.objectContaining({ code: 'E2BIG' }));
  });

  it('with BPFHIVE_LIMIT_ADMIN=limited a restore over the limit is reported and the map stays, uncharged', () => {
    const before = charges({});
    const id = before.c.create(users, hash);
    before.d.pin('/sys/fs/bpf/kept', id);
    const d = new MapDirectory(new Arena({ initialPages: 8 }), { cpus: 2 });
    const c = new MapCharges(new ResourceLedger({ limits: { ...DEFAULT_LIMITS, maps: 0 }, exemptAdmin: false }), d, 2);
    d.restore([before.d.snapshot(id)]);
    const log: string[] = [];
    expect(c.chargeRestored((line) => log.push(line))).toEqual([]);
    expect(log).toEqual([expect.stringMatching(new RegExp(`^map ${id}: not charged to USERS again: restore of map ${id}: USERS would exceed its limit of 0 maps`))]);
    expect(d.has(id)).toBe(true);
  });
});
