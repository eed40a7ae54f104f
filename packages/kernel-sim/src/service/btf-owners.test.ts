import type { CallerIdentity } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { BtfOwners } from './btf-owners.js';

const caller = (account: string, admin = false): CallerIdentity => ({ account, user: '', source: 'server', capabilities: new Set(admin ? (['CAP_SYS_ADMIN'] as const) : []) });

const code = (run: () => void): string | undefined => {
  try {
    run();
    return undefined;
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('BTF owners - who may name a BTF object by id', () => {
  it('the loading account, or CAP_SYS_ADMIN; anyone may read vmlinux', () => {
    const owners = new BtfOwners();
    owners.record(2, caller('TRACER'));
    expect(code(() => owners.check(2, caller('TRACER'), 'btf info'))).toBeUndefined();
    expect(code(() => owners.check(2, caller('NETOPS'), 'btf info'))).toBe('EPERM');
    expect(code(() => owners.check(2, caller('ADMIN', true), 'btf info'))).toBeUndefined();
    expect(code(() => owners.check(1, caller('NETOPS'), 'btf info', true))).toBeUndefined();
    expect(code(() => owners.check(1, caller('NETOPS'), 'btf close'))).toBe('EPERM');
  });

  it('after close the object is CAP_SYS_ADMIN\'s alone, and so is an unknown id', () => {
    const owners = new BtfOwners();
    owners.record(3, caller('TRACER'));
    owners.forget(3);
    expect(code(() => owners.check(3, caller('TRACER'), 'btf info'))).toBe('EPERM');
    expect(code(() => owners.check(9, caller('TRACER'), 'btf info'))).toBe('EPERM');
  });
});
