import { type CallerIdentity, DEFAULT_ROLES, UpdateFlag, capabilitiesOf } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from './arena.js';
import { MapDirectory } from './directory.js';
import { MapAccess, checkMapAccess } from './map-access.js';

const as = (account: string, user = account.toLowerCase()): CallerIdentity => ({ account, user, capabilities: capabilitiesOf(DEFAULT_ROLES, account, user), source: 'server' });
const netops = as('NETOPS');
const tracer = as('TRACER');
const admin = as('ADMIN');
const embedded: CallerIdentity = { account: '', user: '', capabilities: capabilitiesOf({ '': ['CAP_SYS_ADMIN'] }, ''), source: 'absent' };
const secureAnonymous: CallerIdentity = { account: '', user: '', capabilities: new Set(), source: 'absent' };
const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);

describe('map access - who may name a map by id', () => {
  it('map access - the creating account may use its map; another account gets EPERM naming both; CAP_SYS_ADMIN may', () => {
    const access = new MapAccess();
    access.created(7, netops);
    expect(() => access.check(7, netops, 'map lookup_elem')).not.toThrow();
    expect(() => access.check(7, admin, 'map lookup_elem')).not.toThrow();
    expect(() => access.check(7, tracer, 'map lookup_elem')).toThrow(
      expect.objectContaining({ code: 'EPERM', message: 'map lookup_elem: map 7 was neither created nor opened (obj_get) by TRACER/tracer; CAP_SYS_ADMIN required' }),
    );
  });

  it('map access - a map id that names nothing is EPERM too for the unprivileged (the answer does not tell which ids exist)', () => {
    const access = new MapAccess();
    expect(() => access.check(99, tracer, 'map info')).toThrow(expect.objectContaining({ code: 'EPERM' }));
    expect(() => access.check(99, admin, 'map info')).not.toThrow();
  });

  it('map access - obj_get grants the getter the map (once: a second grant is not new); an unidentified getter gets nothing recorded', () => {
    const access = new MapAccess();
    access.created(3, netops);
    expect(access.grant(3, tracer)).toBe(true);
    expect(access.grant(3, tracer)).toBe(false);
    expect(access.grant(3, netops)).toBe(false);
    expect(access.grant(3, embedded)).toBe(false);
    expect(() => access.check(3, tracer, 'map update_elem')).not.toThrow();
    expect(access.recordOf(3)).toEqual({ owner: 'NETOPS', accounts: ['NETOPS', 'TRACER'] });
  });

  it('map access - unidentified callers: every map in embedded mode (they hold CAP_SYS_ADMIN), none in secure mode', () => {
    const access = new MapAccess();
    access.created(1, embedded);
    expect(access.recordOf(1)).toEqual({ owner: '(unidentified)', accounts: [] });
    expect(() => access.check(1, embedded, 'map lookup_elem')).not.toThrow();
    expect(() => access.check(1, secureAnonymous, 'map lookup_elem')).toThrow(expect.objectContaining({ code: 'EPERM', message: expect.stringContaining('by an unidentified caller') }));
  });

  it('map access - close is the creator\'s (or CAP_SYS_ADMIN\'s): an account that only opened it with obj_get gets EPERM', () => {
    const access = new MapAccess();
    access.created(5, netops);
    access.grant(5, tracer);
    expect(() => access.checkClose(5, netops)).not.toThrow();
    expect(() => access.checkClose(5, admin)).not.toThrow();
    expect(() => access.checkClose(5, tracer)).toThrow(expect.objectContaining({ code: 'EPERM', message: 'map close: map 5 was not created by TRACER; CAP_SYS_ADMIN required' }));
  });

  it('map access - checkMapAccess over the accounts a lease carries is the same rule', () => {
    const accounts = new Set(['NETOPS']);
    expect(() => checkMapAccess(netops, accounts, 4, 'map lookup_elem')).not.toThrow();
    expect(() => checkMapAccess(admin, undefined, 4, 'map lookup_elem')).not.toThrow();
    expect(() => checkMapAccess(tracer, accounts, 4, 'map lookup_elem')).toThrow(expect.objectContaining({ code: 'EPERM' }));
    expect(() => checkMapAccess(netops, undefined, 4, 'map lookup_elem')).toThrow(expect.objectContaining({ code: 'EPERM' }));
  });
});

describe('map access - kept by the directory', () => {
  const hash = { map_type: 'hash', key_size: 4, value_size: 4, max_entries: 4 } as const;

  it('map access - a snapshot keeps the owner and the accounts, and restore brings them back', () => {
    const d = new MapDirectory(new Arena({ initialPages: 8 }));
    const id = d.create(hash);
    d.access.created(id, netops);
    d.access.grant(id, tracer);
    d.update(id, u32(1), u32(2), UpdateFlag.ANY);
    d.pin('/sys/fs/bpf/owned', id);
    const snapshot = d.snapshot(id);
    expect(snapshot.access).toEqual({ owner: 'NETOPS', accounts: ['NETOPS', 'TRACER'] });

    const restarted = new MapDirectory(new Arena({ initialPages: 8 }));
    restarted.restore([JSON.parse(JSON.stringify(snapshot))]);
    expect(restarted.access.ownerOf(id)).toBe('NETOPS');
    expect(() => restarted.access.check(id, tracer, 'map lookup_elem')).not.toThrow();
    expect(() => restarted.access.check(id, as('USERS'), 'map lookup_elem')).toThrow(expect.objectContaining({ code: 'EPERM' }));
  });

  it('map access - a snapshot from before owners were kept restores a map that is CAP_SYS_ADMIN\'s alone', () => {
    const d = new MapDirectory(new Arena({ initialPages: 8 }));
    const id = d.create(hash);
    d.pin('/sys/fs/bpf/old', id);
    const { access: _none, ...old } = d.snapshot(id);
    const restarted = new MapDirectory(new Arena({ initialPages: 8 }));
    restarted.restore([old]);
    expect(restarted.access.ownerOf(id)).toBeUndefined();
    expect(() => restarted.access.check(id, netops, 'map lookup_elem')).toThrow(expect.objectContaining({ code: 'EPERM' }));
    expect(() => restarted.access.check(id, admin, 'map lookup_elem')).not.toThrow();
  });

  it('map access - a freed map forgets its access; a map a kernel re-registers keeps the access it lists', () => {
    const d = new MapDirectory(new Arena({ initialPages: 8 }));
    const id = d.create(hash);
    d.access.created(id, netops);
    d.close(id);
    expect(d.access.recordOf(id)).toBeUndefined();
    const spec = { map_type: 1, key_size: 4, value_size: 4, max_entries: 4, map_flags: 0 };
    expect(d.adoptLeased(40, spec, false, 'kernel-1', 2, { owner: 'TRACER', accounts: ['TRACER'] })).toBe(true);
    expect(d.access.ownerOf(40)).toBe('TRACER');
  });
});
