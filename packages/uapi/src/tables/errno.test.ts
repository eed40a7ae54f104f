import { describe, expect, it } from 'vitest';
import { ERRNO_TABLE, Errno } from '../generated/errno.js';
import { errnoEntry, errnoName, errnoNumber, strerror } from './errno.js';

describe('tables - errno numbers', () => {
  it.each([
    ['EPERM', 1],
    ['ENOENT', 2],
    ['E2BIG', 7],
    ['EBADF', 9],
    ['EAGAIN', 11],
    ['ENOMEM', 12],
    ['EACCES', 13],
    ['EFAULT', 14],
    ['EBUSY', 16],
    ['EEXIST', 17],
    ['EINVAL', 22],
    ['ENOSPC', 28],
    ['ERANGE', 34],
    ['EDEADLK', 35],
    ['ENOSYS', 38],
    ['ELOOP', 40],
    ['EOPNOTSUPP', 95],
    ['ENOTSUPP', 524],
  ])('tables - %s is %i both ways', (name, value) => {
    expect(errnoNumber(name)).toBe(value);
    expect(errnoName(value)).toBe(name);
    expect(Errno[name as keyof typeof Errno]).toBe(value);
  });

  it.each([
    ['EWOULDBLOCK', 11, 'EAGAIN'],
    ['EDEADLOCK', 35, 'EDEADLK'],
    ['ENOTSUP', 95, 'EOPNOTSUPP'],
  ])('tables - the alias %s is %i and prints as %s', (alias, value, canonical) => {
    expect(errnoNumber(alias)).toBe(value);
    expect(errnoName(value)).toBe(canonical);
  });

  it('tables - errno lookups accept lower case and negated kernel returns', () => {
    expect(errnoNumber('einval')).toBe(22);
    expect(errnoName(-22)).toBe('EINVAL');
    expect(errnoEntry(-524)?.name).toBe('ENOTSUPP');
  });

  it.each([
    ['an unknown name', () => errnoNumber('ENOTANERRNO')],
    ['zero', () => errnoName(0)],
    ['an unknown number', () => errnoName(4242)],
    ['a fraction', () => errnoName(2.5)],
  ])('tables - errno lookup returns undefined for %s', (_title, lookup) => {
    expect(lookup()).toBeUndefined();
  });

  it('tables - every errno appears once by name and by number', () => {
    expect(new Set(ERRNO_TABLE.map((e) => e.name)).size).toBe(ERRNO_TABLE.length);
    expect(new Set(ERRNO_TABLE.map((e) => e.value)).size).toBe(ERRNO_TABLE.length);
  });
});

describe('tables - strerror', () => {
  it.each([
    [1, 'Operation not permitted'],
    [2, 'No such file or directory'],
    [11, 'Resource temporarily unavailable'],
    [13, 'Permission denied'],
    [22, 'Invalid argument'],
    ['E2BIG', 'Argument list too long'],
    ['ENOTSUPP', 'Operation not supported'],
  ])('tables - strerror(%j) is the libc text', (input, text) => {
    expect(strerror(input)).toBe(text);
  });

  it('tables - strerror of an unknown number reads like libc', () => {
    expect(strerror(4242)).toBe('Unknown error 4242');
  });
});
