import { type CallerIdentity, DEFAULT_ROLES, capabilitiesOf } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { PinOwners, checkMapCreate } from './map-privileges.js';

const caller = (account: string): CallerIdentity => ({ account, user: '', capabilities: capabilitiesOf(DEFAULT_ROLES, account), source: 'server' });

describe('maps-store privileges', () => {
  it.each([
    ['USERS', 'hash', undefined],
    ['USERS', 'lru_hash', /map_create: CAP_BPF required; USERS does not have it/],
    ['TRACER', 'devmap', /map_create: CAP_NET_ADMIN required/],
    ['NETOPS', 'devmap', undefined],
    ['USERS', 'no_such_type', undefined],
  ])('map_create - %s creating %s', (account, type, refusal) => {
    const attempt = () => checkMapCreate(caller(account), type);
    if (refusal) expect(attempt).toThrow(refusal);
    else expect(attempt).not.toThrow();
  });

  it('obj_get - the pin maker account and CAP_SYS_ADMIN may; others, and anyone on a pin of unknown maker, get EACCES', () => {
    const pins = new PinOwners();
    pins.record('/sys/fs/bpf/a', caller('NETOPS'));
    pins.record('/sys/fs/bpf/b', { ...caller(''), account: '' });
    expect(() => pins.checkGet('/sys/fs/bpf/a', caller('NETOPS'))).not.toThrow();
    expect(() => pins.checkGet('/sys/fs/bpf/a', caller('ADMIN'))).not.toThrow();
    expect(() => pins.checkGet('/sys/fs/bpf/a', caller('TRACER'))).toThrow(expect.objectContaining({ code: 'EACCES' }));
    expect(() => pins.checkGet('/sys/fs/bpf/b', caller('NETOPS'))).toThrow(/not pinned by NETOPS/);
    expect(() => pins.checkGet('/sys/fs/bpf/restored', caller('NETOPS'))).toThrow(/CAP_SYS_ADMIN required/);
  });

  it('obj_list - lists the pins obj_get would open: the maker account\'s, or all with CAP_SYS_ADMIN', () => {
    const pins = new PinOwners();
    pins.record('/sys/fs/bpf/a', caller('NETOPS'));
    pins.record('/sys/fs/bpf/b', caller('TRACER'));
    const paths = ['/sys/fs/bpf/a', '/sys/fs/bpf/b', '/sys/fs/bpf/restored'];
    expect(paths.filter((p) => pins.visible(p, caller('NETOPS')))).toEqual(['/sys/fs/bpf/a']);
    expect(paths.filter((p) => pins.visible(p, caller('ADMIN')))).toEqual(paths);
    expect(paths.filter((p) => pins.visible(p, { ...caller(''), account: '' }))).toEqual([]);
  });

  it('obj_unpin - allowed to whom obj_get is (EACCES for another account); a path pinned again by an unidentified caller is no longer the old maker\'s', () => {
    const pins = new PinOwners();
    pins.record('/sys/fs/bpf/p', caller('TRACER'));
    expect(() => pins.checkUnlink('/sys/fs/bpf/p', caller('NETOPS'))).toThrow(/obj_unpin: \/sys\/fs\/bpf\/p was not pinned by NETOPS/);
    expect(() => pins.checkUnlink('/sys/fs/bpf/p', caller('TRACER'))).not.toThrow();
    pins.forget('/sys/fs/bpf/p');
    expect(() => pins.checkUnlink('/sys/fs/bpf/p', caller('TRACER'))).toThrow(expect.objectContaining({ code: 'EACCES' }));
    pins.record('/sys/fs/bpf/q', caller('TRACER'));
    pins.record('/sys/fs/bpf/q', { ...caller(''), account: '' });
    expect(() => pins.checkGet('/sys/fs/bpf/q', caller('TRACER'))).toThrow(expect.objectContaining({ code: 'EACCES' }));
  });
});
