import { BpfError, type CallerIdentity } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from './arena.js';
import { MapDirectory } from './directory.js';
import { type KernelPinPort, PinCommands } from './pin-commands.js';
import { PinnedMapSaver } from './pinned-saver.js';
import type { MapSnapshot, ObjectPinsRecord, SnapshotStore } from './snapshot.js';

/** A kernel of one boot holding pin references in a set; `restart()` forgets them all. */
class FakeKernel implements KernelPinPort<string> {
  boot = 'boot-1';
  readonly held = new Set<string>();
  readonly objects = new Set(['prog.3', 'link.7']);
  readonly callers: (string | undefined)[] = [];
  readonly #key = (kind: string, id: number, path: string, boot: string) => `${boot} ${kind}.${id} ${path}`;

  async hold(kind: 'prog' | 'link', id: number, path: string, caller: string): Promise<string> {
    this.callers.push(caller);
    if (caller === 'stranger') throw new BpfError('EPERM', `obj_pin: ${kind} ${id} was not made by stranger`);
    if (!this.objects.has(`${kind}.${id}`)) throw new BpfError('ENOENT', `${kind} ${id}: no such object`);
    this.held.add(this.#key(kind, id, path, this.boot));
    return this.boot;
  }

  async check(kind: 'prog' | 'link', id: number, path: string, bootId: string, caller: string | undefined): Promise<boolean> {
    this.callers.push(caller);
    return this.held.has(this.#key(kind, id, path, bootId));
  }

  async release(kind: 'prog' | 'link', id: number, path: string, bootId: string): Promise<void> {
    this.held.delete(this.#key(kind, id, path, bootId));
  }

  restart(): void {
    this.boot = `boot-${Number(this.boot.slice(5)) + 1}`;
    this.held.clear();
  }
}

/** Snapshots in memory; `failSaves` makes every save reject. */
class MemoryStore implements SnapshotStore {
  readonly description = 'memory';
  readonly maps = new Map<number, MapSnapshot>();
  readonly objects = new Map<string, ObjectPinsRecord>();
  failSaves = false;
  async save(snapshot: MapSnapshot): Promise<void> {
    this.maps.set(snapshot.map_id, snapshot);
  }
  async remove(id: number): Promise<void> {
    this.maps.delete(id);
  }
  async loadAll(): Promise<MapSnapshot[]> {
    return [...this.maps.values()];
  }
  async saveObjectPins(record: ObjectPinsRecord): Promise<void> {
    if (this.failSaves) throw new BpfError('EIO', 'store: disk full');
    this.objects.set(`${record.kind}.${record.id}`, record);
  }
  async removeObjectPins(kind: 'prog' | 'link', id: number): Promise<void> {
    this.objects.delete(`${kind}.${id}`);
  }
  async loadObjectPins(): Promise<ObjectPinsRecord[]> {
    return [...this.objects.values()];
  }
  async saveIdMark(): Promise<void> {}
  async loadIdMark(): Promise<undefined> {
    return undefined;
  }
}

function setup(store = new MemoryStore()) {
  const directory = new MapDirectory(new Arena({ initialPages: 4 }));
  const kernel = new FakeKernel();
  const saver = new PinnedMapSaver(directory, store);
  return { directory, kernel, store, saver, pins: new PinCommands(directory, kernel, saver) };
}

describe('pin commands', () => {
  it('pin commands - a program pin is a kernel reference, stored before the reply; obj_get asks the kernel; unpin drops the reference', async () => {
    const { directory, kernel, store, pins } = setup();
    await pins.pin('/sys/fs/bpf/prog', { kind: 'prog', id: 3 }, 'alice');
    expect(kernel.held).toEqual(new Set(['boot-1 prog.3 /sys/fs/bpf/prog']));
    expect(store.objects.get('prog.3')).toEqual({ kind: 'prog', id: 3, boot_id: 'boot-1', pins: ['/sys/fs/bpf/prog'] });
    expect(await pins.get('/sys/fs/bpf/prog', 'bob')).toEqual({ kind: 'prog', id: 3, bootId: 'boot-1' });
    expect(kernel.callers).toEqual(['alice', 'bob']);
    expect(await pins.unpin('/sys/fs/bpf/prog')).toMatchObject({ kind: 'prog', id: 3 });
    expect(kernel.held.size).toBe(0);
    expect(store.objects.size).toBe(0);
    expect(() => directory.pins.get('/sys/fs/bpf/prog')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('pin commands - a path taken by a map is EEXIST for a link, and the kernel is not asked', async () => {
    const { directory, kernel, pins } = setup();
    const map = directory.create({ map_type: 'array', key_size: 4, value_size: 4, max_entries: 1 });
    await pins.pin('/sys/fs/bpf/x', { kind: 'map', id: map }, 'alice');
    await expect(pins.pin('/sys/fs/bpf/x', { kind: 'link', id: 7 }, 'alice')).rejects.toMatchObject({ code: 'EEXIST' });
    expect(kernel.callers).toEqual([]);
    expect(await pins.get('/sys/fs/bpf/x', 'alice')).toEqual({ kind: 'map', id: map });
  });

  it.each([
    ['EPERM', 'stranger', 3],
    ['ENOENT', 'alice', 4],
  ])('pin commands - the kernel refusing the reference (%s) leaves the path free and nothing stored', async (code, caller, id) => {
    const { directory, store, pins } = setup();
    await expect(pins.pin('/sys/fs/bpf/p', { kind: 'prog', id }, caller)).rejects.toMatchObject({ code });
    expect(directory.pins.list()).toEqual([]);
    expect(store.objects.size).toBe(0);
    await pins.pin('/sys/fs/bpf/p', { kind: 'prog', id: 3 }, 'alice');
  });

  it('pin commands - a pin that cannot be stored is undone, the kernel reference dropped', async () => {
    const { directory, kernel, store, pins } = setup();
    store.failSaves = true;
    await expect(pins.pin('/sys/fs/bpf/p', { kind: 'link', id: 7 }, 'alice')).rejects.toThrow('disk full');
    expect(kernel.held.size).toBe(0);
    expect(directory.pins.list()).toEqual([]);
  });

  it('pin commands - after the kernel restarted, its pins are gone: obj_get ENOENT and the pin removed; the path is free again', async () => {
    const { directory, kernel, store, pins } = setup();
    await pins.pin('/sys/fs/bpf/gone', { kind: 'prog', id: 3 }, 'alice');
    await pins.pin('/sys/fs/bpf/also_gone', { kind: 'link', id: 7 }, 'alice');
    kernel.restart();
    await expect(pins.get('/sys/fs/bpf/gone', 'alice')).rejects.toThrow(/obj_get: \/sys\/fs\/bpf\/gone: program 3 is gone with the kernel that held it/);
    expect(() => directory.pins.get('/sys/fs/bpf/gone')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(store.objects.has('prog.3')).toBe(false);
    // A new pin at a dead pin's path takes it.
    await pins.pin('/sys/fs/bpf/also_gone', { kind: 'prog', id: 3 }, 'alice');
    expect(directory.pins.get('/sys/fs/bpf/also_gone')).toEqual({ kind: 'prog', id: 3, bootId: 'boot-2' });
    expect(store.objects.has('link.7')).toBe(false);
  });

  it('pin commands - pinning an id in a new boot drops the pins of that id from older boots', async () => {
    const { directory, kernel, store, pins } = setup();
    await pins.pin('/sys/fs/bpf/old', { kind: 'prog', id: 3 }, 'alice');
    kernel.restart();
    await pins.pin('/sys/fs/bpf/new', { kind: 'prog', id: 3 }, 'alice');
    expect(directory.pins.pathsOf('prog', 3)).toEqual(['/sys/fs/bpf/new']);
    expect(store.objects.get('prog.3')).toEqual({ kind: 'prog', id: 3, boot_id: 'boot-2', pins: ['/sys/fs/bpf/new'] });
  });

  it('pin commands - pins of programs and links come back after a maps-store restart, with their kernel boot', async () => {
    const first = setup();
    await first.pins.pin('/sys/fs/bpf/p', { kind: 'prog', id: 3 }, 'alice');
    await first.pins.pin('/sys/fs/bpf/l', { kind: 'link', id: 7 }, 'alice');
    const second = setup(first.store);
    await second.saver.restore();
    expect(second.directory.pins.list()).toEqual([
      { path: '/sys/fs/bpf/p', target: { kind: 'prog', id: 3, bootId: 'boot-1' } },
      { path: '/sys/fs/bpf/l', target: { kind: 'link', id: 7, bootId: 'boot-1' } },
    ]);
    // The restarted maps-store talks to the same kernel, which still holds the references.
    second.kernel.held.add('boot-1 link.7 /sys/fs/bpf/l');
    expect(await second.pins.get('/sys/fs/bpf/l', 'alice')).toMatchObject({ kind: 'link', id: 7 });
  });

  it('pin commands - the maker of each pin is stored with it (map snapshots and program/link records) and comes back after a restart', async () => {
    const netops: CallerIdentity = { account: 'NETOPS', user: 'n', capabilities: new Set(['CAP_BPF']), source: 'server' };
    const tracer: CallerIdentity = { account: 'TRACER', user: 't', capabilities: new Set(['CAP_BPF']), source: 'server' };
    const first = setup();
    const map = first.directory.create({ map_type: 'array', key_size: 4, value_size: 4, max_entries: 1 });
    await first.pins.pin('/sys/fs/bpf/m', { kind: 'map', id: map }, 'n', netops);
    await first.pins.pin('/sys/fs/bpf/p', { kind: 'prog', id: 3 }, 't', tracer);
    await first.pins.pin('/sys/fs/bpf/anon', { kind: 'prog', id: 3 }, 'x');
    expect(first.store.maps.get(map)?.pin_owners).toEqual({ '/sys/fs/bpf/m': 'NETOPS' });
    expect(first.store.objects.get('prog.3')?.pin_owners).toEqual({ '/sys/fs/bpf/p': 'TRACER' });

    const second = setup(first.store);
    await second.saver.restore();
    const owners = second.directory.pinOwners;
    expect(['/sys/fs/bpf/m', '/sys/fs/bpf/p', '/sys/fs/bpf/anon'].map((p) => owners.accountOf(p))).toEqual(['NETOPS', 'TRACER', undefined]);
    expect(() => owners.checkGet('/sys/fs/bpf/m', netops)).not.toThrow();
    expect(() => owners.checkGet('/sys/fs/bpf/m', tracer)).toThrow(expect.objectContaining({ code: 'EACCES' }));
    // Unpinned, the path forgets its maker.
    second.kernel.held.add('boot-1 prog.3 /sys/fs/bpf/p');
    await second.pins.unpin('/sys/fs/bpf/p');
    await second.pins.unpin('/sys/fs/bpf/m');
    expect([owners.accountOf('/sys/fs/bpf/p'), owners.accountOf('/sys/fs/bpf/m')]).toEqual([undefined, undefined]);
  });
});
