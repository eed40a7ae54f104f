import { UpdateFlag } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from './arena.js';
import { MapDirectory } from './directory.js';
import type { MapRecord } from './records.js';

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const code = (c: string) => expect.objectContaining({ code: c });

/** A directory with a hash map holding 1 → 10, and a clock the test moves. */
function setup() {
  const clock = { now: 1000 };
  const d = new MapDirectory(new Arena({ initialPages: 8 }), { leaseTtlMs: 500, now: () => clock.now });
  const id = d.create({ map_type: 'hash', key_size: 4, value_size: 4, max_entries: 8 });
  d.update(id, u32(1), u32(10), UpdateFlag.ANY);
  return { d, id, clock };
}
const records = (...pairs: [number, number][]): MapRecord[] => pairs.map(([k, v]) => [u32(k), u32(v)]);

describe('map leases', () => {
  it('map leases - a grant hands over spec, contents and epoch 1; the map is leased until released', () => {
    const { d, id } = setup();
    const grant = d.grantLease(id, 'kernel-a');
    expect(grant).toMatchObject({ map_id: id, epoch: 1, frozen: false, spec: { key_size: 4, value_size: 4 } });
    expect(grant.records).toEqual(records([1, 10]));
    expect(d.isLeased(id)).toBe(true);
    d.releaseLease(id, 'kernel-a', 1, records([1, 11], [2, 20]));
    expect(d.isLeased(id)).toBe(false);
    expect(d.lookup(id, u32(1))).toEqual(u32(11));
    expect(d.lookup(id, u32(2))).toEqual(u32(20));
  });

  it('map leases - another holder gets EBUSY; the same holder again gets a new epoch', () => {
    const { d, id } = setup();
    d.grantLease(id, 'kernel-a');
    expect(() => d.grantLease(id, 'kernel-b')).toThrow(code('EBUSY'));
    expect(d.grantLease(id, 'kernel-a').epoch).toBe(2);
  });

  it.each([
    ['another holder', 'kernel-b', 1],
    ['an old epoch', 'kernel-a', 0],
  ])('map leases - a checkpoint from %s is ESTALE', (_title, holder, epoch) => {
    const { d, id } = setup();
    d.grantLease(id, 'kernel-a');
    expect(() => d.checkpointLease(id, holder, epoch, [])).toThrow(code('ESTALE'));
    expect(() => d.releaseLease(id, holder, epoch, [])).toThrow(code('ESTALE'));
  });

  it('map leases - a release of a map that is not leased is ESTALE; of a map that does not exist ENOENT', () => {
    const { d, id } = setup();
    expect(() => d.releaseLease(id, 'kernel-a', 1, [])).toThrow(code('ESTALE'));
    expect(() => d.grantLease(999, 'kernel-a')).toThrow(code('ENOENT'));
  });

  it('map leases - a checkpoint keeps the lease and becomes the contents here; frozen travels', () => {
    const { d, id } = setup();
    d.grantLease(id, 'kernel-a');
    d.checkpointLease(id, 'kernel-a', 1, records([7, 70]), true);
    expect(d.isLeased(id)).toBe(true);
    expect(d.snapshot(id)).toMatchObject({ frozen: true, epoch: 1, lease: { holder: 'kernel-a' }, elements: [[Buffer.from(u32(7)).toString('base64'), Buffer.from(u32(70)).toString('base64')]] });
  });

  it('map leases - a holder that stops renewing loses its leases; the last checkpoint is served again', () => {
    const { d, id, clock } = setup();
    d.grantLease(id, 'kernel-a');
    d.checkpointLease(id, 'kernel-a', 1, records([1, 99]));
    clock.now += 400;
    expect(d.leases.renew('kernel-a').map((l) => l.map_id)).toEqual([id]);
    clock.now += 400;
    expect(d.expireLeases()).toEqual([]);
    clock.now += 500;
    expect(d.expireLeases()).toMatchObject([{ map_id: id, holder: 'kernel-a', epoch: 1 }]);
    expect(d.isLeased(id)).toBe(false);
    expect(d.lookup(id, u32(1))).toEqual(u32(99));
    expect(() => d.checkpointLease(id, 'kernel-a', 1, [])).toThrow(code('ESTALE'));
    expect(d.grantLease(id, 'kernel-b').epoch).toBe(2);
  });

  it('map leases - the lease and epoch survive a restore from a snapshot', () => {
    const { d, id } = setup();
    d.grantLease(id, 'kernel-a');
    const snapshot = d.snapshot(id);
    const restarted = new MapDirectory(new Arena({ initialPages: 8 }), { leaseTtlMs: 500 });
    restarted.restore([snapshot]);
    expect(restarted.isLeased(id)).toBe(true);
    restarted.releaseLease(id, 'kernel-a', 1, records([3, 30]));
    expect(restarted.lookup(id, u32(3))).toEqual(u32(30));
    expect(restarted.grantLease(id, 'kernel-b').epoch).toBe(2);
  });
});
