import { Arena, MapDirectory } from '@bpfhive/maps-store';
import { BpfError, HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness, readU64, u32s, u64s } from '../../testing/harness.js';
import { LeasedMapProvider } from './leased-provider.js';
import { DirectoryLeases } from './memory-leases.js';

/** A kernel whose maps are leased from a maps-store directory, and a counter map there. */
function leasedKernel(cpus = 2) {
  let now = 0;
  const directory = new MapDirectory(new Arena(), { cpus: 2, leaseTtlMs: 1000, now: () => now });
  const leases = new DirectoryLeases(directory);
  const arena = new Arena({ initialPages: 32 });
  const log: string[] = [];
  const provider = new LeasedMapProvider(leases, arena, cpus, (line) => log.push(line));
  const h = kernelHarness({ arena, cpus, ports: { maps: provider } });
  const counts = directory.create({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 4, map_name: 'counts' });
  directory.update(counts, u32s(0), u64s(40n), 0);
  return { h, directory, leases, provider, counts, log, advance: (ms: number) => (now += ms) };
}

/** counts[0] += 1, as a program sees the map. */
const increment = (id: number): string => `
  r1 = 0
  *(u32 *)(r10 - 4) = r1
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

const count = (directory: MapDirectory, id: number): bigint => readU64(directory.lookup(id, u32s(0)));

describe('map leases - the kernel side', () => {
  it('map lease - a restarted maps-store that kept only pinned maps learns the unpinned map a kernel holds from its heartbeat; the lease goes on', async () => {
    const { h, directory, leases, provider, counts, log } = leasedKernel();
    const { program } = await h.load(increment(counts));
    h.kernel.testRun(program.id, {});
    await provider.heartbeat();
    expect(count(directory, counts)).toBe(41n);
    const epoch = directory.leases.get(counts)!.epoch;
    leases.directory = new MapDirectory(new Arena(), { cpus: 2, leaseTtlMs: 1000 });
    await provider.heartbeat();
    expect(leases.directory.leases.get(counts)).toMatchObject({ holder: leases.holder, epoch });
    expect(leases.directory.info(counts)).toMatchObject({ map_id: counts, name: 'counts', max_entries: 4 });
    // Registered empty, then sent the contents at once, though they did not change since the last checkpoint.
    expect(count(leases.directory, counts)).toBe(41n);
    expect(log).toEqual([]);
    h.kernel.testRun(program.id, {});
    expect(readU64(provider.hosted(counts)!.map.lookup(u32s(0)))).toBe(42n);
    // The program's writes reach the new maps-store at the next checkpoint.
    await provider.heartbeat();
    expect(count(leases.directory, counts)).toBe(42n);
  });

  it('map lease - a program runs on the leased contents; the maps-store gets them back at a heartbeat and when the program goes', async () => {
    const { h, directory, leases, provider, counts } = leasedKernel();
    const { program } = await h.load(increment(counts));
    expect(directory.isLeased(counts)).toBe(true);
    expect(leases.inboxes.get(counts)!.state).toBe('serving');
    h.kernel.testRun(program.id, {});
    h.kernel.testRun(program.id, {});
    expect(readU64(provider.hosted(counts)!.map.lookup(u32s(0)))).toBe(42n);
    expect(count(directory, counts)).toBe(40n);

    await provider.heartbeat();
    expect(count(directory, counts)).toBe(42n);
    h.kernel.testRun(program.id, {});
    h.kernel.close(program.id);
    expect(leases.inboxes.get(counts)!.state).toBe('read-only');
    await provider.settled();
    expect(leases.inboxes.get(counts)!.state).toBe('closed');
    expect(directory.isLeased(counts)).toBe(false);
    expect(count(directory, counts)).toBe(43n);
    expect(provider.hosted(counts)).toBeUndefined();
  });

  it('map lease - programs sharing a map share one lease, released when the last one goes', async () => {
    const { h, leases, provider, counts, directory } = leasedKernel();
    const one = await h.load(increment(counts));
    const two = await h.load(increment(counts));
    h.kernel.testRun(one.program.id, {});
    h.kernel.testRun(two.program.id, {});
    h.kernel.close(one.program.id);
    await provider.settled();
    expect(directory.isLeased(counts)).toBe(true);
    h.kernel.close(two.program.id);
    await provider.settled();
    expect(leases.calls).toEqual([`lease ${counts}`, `release ${counts}`]);
    expect(count(directory, counts)).toBe(42n);
  });

  it('map lease - a change from user space is checkpointed before its reply; a heartbeat with nothing new sends nothing', async () => {
    const { h, directory, leases, provider, counts } = leasedKernel();
    await h.load(increment(counts));
    await leases.inboxes.get(counts)!.update(u32s(1), u64s(7n));
    expect(readU64(directory.lookup(counts, u32s(1)))).toBe(7n);
    await provider.heartbeat();
    expect(leases.calls).toEqual([`lease ${counts}`, `checkpoint ${counts}`]);
  });

  it('map lease - a map a program takes again right after it went home comes back with what it went home with', async () => {
    const { h, directory, provider, counts } = leasedKernel();
    const first = await h.load(increment(counts));
    h.kernel.testRun(first.program.id, {});
    h.kernel.close(first.program.id);
    const second = await h.load(increment(counts));
    h.kernel.testRun(second.program.id, {});
    expect(readU64(provider.hosted(counts)!.map.lookup(u32s(0)))).toBe(42n);
    expect(directory.leases.epochOf(counts)).toBe(2);
  });

  it('map lease - a map id the maps-store does not know is EBADF; a map another kernel holds is EBUSY; nothing stays subscribed', async () => {
    const { h, directory, leases, counts } = leasedKernel();
    await expect(h.load(increment(99))).rejects.toMatchObject({ code: 'EBADF', message: 'map 99: no such map' });
    expect(leases.inboxes.get(99)!.state).toBe('closed');
    directory.grantLease(counts, 'kernel-sim-other');
    await expect(h.load(increment(counts))).rejects.toMatchObject({ code: 'EBUSY' });
    expect(leases.inboxes.get(counts)!.state).toBe('closed');
  });

  it('map lease - contents this kernel cannot hold (per-CPU values for another CPU count) go back as they came, and the load fails', async () => {
    const { h, directory, leases, counts } = leasedKernel(4);
    const percpu = directory.create({ map_type: 'percpu_array', key_size: 4, value_size: 8, max_entries: 1 });
    directory.update(percpu, u32s(0), u64s(1n, 2n), 0);
    const error = await h.load(increment(percpu)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BpfError);
    expect((error as BpfError).message).toMatch(/map \d+ \(percpu_array\): 1 records of its lease did not load/);
    expect(leases.calls).toEqual([`lease ${percpu}`, `release ${percpu}`]);
    expect([directory.isLeased(percpu), directory.lookup(percpu, u32s(0))]).toEqual([false, u64s(1n, 2n)]);
    expect(directory.isLeased(counts)).toBe(false);
  });

  it('map lease - a lease the maps-store let expire is taken back at the next heartbeat when nobody held the map since; the maps-store gets what programs wrote', async () => {
    const { h, directory, leases, provider, counts, log, advance } = leasedKernel();
    const { program } = await h.load(increment(counts));
    const first = leases.inboxes.get(counts)!;
    // This kernel could not renew in time (a NATS outage): the maps-store serves 40 again, programs go on.
    advance(2000);
    expect(directory.expireLeases().map((l) => l.map_id)).toEqual([counts]);
    h.kernel.testRun(program.id, {});
    expect(count(directory, counts)).toBe(40n);

    await provider.heartbeat();
    expect(first.state).toBe('closed');
    expect(leases.inboxes.get(counts)!.state).toBe('serving');
    expect([directory.leases.get(counts)?.holder, directory.leases.epochOf(counts)]).toEqual([leases.holder, 2]);
    expect(count(directory, counts)).toBe(41n);
    expect(log).toEqual([
      `map ${counts}: lease lost (the maps-store no longer counts it as ours); programs keep its contents here, the maps-store serves its last checkpoint`,
      `map ${counts}: lease taken back (epoch 2); the maps-store gets this kernel's contents`,
    ]);
    h.kernel.testRun(program.id, {});
    h.kernel.close(program.id);
    await provider.settled();
    expect([directory.isLeased(counts), count(directory, counts)]).toEqual([false, 42n]);
  });

  it('map lease - a lease lost to another kernel stays lost: no more answers from here, nothing sent back, programs keep running', async () => {
    const { h, directory, leases, provider, counts, log, advance } = leasedKernel();
    const { program } = await h.load(increment(counts));
    advance(2000);
    directory.expireLeases();
    const other = directory.grantLease(counts, 'kernel-sim-other');
    await provider.heartbeat();
    expect(leases.inboxes.get(counts)!.state).toBe('closed');
    expect(log[1]).toMatch(new RegExp(`^map ${counts}: lease cannot be taken back \\(lease: map ${counts} is held by kernel-sim-other`));
    // The other kernel gives it back; this one does not take it again, its contents went elsewhere.
    directory.releaseLease(counts, 'kernel-sim-other', other.epoch, [[u32s(0), u64s(50n)]]);
    await provider.heartbeat();
    h.kernel.testRun(program.id, {});
    h.kernel.close(program.id);
    await provider.settled();
    expect(leases.calls).toEqual([`lease ${counts}`, `lease ${counts}`]);
    expect([directory.isLeased(counts), count(directory, counts)]).toEqual([false, 50n]);
  });

  it('map lease - a lost lease is not taken back once another kernel held the map, even after it gave it back', async () => {
    const { h, directory, leases, provider, counts, log, advance } = leasedKernel();
    await h.load(increment(counts));
    advance(2000);
    directory.expireLeases();
    const other = directory.grantLease(counts, 'kernel-sim-other');
    directory.releaseLease(counts, 'kernel-sim-other', other.epoch, [[u32s(0), u64s(50n)]]);
    await provider.heartbeat();
    expect(leases.calls).toEqual([`lease ${counts}`, `lease ${counts}`, `release ${counts}`]);
    expect(log[1]).toBe(`map ${counts}: lease cannot be taken back (another holder had it since: epoch 3, ours was 1); programs keep its contents here`);
    expect([directory.isLeased(counts), count(directory, counts)]).toEqual([false, 50n]);
  });

  it('map lease - close sends every map home', async () => {
    const { h, directory, provider, counts } = leasedKernel();
    const { program } = await h.load(increment(counts));
    h.kernel.testRun(program.id, {});
    await provider.close();
    expect([directory.isLeased(counts), count(directory, counts)]).toEqual([false, 41n]);
  });
});
