import { BpfError } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { DeviceTable } from './device-table.js';
import { formatAddr, formatLink, formatStats } from './ip-link.js';

const code = (run: () => unknown): string => {
  try {
    run();
  } catch (e) {
    if (e instanceof BpfError) return e.code;
    throw e;
  }
  return 'ok';
};

describe('net device table', () => {
  it('lo is ifindex 1 with its loopback addresses', () => {
    const t = new DeviceTable();
    const lo = t.resolve('lo');
    expect(lo.ifindex).toBe(1);
    expect(lo.mtu).toBe(65536);
    expect(lo.describe().addresses).toEqual(['127.0.0.1/8', '::1/128']);
  });

  it('creates devices with the next index, defaults and a MAC derived from the index', () => {
    const t = new DeviceTable();
    const eth0 = t.create({ name: 'eth0', queues: 4, addresses: ['10.0.0.1/24'] });
    expect(eth0).toMatchObject({ ifindex: 2, mtu: 1500, up: true, mac: '02:00:00:00:00:02' });
    expect(eth0.queues.length).toBe(4);
    expect(t.ownerOf('10.0.0.1')).toBe(eth0);
    expect(t.list().map((d) => d.name)).toEqual(['lo', 'eth0']);
  });

  it('veth pairs point at each other and are deleted together; indices are not reused', () => {
    const t = new DeviceTable();
    const [a, b] = t.createVethPair({ name: 'veth0' }, { name: 'veth1' });
    expect([a.peer, b.peer]).toEqual([b.ifindex, a.ifindex]);
    expect(t.delete('veth1').map((d) => d.name)).toEqual(['veth1', 'veth0']);
    expect(t.list().map((d) => d.name)).toEqual(['lo']);
    expect(t.create({ name: 'eth0' }).ifindex).toBe(4);
  });

  it('errors carry the errno ip(8) reports', () => {
    const t = new DeviceTable();
    t.create({ name: 'eth0' });
    expect(code(() => t.create({ name: 'eth0' }))).toBe('EEXIST');
    expect(code(() => t.create({ name: 'a/b' }))).toBe('EINVAL');
    expect(code(() => t.create({ name: 'x'.repeat(16) }))).toBe('EINVAL');
    expect(code(() => t.create({ name: 'e1', mtu: 10 }))).toBe('EINVAL');
    expect(code(() => t.create({ name: 'e1', addresses: ['10.0.0.1/40'] }))).toBe('EINVAL');
    expect(code(() => t.create({ name: 'e1', mac: 'zz' }))).toBe('EINVAL');
    expect(code(() => t.delete('nope'))).toBe('ENODEV');
    expect(code(() => t.delete('lo'))).toBe('EOPNOTSUPP');
    expect(code(() => t.addAddress('eth0', '10.0.0.1/24'))).toBe('ok');
    expect(code(() => t.addAddress('eth0', '10.0.0.1/16'))).toBe('EEXIST');
  });

  it('prints like ip link / ip addr / ip -s link', () => {
    const t = new DeviceTable();
    const [a] = t.createVethPair({ name: 'veth0', addresses: ['10.1.0.1/24'] }, { name: 'veth1' });
    expect(formatLink(t.resolve('lo'), t)).toBe(
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n' +
        '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
    );
    expect(formatAddr(a, t)).toContain('2: veth0@veth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500');
    expect(formatAddr(a, t)).toContain('    inet 10.1.0.1/24 scope global veth0');
    a.queue(0).rxPackets = 3;
    expect(formatStats(a, t)).toMatch(/RX: {2}bytes packets dropped\n\s+0\s+3\s+0/);
    t.setUp('veth0', false);
    expect(formatLink(a, t)).toContain('<BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN');
  });
});
