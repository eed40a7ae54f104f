import { Arena, MapDirectory } from '@bpfhive/maps-store';
import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness, readU64, u32s, u64s } from '../../testing/harness.js';
import { LeasedMapProvider } from './leased-provider.js';
import { DirectoryLeases } from './memory-leases.js';

/**
 * Maps of maps leased to a kernel (leased-provider.ts): the outer map comes with every inner map
 * its slots name, programs reach the inner maps through it, user space updates lease new inner
 * maps first, and inner maps go home once nothing here uses them.
 */

/** A maps-store directory with two ARRAY inner maps (a[0] = 333, b[0] = 7) and an ARRAY_OF_MAPS whose slot 0 names a; a kernel leasing from it. */
function mapInMapKernel(outerType: 'array_of_maps' | 'hash_of_maps' = 'array_of_maps') {
  let now = 0;
  const directory = new MapDirectory(new Arena(), { cpus: 2, leaseTtlMs: 1000, now: () => now });
  const leases = new DirectoryLeases(directory);
  const log: string[] = [];
  const arena = new Arena({ initialPages: 32 });
  const provider = new LeasedMapProvider(leases, arena, 2, (line) => log.push(line));
  const h = kernelHarness({ arena, cpus: 2, ports: { maps: provider } });
  const a = directory.create({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 4, map_name: 'inner_a' });
  const b = directory.create({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 4, map_name: 'inner_b' });
  directory.update(a, u32s(0), u64s(333n), 0);
  directory.update(b, u32s(0), u64s(7n), 0);
  const outer = directory.create({ map_type: outerType, key_size: 4, value_size: 4, max_entries: 4, inner_map_id: a, map_name: 'outer' });
  directory.update(outer, u32s(0), u32s(a), 0);
  return { h, directory, leases, provider, a, b, outer, log, advance: (ms: number) => (now += ms) };
}

/** inner = outer[0]; inner[0] += 1; returns inner[0] (0 when the slot is empty, 1 when the inner lookup fails). */
const throughOuter = (outer: number): string => `
  *(u32 *)(r10 - 4) = 0
  ld_pseudo r1, 1, ${outer}
  r2 = r10
  r2 += -4
  call ${H.map_lookup_elem}
  if r0 == 0 goto empty
  r1 = r0
  r2 = r10
  r2 += -4
  call ${H.map_lookup_elem}
  if r0 == 0 goto miss
  r1 = 1
  lock *(u64 *)(r0 + 0) += r1
  r0 = *(u64 *)(r0 + 0)
  exit
  empty:
  r0 = 0
  exit
  miss:
  r0 = 1
  exit`;

/** map[0] += 1 on `id` directly. */
const direct = (id: number): string => `
  *(u32 *)(r10 - 4) = 0
  ld_pseudo r1, 1, ${id}
  r2 = r10
  r2 += -4
  call ${H.map_lookup_elem}
  if r0 == 0 goto out
  r1 = 1
  lock *(u64 *)(r0 + 0) += r1
  out:
  r0 = 0
  exit`;

const value0 = (directory: MapDirectory, id: number): bigint => readU64(directory.lookup(id, u32s(0)));

