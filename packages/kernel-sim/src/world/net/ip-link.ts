/**
 * Devices printed the way iproute2 prints them (`ip link`, `ip addr`, `ip -s link`), so a user
 * of the CLI sees the familiar shape.
 */
import { formatPrefix } from './addr.js';
import type { DeviceTable } from './device-table.js';
import type { NetDevice } from './device.js';

function flags(d: NetDevice): string {
  const f = d.kind === 'loopback' ? ['LOOPBACK'] : ['BROADCAST', 'MULTICAST'];
  if (d.up) f.push('UP', 'LOWER_UP');
  return `<${f.join(',')}>`;
}

function state(d: NetDevice): string {
  if (!d.up) return 'DOWN';
  return d.kind === 'loopback' ? 'UNKNOWN' : 'UP';
}

/** The two lines `ip link` prints for a device; a veth shows its peer as `name@peer`. */
export function formatLink(d: NetDevice, table?: DeviceTable): string {
  const peer = d.peer !== undefined ? `@${table?.get(d.peer)?.name ?? `if${d.peer}`}` : '';
  const link = d.kind === 'loopback' ? `link/loopback ${d.mac} brd 00:00:00:00:00:00` : `link/ether ${d.mac} brd ff:ff:ff:ff:ff:ff`;
  return `${d.ifindex}: ${d.name}${peer}: ${flags(d)} mtu ${d.mtu} qdisc noqueue state ${state(d)} mode DEFAULT group default qlen 1000\n    ${link}`;
}

/** `ip addr`: the link lines then one `inet`/`inet6` line per address. */
export function formatAddr(d: NetDevice, table?: DeviceTable): string {
  const lines = [formatLink(d, table)];
  for (const a of d.addresses) lines.push(`    ${a.family === 4 ? 'inet' : 'inet6'} ${formatPrefix(a)} scope ${a.address === '127.0.0.1' || a.address === '::1' ? 'host' : 'global'} ${d.name}`);
  return lines.join('\n');
}

/** `ip -s link`: the link lines then the RX and TX counters. */
export function formatStats(d: NetDevice, table?: DeviceTable): string {
  const s = d.totals();
  return [
    formatLink(d, table),
    '    RX:  bytes packets dropped',
    `    ${String(s.rxBytes).padStart(10)} ${String(s.rxPackets).padStart(7)} ${String(s.rxDropped).padStart(7)}`,
    '    TX:  bytes packets dropped',
    `    ${String(s.txBytes).padStart(10)} ${String(s.txPackets).padStart(7)} ${String(s.txDropped).padStart(7)}`,
  ].join('\n');
}

/** Every device of the table, as `ip addr` prints them. */
export function formatTable(table: DeviceTable): string {
  return table.list().map((d) => formatAddr(d, table)).join('\n');
}
