import { BpfError, type CallerIdentity, type Capability, DEFAULT_ROLES, capabilitiesOf } from '@bpfhive/uapi';
import { Arena, MapDirectory } from '@bpfhive/maps-store';
import { describe, expect, it } from 'vitest';
import { LocalMapProvider } from '../maps/local-provider.js';
import { kernelHarness } from '../../testing/harness.js';
import type { PrivilegedVerifyRequest } from './privileges.js';

/** A caller of the default roles, as callerIdentity() gives it for a request from `account`. */
const caller = (account: string): CallerIdentity => ({ account, user: account.toLowerCase(), capabilities: capabilitiesOf(DEFAULT_ROLES, account), source: 'server' });

async function loadAs(account: string, prog_type: string, program = 'r0 = 0\nexit') {
  const h = kernelHarness();
  try {
    await h.load(program, { prog_type, caller: caller(account) });
    return { outcome: 'loaded', privileges: (h.verifier.requests[0] as PrivilegedVerifyRequest).privileges };
  } catch (e) {
    if (!(e instanceof BpfError)) throw e;
    return { outcome: e.code, message: e.message, verified: h.verifier.requests.length };
  }
}

describe('prog_load - privileges, as bpf_prog_load checks them', () => {
  it.each([
    ['ADMIN', 'xdp', 'loaded'],
    ['ADMIN', 'kprobe', 'loaded'],
    ['NETOPS', 'xdp', 'loaded'],
    ['NETOPS', 'sched_cls', 'loaded'],
    ['NETOPS', 'kprobe', 'EPERM'],
    ['TRACER', 'kprobe', 'loaded'],
    ['TRACER', 'tracepoint', 'loaded'],
    ['TRACER', 'xdp', 'EPERM'],
    ['TRACER', 'syscall', 'loaded'],
    ['USERS', 'socket_filter', 'loaded'],
    ['USERS', 'cgroup_skb', 'loaded'],
    ['USERS', 'syscall', 'EPERM'],
    ['USERS', 'xdp', 'EPERM'],
    ['USERS', 'kprobe', 'EPERM'],
  ])('prog_load - %s loading %s: %s', async (account, type, outcome) => {
    const result = await loadAs(account, type);
    expect(result.outcome).toBe(outcome);
    if (outcome === 'EPERM') expect(result.verified).toBe(0);
  });

  it('prog_load - EPERM names what is missing: CAP_BPF first, then the type\'s own capability', async () => {
    expect((await loadAs('USERS', 'xdp')).message).toBe('load program (xdp): CAP_BPF required; USERS/users does not have it');
    expect((await loadAs('TRACER', 'xdp')).message).toBe('load program (xdp): CAP_NET_ADMIN required; TRACER/tracer does not have it');
    expect((await loadAs('NETOPS', 'kprobe')).message).toBe('load program (kprobe): CAP_PERFMON required; NETOPS/netops does not have it');
  });

  it('prog_load - without CAP_BPF more than 4,096 instructions is E2BIG, before the type check', async () => {
    const long = `${'r0 = 0\n'.repeat(4096)}exit`;
    expect(await loadAs('USERS', 'socket_filter', long)).toMatchObject({ outcome: 'E2BIG', message: expect.stringMatching(/4097 instructions is more than 4096, the limit without CAP_BPF/) });
    expect((await loadAs('USERS', 'xdp', long)).outcome).toBe('E2BIG');
    expect((await loadAs('NETOPS', 'xdp', long)).outcome).toBe('loaded');
  });

  it('prog_load - the verifier hears the capabilities the loader has; an embedder (no caller) has all and sends none', async () => {
    const expected: Record<string, Capability[]> = { USERS: [], NETOPS: ['CAP_BPF', 'CAP_NET_ADMIN'], ADMIN: ['CAP_BPF', 'CAP_NET_ADMIN', 'CAP_PERFMON', 'CAP_SYS_ADMIN'] };
    expect((await loadAs('USERS', 'socket_filter')).privileges).toEqual(expected.USERS);
    expect((await loadAs('NETOPS', 'xdp')).privileges).toEqual(expected.NETOPS);
    expect((await loadAs('ADMIN', 'xdp')).privileges).toEqual(expected.ADMIN);
    const h = kernelHarness();
    await h.load('r0 = 0\nexit', { prog_type: 'xdp' });
    expect(h.verifier.requests[0]).not.toHaveProperty('privileges');
  });

  it('prog_load - a forged or unidentified caller (no capability) may load only what unprivileged users may', async () => {
    const nobody: CallerIdentity = { account: '', user: '', capabilities: new Set(), source: 'rejected', reason: 'two headers' };
    const h = kernelHarness();
    await expect(h.load('r0 = 0\nexit', { prog_type: 'xdp', caller: nobody })).rejects.toThrow(/CAP_BPF required; an unidentified caller does not have it/);
    await expect(h.load('r0 = 0\nexit', { prog_type: 'socket_filter', caller: nobody })).resolves.toBeDefined();
  });
});

describe('prog_load - the maps a program names', () => {
  it('prog_load - a map the caller may not name (MapProvider.checkAccess) is EPERM before verification, and the maps it took are released', async () => {
    const checked: string[] = [];
    const released: number[] = [];
    const arena = new Arena({ initialPages: 32 });
    const directory = new MapDirectory(arena, 2);
    const local = new LocalMapProvider(directory);
    const h = kernelHarness({
      arena,
      ports: {
        maps: {
          acquire: (id) => local.acquire(id),
          release: (id) => void released.push(id),
          checkAccess: (id, who, action) => {
            checked.push(`${action} ${id} ${who.account}`);
            if (who.account !== 'NETOPS' && !who.capabilities.has('CAP_SYS_ADMIN')) throw new BpfError('EPERM', `${action}: map ${id} is not ${who.account}'s`);
          },
        },
      },
    });
    const map = directory.create({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 1 });
    const program = `ld_pseudo r1, 1, ${map}\nr0 = 0\nexit`;
    await expect(h.load(program, { prog_type: 'kprobe', caller: caller('TRACER') })).rejects.toMatchObject({ code: 'EPERM' });
    expect(h.verifier.requests).toHaveLength(0);
    expect(released).toEqual([map]);
    await expect(h.load(program, { prog_type: 'xdp', caller: caller('NETOPS') })).resolves.toBeDefined();
    await expect(h.load(program, { prog_type: 'kprobe', caller: caller('ADMIN') })).resolves.toBeDefined();
    expect(checked).toEqual([`prog_load ${map} TRACER`, `prog_load ${map} NETOPS`, `prog_load ${map} ADMIN`]);
  });
});