describe('map leases - maps of maps', () => {
  it.each(['array_of_maps', 'hash_of_maps'] as const)(
    'map lease - a program using an %s leases it and the inner map its slot names; its lookup reaches the inner contents; the outer map goes home first, then the inner map',
    async (type) => {
      const { h, directory, leases, provider, a, b, outer } = mapInMapKernel(type);
      const { program } = await h.load(throughOuter(outer));
      expect(leases.calls).toEqual([`lease ${outer}`, `lease ${a}`]);
      expect([directory.isLeased(outer), directory.isLeased(a), directory.isLeased(b)]).toEqual([true, true, false]);
      expect(h.kernel.testRun(program.id, {}).retval).toBe(334);
      expect(readU64(provider.hosted(a)!.map.lookup(u32s(0)))).toBe(334n);
      // A syscall lookup of the outer map gives the inner map's id.
      expect(leases.inboxes.get(outer)!.lookup(u32s(0))).toEqual(u32s(a));
      h.kernel.close(program.id);
      await provider.settled();
      expect(leases.calls).toEqual([`lease ${outer}`, `lease ${a}`, `release ${outer}`, `release ${a}`]);
      expect([directory.isLeased(outer), directory.isLeased(a)]).toEqual([false, false]);
      expect([value0(directory, a), directory.lookup(outer, u32s(0))]).toEqual([334n, u32s(a)]);
    },
  );

  it('map lease - a user space update naming another inner map leases it before the update; the inner map it replaced goes home; programs see the new one', async () => {
    const { h, directory, leases, provider, a, b, outer } = mapInMapKernel();
    const { program } = await h.load(throughOuter(outer));
    await leases.inboxes.get(outer)!.update(u32s(0), u32s(b));
    await provider.settled();
    expect(leases.calls).toEqual([`lease ${outer}`, `lease ${a}`, `lease ${b}`, `release ${a}`, `checkpoint ${outer}`]);
    expect([directory.isLeased(a), directory.isLeased(b)]).toEqual([false, true]);
    // The update was checkpointed before its reply: the maps-store's copy names b.
    expect(directory.lookup(outer, u32s(0))).toEqual(u32s(b));
    expect(leases.inboxes.get(outer)!.lookup(u32s(0))).toEqual(u32s(b));
    expect(h.kernel.testRun(program.id, {}).retval).toBe(8);
    // User space reads the inner map it holds from this kernel (its data commands are served here).
    expect(leases.inboxes.get(b)!.lookup(u32s(0))).toEqual(u64s(8n));
    await provider.heartbeat();
    expect(value0(directory, b)).toBe(8n);
  });

  it('map lease - deleting a slot lets go of its inner map; an inner map a program also uses directly stays leased until that program goes', async () => {
    const { h, directory, leases, provider, a, outer } = mapInMapKernel();
    const viaOuter = await h.load(throughOuter(outer));
    const viaA = await h.load(direct(a));
    expect(leases.calls).toEqual([`lease ${outer}`, `lease ${a}`]);
    h.kernel.testRun(viaA.program.id, {});
    await leases.inboxes.get(outer)!.delete(u32s(0));
    await provider.settled();
    expect(directory.isLeased(a)).toBe(true);
    expect(h.kernel.testRun(viaOuter.program.id, {}).retval).toBe(0);
    h.kernel.close(viaA.program.id);
    await provider.settled();
    expect([directory.isLeased(a), directory.isLeased(outer), value0(directory, a)]).toEqual([false, true, 334n]);
    expect(leases.calls).toEqual([`lease ${outer}`, `lease ${a}`, `checkpoint ${outer}`, `release ${a}`]);
  });

  it('map lease - an update naming a map that does not match the template is EINVAL and that map goes home at once; an id naming no map is EBADF; the slot keeps its inner map', async () => {
    const { h, directory, leases, provider, a, outer } = mapInMapKernel();
    await h.load(throughOuter(outer));
    const hash = directory.create({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 4 });
    const inbox = leases.inboxes.get(outer)!;
    await expect(inbox.update(u32s(0), u32s(hash))).rejects.toMatchObject({
      code: 'EINVAL',
      message: `update: map ${hash} (type 1, key 4, value 8, max_entries 4, flags 0x0) does not match the inner map template (type 2, key 4, value 8, max_entries 4, flags 0x0)`,
    });
    await expect(inbox.update(u32s(0), u32s(999))).rejects.toMatchObject({ code: 'EBADF', message: 'update: no map with id 999' });
    await provider.settled();
    expect(leases.calls).toEqual([`lease ${outer}`, `lease ${a}`, `lease ${hash}`, `release ${hash}`, 'lease 999']);
    expect(directory.isLeased(hash)).toBe(false);
    expect([inbox.lookup(u32s(0)), directory.lookup(outer, u32s(0))]).toEqual([u32s(a), u32s(a)]);
  });

  it('map lease - an inner map another kernel holds: the load fails with EBUSY and the outer map goes back as it came; an update naming it is EBUSY too', async () => {
    const { h, directory, leases, provider, a, b, outer } = mapInMapKernel();
    directory.grantLease(a, 'kernel-sim-other');
    await expect(h.load(throughOuter(outer))).rejects.toMatchObject({
      code: 'EBUSY',
      message: `map ${outer} (array_of_maps): inner map ${a} is in use by another kernel (lease: map ${a} is held by kernel-sim-other (epoch 1))`,
    });
    expect([directory.isLeased(outer), leases.inboxes.get(outer)!.state]).toEqual([false, 'closed']);
    expect(directory.lookup(outer, u32s(0))).toEqual(u32s(a));
    // With slot 0 naming b, this kernel takes the outer map; then a user update naming a is EBUSY.
    directory.update(outer, u32s(0), u32s(b), 0);
    await h.load(throughOuter(outer));
    await expect(leases.inboxes.get(outer)!.update(u32s(1), u32s(a))).rejects.toMatchObject({ code: 'EBUSY', message: `update: inner map ${a} is in use by another kernel (lease: map ${a} is held by kernel-sim-other (epoch 1))` });
    await provider.settled();
    expect([directory.isLeased(b), directory.lookup(outer, u32s(0))]).toEqual([true, u32s(b)]);
  });

  it('map lease - an inner map whose handle was closed lives on in the slot, here and in the maps-store, and is freed when the slot lets go of it', async () => {
    const { h, directory, leases, provider, a, outer } = mapInMapKernel();
    const { program } = await h.load(throughOuter(outer));
    directory.close(a);
    h.kernel.testRun(program.id, {});
    await provider.heartbeat();
    h.kernel.close(program.id);
    await provider.settled();
    expect([directory.has(a), value0(directory, a)]).toEqual([true, 334n]);
    // Leased again, the slot deleted by user space: the inner map goes home last and is freed there.
    await h.load(throughOuter(outer));
    await leases.inboxes.get(outer)!.delete(u32s(0));
    await provider.settled();
    expect(directory.has(a)).toBe(false);
    expect(() => directory.lookup(outer, u32s(0))).toThrow(/slot 0 is empty/);
  });

  it('map lease - a restarted maps-store that kept only the pinned outer map (its slot naming a lost map dropped) learns the inner map from the heartbeat and gets the slot back', async () => {
    const { h, directory, leases, provider, a, outer } = mapInMapKernel();
    const { program } = await h.load(throughOuter(outer));
    h.kernel.testRun(program.id, {});
    await provider.heartbeat();
    directory.pin('/sys/fs/bpf/outer', outer);
    const restarted = new MapDirectory(new Arena(), { cpus: 2, leaseTtlMs: 1000 });
    restarted.restore([directory.snapshot(outer)]);
    expect(restarted.has(a)).toBe(false);
    expect(() => restarted.lookup(outer, u32s(0))).toThrow(/slot 0 is empty/);
    leases.directory = restarted;
    await provider.heartbeat();
    expect([restarted.isLeased(outer), restarted.isLeased(a)]).toEqual([true, true]);
    expect([restarted.lookup(outer, u32s(0)), value0(restarted, a)]).toEqual([u32s(a), 334n]);
    h.kernel.close(program.id);
    await provider.settled();
    expect([restarted.isLeased(outer), restarted.isLeased(a), restarted.lookup(outer, u32s(0))]).toEqual([false, false, u32s(a)]);
  });

  it('map lease - a kernel that stops renewing: the maps-store serves the outer and inner maps from their last checkpoints, and another kernel leases them all', async () => {
    const { h, directory, provider, a, b, outer, advance } = mapInMapKernel();
    const { program } = await h.load(throughOuter(outer));
    h.kernel.testRun(program.id, {});
    await provider.heartbeat();
    h.kernel.testRun(program.id, {});
    advance(2000);
    expect(directory.expireLeases().map((l) => l.map_id).sort()).toEqual([a, outer].sort());
    expect([value0(directory, a), directory.lookup(outer, u32s(0))]).toEqual([334n, u32s(a)]);
    directory.update(outer, u32s(1), u32s(b), 0);

    const other = new DirectoryLeases(directory, 'kernel-sim-other');
    const otherArena = new Arena({ initialPages: 32 });
    const otherProvider = new LeasedMapProvider(other, otherArena, 2);
    const k2 = kernelHarness({ arena: otherArena, cpus: 2, ports: { maps: otherProvider } });
    const second = await k2.load(throughOuter(outer));
    expect(other.calls).toEqual([`lease ${outer}`, `lease ${a}`, `lease ${b}`]);
    expect(k2.kernel.testRun(second.program.id, {}).retval).toBe(335);
    await otherProvider.close();
    expect([value0(directory, a), directory.lookup(outer, u32s(1)), directory.isLeased(b)]).toEqual([335n, u32s(b), false]);
  });
});
