import { describe, expect, it } from 'vitest';
import { udpFrame } from '../../testing/packets.js';
import { FlowLog, formatHookFlowRecord } from './flow-log.js';

describe('flow log', () => {
  it('flow log - a run of XDP drops kept as the packets reads back as records with their flows parsed from the frames', () => {
    const log = new FlowLog(4);
    const packet = { time: 1500, ifindex: 2, queue: 1, cpu: 0, hash: 0, frame: udpFrame() };
    log.xdpDrops([packet, { ...packet, time: 1600 }, { ...packet, time: 1700 }], 1, 2, 7);
    const records = log.read(0).records;
    expect(records.map((r) => r.time)).toEqual([1600, 1700]);
    expect(records[0]).toEqual({ time: 1600, ifindex: 2, queue: 1, cpu: 0, hook: 'xdp', progId: 7, action: 'XDP_DROP', len: 60, tuple: { proto: 17, src: '10.0.0.1', dst: '10.0.0.2', sport: 1234, dport: 80 } });
    expect(formatHookFlowRecord(records[0]!)).toBe('1.6us if2 q1 cpu0 xdp prog 7 XDP_DROP udp 10.0.0.1:1234 > 10.0.0.2:80 len 60');
    expect(log.read(0).records[1]).toBe(records[1]);
  });

  it('flow log - the ring keeps the newest records; a reader is told how many it missed, and can ask for fewer', () => {
    const log = new FlowLog(3);
    for (let i = 0; i < 4; i++) log.add({ time: i, ifindex: 1, queue: 0, cpu: 0, hook: 'cgroup_skb_ingress', action: 'DENY', len: i });
    log.xdpDrops([{ time: 4, ifindex: 1, queue: 0, cpu: 0, hash: 0, frame: new Uint8Array(4) }], 0, 1, 3);
    expect(log.total).toBe(5);
    const all = log.read(0);
    expect(all.records.map((r) => r.len)).toEqual([2, 3, 4]);
    expect(all.records[2]).toMatchObject({ action: 'XDP_DROP', progId: 3 });
    expect(all.records[2]!.tuple).toBeUndefined();
    expect([all.next, all.skipped]).toEqual([5, 2]);
    const newest = log.read(3, 1);
    expect(newest.records.map((r) => r.len)).toEqual([4]);
    expect(newest.skipped).toBe(1);
    expect(log.read(5).records).toEqual([]);
  });
});
