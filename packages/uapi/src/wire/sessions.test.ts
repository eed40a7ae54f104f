import { describe, expect, it } from 'vitest';
import { BpfError } from '../errors.js';
import { type CallerIdentity, identityFromRequestInfo } from './identity.js';
import { SESSION_TTL } from './schemas/session.js';
import { SessionTable, grantedTtl, requestSession, sameCaller } from './sessions.js';

const caller = (acc: string, user = ''): CallerIdentity => identityFromRequestInfo([JSON.stringify({ acc, ...(user && { user }) })]);
const alice = caller('USERS', 'alice');
const bob = caller('USERS', 'bob');
const admin = caller('ADMIN', 'admin');
const ID = 'a'.repeat(32);

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (e) {
    if (e instanceof BpfError) return e.code;
    throw e;
  }
  return undefined;
}

/** A table on a clock the test moves. */
function fakeClock(): { table: SessionTable; advance: (ms: number) => void } {
  let now = 1_000;
  return { table: new SessionTable(() => now), advance: (ms) => void (now += ms) };
}

describe('session table - expiry', () => {
  it('a session kept alive within its TTL lives on; one not kept alive past its TTL ends with what it held', () => {
    const { table, advance } = fakeClock();
    table.add(ID, alice, 300);
    table.hold(ID, { kind: 'map', id: 7 });
    table.hold(ID, { kind: 'prog', id: 3 });
    advance(250);
    expect(table.keepAlive(ID, alice)).toBe(300);
    advance(250);
    expect(table.expire()).toEqual([]);
    advance(51);
    expect(table.expire()).toEqual([{ id: ID, held: [{ kind: 'map', id: 7 }, { kind: 'prog', id: 3 }] }]);
    expect(table.ids()).toEqual([]);
  });

  it('a session past its TTL is EBADF before any sweep: keepalive, check, hold', () => {
    const { table, advance } = fakeClock();
    table.add(ID, alice, 100);
    advance(101);
    expect(table.has(ID)).toBe(false);
    expect(codeOf(() => table.keepAlive(ID, alice))).toBe('EBADF');
    expect(codeOf(() => table.check(ID, alice, 'map_create'))).toBe('EBADF');
    expect(codeOf(() => table.hold(ID, { kind: 'map', id: 1 }))).toBe('EBADF');
  });
});

describe('session table - owners', () => {
  it('only the opener keeps a session alive or names it; another caller gets EPERM naming both', () => {
    const { table } = fakeClock();
    table.add(ID, alice, 1_000);
    expect(table.check(ID, alice, 'prog_load')).toEqual({ owner: alice, ttlMs: 1_000 });
    expect(() => table.check(ID, bob, 'prog_load')).toThrow(/prog_load: session a+ belongs to USERS\/alice, not USERS\/bob/);
    expect(codeOf(() => table.keepAlive(ID, bob))).toBe('EPERM');
    expect(codeOf(() => table.keepAlive(ID, admin))).toBe('EPERM');
    expect(table.check(ID, undefined, 'service check').ttlMs).toBe(1_000);
  });

  it('close: the opener or CAP_SYS_ADMIN, not another user; a closed session is EBADF', () => {
    const { table } = fakeClock();
    table.add(ID, alice, 1_000);
    table.hold(ID, { kind: 'link', id: 2 });
    expect(codeOf(() => table.close(ID, bob))).toBe('EPERM');
    expect(table.close(ID, admin)).toEqual([{ kind: 'link', id: 2 }]);
    expect(codeOf(() => table.close(ID, alice))).toBe('EBADF');
    expect(table.end(ID)).toEqual([]);
  });

  it('a rejected identity opens nothing and is never the same caller; ids are unique', () => {
    const { table } = fakeClock();
    const forged = identityFromRequestInfo(['{"acc":"A"}', '{"acc":"B"}']);
    expect(codeOf(() => table.add(ID, forged, 1_000))).toBe('EPERM');
    expect(sameCaller(forged, forged)).toBe(false);
    table.add(ID, alice, 1_000);
    expect(codeOf(() => table.add(ID, alice, 1_000))).toBe('EEXIST');
  });
});

describe('session requests', () => {
  const msg = (headers: Record<string, string[]>) => ({ headers: { keys: () => Object.keys(headers), values: (k: string) => headers[k] ?? [] } });

  it.each<[string, Record<string, string[]>, string | undefined]>([
    ['no header', {}, undefined],
    ['the header', { 'Bpf-Session': [ID] }, ID],
    ['another letter case', { 'bpf-session': [ID] }, ID],
  ])('%s names %s', (_t, headers, id) => {
    expect(requestSession(msg(headers))).toBe(id);
  });

  it.each<[string, Record<string, string[]>]>([
    ['a repeated header', { 'Bpf-Session': [ID, ID] }],
    ['two letter cases', { 'Bpf-Session': [ID], 'BPF-SESSION': [ID] }],
    ['upper-case hex', { 'Bpf-Session': [ID.toUpperCase()] }],
    ['a subject wildcard', { 'Bpf-Session': ['>'] }],
  ])('%s is EINVAL', (_t, headers) => {
    expect(codeOf(() => requestSession(msg(headers)))).toBe('EINVAL');
  });

  it('TTLs are clamped to the allowed range', () => {
    expect([grantedTtl(), grantedTtl(1), grantedTtl(2_500.7), grantedTtl(1e9)]).toEqual([SESSION_TTL.default, SESSION_TTL.min, 2_500, SESSION_TTL.max]);
  });
});
