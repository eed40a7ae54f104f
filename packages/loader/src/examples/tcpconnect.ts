import { cString, ipv4Text } from './bytes.js';
import { collectRingbuf } from './outputs.js';
import type { Example } from './runner.js';
import { runScenario } from './scenario.js';

/** struct connect_event (48 bytes), as examples/tcpconnect/README.md lays it out. */
export interface ConnectEvent {
  readonly ts: bigint;
  readonly pid: number;
  readonly tid: number;
  readonly uid: number;
  readonly saddr: string;
  readonly daddr: string;
  /** Host order (skc_num). */
  readonly sport: number;
  /** Converted from network order (skc_dport). */
  readonly dport: number;
  readonly comm: string;
}

export function decodeConnectEvent(data: Uint8Array): ConnectEvent {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    ts: v.getBigUint64(0, true),
    pid: v.getUint32(8, true),
    tid: v.getUint32(12, true),
    uid: v.getUint32(16, true),
    saddr: ipv4Text(data, 20),
    daddr: ipv4Text(data, 24),
    sport: v.getUint16(28, true),
    dport: v.getUint16(30, false),
    comm: cString(data.subarray(32, 48)),
  };
}

export interface TcpconnectResult {
  readonly events: readonly ConnectEvent[];
}

export const tcpconnect: Example<TcpconnectResult> = {
  name: 'tcpconnect',
  summary: 'every outgoing TCP connection, from struct sock with CO-RE (kprobe + kretprobe), as BCC tcpconnect',
  async run({ client, attach, mapId, print, scenario }) {
    await attach('tcp_v4_connect_entry');
    await attach('tcp_v4_connect_exit');
    const events = await collectRingbuf(client, mapId('events'), decodeConnectEvent);
    try {
      await runScenario(client, await scenario());
      await events.settle();
    } finally {
      events.stop();
    }
    print('');
    print(`${'PID'.padEnd(7)} ${'COMM'.padEnd(16)} ${'SADDR'.padEnd(15)} ${'SPORT'.padStart(5)}  ${'DADDR'.padEnd(15)} ${'DPORT'.padStart(5)}`);
    for (const e of events.items) print(`${String(e.pid).padEnd(7)} ${e.comm.padEnd(16)} ${e.saddr.padEnd(15)} ${String(e.sport).padStart(5)}  ${e.daddr.padEnd(15)} ${String(e.dport).padStart(5)}`);
    print('');
    print(`${events.items.length} connections`);
    return { events: events.items };
  },
};
