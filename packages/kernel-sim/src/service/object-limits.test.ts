import { BpfError, type CallerIdentity, DEFAULT_LIMITS, DEFAULT_ROLES, capabilitiesOf } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { KernelObjectCharges, resolves } from './object-limits.js';

const tracer: CallerIdentity = { account: 'TRACER', user: 't', capabilities: capabilitiesOf(DEFAULT_ROLES, 'TRACER'), source: 'server' };

/** Charges with a limit of two programs, over a table of live ids. */
function setup(): { limits: KernelObjectCharges; live: Set<number>; load: (id: number) => Promise<number> } {
  const limits = new KernelObjectCharges({ limits: { ...DEFAULT_LIMITS, progs: 2 }, exemptAdmin: true });
  const live = new Set<number>();
  limits.watch('progs', (id) => live.has(id));
  const load = (id: number): Promise<number> =>
    limits.create(tracer, 'progs', 'prog_load', () => (live.add(id), id), (made) => made);
  return { limits, live, load };
}

describe('kernel-sim object limits', () => {
  it('the program over the limit is E2BIG and is never made', async () => {
    const { limits, live, load } = setup();
    await load(1);
    await load(2);
    await expect(load(3)).rejects.toMatchObject({ code: 'E2BIG', message: expect.stringContaining('TRACER would exceed its limit of 2 programs (BPFHIVE_LIMIT_PROGS): 2 in use') });
    expect(live.has(3)).toBe(false);
    expect(limits.stats()).toEqual({ objects: { progs: 2, links: 0, btfs: 0 }, accounts: { TRACER: { progs: 2, links: 0, btfs: 0 } } });
  });

  it('a freed program is uncharged once its id stops resolving', async () => {
    const { limits, live, load } = setup();
    await load(1);
    await load(2);
    live.delete(1);
    await load(3);
    expect(limits.stats().objects.progs).toBe(2);
  });

  it('a load that fails gives its charge back before the error', async () => {
    const { limits } = setup();
    const failing = limits.create(tracer, 'progs', 'prog_load', () => Promise.reject(new BpfError('EACCES', 'refused')), () => 0);
    await expect(failing).rejects.toMatchObject({ code: 'EACCES' });
    expect(limits.stats().accounts).toEqual({});
  });

  it('resolves: an id is alive while the getter does not throw', () => {
    const alive = resolves((id) => {
      if (id !== 4) throw new BpfError('ENOENT', 'no such');
    });
    expect([alive(4), alive(5)]).toEqual([true, false]);
  });
});
