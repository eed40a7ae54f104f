import { describe, expect, it } from 'vitest';
import { PinNamespace } from './pin-namespace.js';

const prog = (id: number, bootId = 'boot-1') => ({ kind: 'prog', id, bootId }) as const;

describe('pin namespace', () => {
  it('pin namespace - a path names one object of one kind: a map, program or link at the same path is EEXIST', () => {
    const pins = new PinNamespace();
    pins.add('/sys/fs/bpf/a', { kind: 'map', id: 1 });
    expect(() => pins.add('/sys/fs/bpf/a', prog(1))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    pins.add('/sys/fs/bpf/b', prog(1));
    pins.add('/sys/fs/bpf/b/inner', { kind: 'link', id: 1, bootId: 'boot-1' });
    expect(pins.get('/sys/fs/bpf/b')).toEqual(prog(1));
    expect(pins.pathsOf('prog', 1)).toEqual(['/sys/fs/bpf/b']);
    expect(pins.pathsOf('map', 1)).toEqual(['/sys/fs/bpf/a']);
    expect(pins.list().map((p) => p.path)).toEqual(['/sys/fs/bpf/a', '/sys/fs/bpf/b', '/sys/fs/bpf/b/inner']);
  });

  it('pin namespace - a reserved path is taken (EEXIST) but not visible (ENOENT) until committed; cancel frees it', () => {
    const pins = new PinNamespace();
    pins.reserve('/sys/fs/bpf/p');
    expect(() => pins.reserve('/sys/fs/bpf/p')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => pins.get('/sys/fs/bpf/p')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(pins.list()).toEqual([]);
    pins.cancel('/sys/fs/bpf/p');
    pins.reserve('/sys/fs/bpf/p');
    pins.commit('/sys/fs/bpf/p', prog(3));
    expect(pins.get('/sys/fs/bpf/p')).toEqual(prog(3));
    expect(() => pins.commit('/sys/fs/bpf/q', prog(3))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it.each(['relative', '/sys/fs/bpf', '/sys/fs/bpf/', '/sys/fs/bpf//x', '/sys/fs/bpf/./x', '/sys/fs/bpf/a/../b', '/tmp/x', '/sys/fs/bpf/a b'])(
    'pin namespace - %j is EINVAL',
    (path) => {
      expect(() => new PinNamespace().add(path, { kind: 'map', id: 1 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    },
  );

  it('pin namespace - remove returns what the path named; a second remove is ENOENT', () => {
    const pins = new PinNamespace();
    pins.add('/sys/fs/bpf/l', { kind: 'link', id: 4, bootId: 'b' });
    expect(pins.remove('/sys/fs/bpf/l')).toEqual({ kind: 'link', id: 4, bootId: 'b' });
    expect(() => pins.remove('/sys/fs/bpf/l')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(pins.find('/sys/fs/bpf/l')).toBeUndefined();
  });
});
