import { describe, expect, it } from 'vitest';
import { IpProto } from './flow.js';
import { RSS_DEFAULT_KEY, cpuOfQueue, defaultRss, rssHash, rssInput, rxQueueOf, toeplitzHash } from './rss.js';

/** Microsoft's "Verifying the RSS Hash Calculation" tables: destination, source, hash without and with ports. */
const V4: [string, number, string, number, number, number][] = [
  ['161.142.100.80', 1766, '66.9.149.187', 2794, 0x323e8fc2, 0x51ccc178],
  ['65.69.140.83', 4739, '199.92.111.2', 14230, 0xd718262a, 0xc626b0ea],
  ['12.22.207.184', 38024, '24.19.198.95', 12898, 0xd2d0a5de, 0x5c2b394a],
  ['209.142.163.6', 2217, '38.27.205.30', 48228, 0x82989176, 0xafc7327f],
  ['202.188.127.2', 1303, '153.39.163.191', 44251, 0x5d1809c5, 0x10e828a2],
];
const V6: [string, number, string, number, number, number][] = [
  ['3ffe:2501:200:3::1', 1766, '3ffe:2501:200:1fff::7', 2794, 0x2cc18cd5, 0x40207d3d],
  ['ff02::1', 4739, '3ffe:501:8::260:97ff:fe40:efab', 14230, 0x0f0c461c, 0xdde51bbf],
  ['fe80::200:f8ff:fe21:67cf', 38024, '3ffe:1900:4545:3:200:f8ff:fe21:67cf', 44251, 0x4b61e985, 0x02d1feef],
];

describe('net rss - Toeplitz against the Microsoft verification vectors', () => {
  it.each([...V4, ...V6])('dst %s:%d src %s:%d', (dst, dport, src, sport, addrOnly, withPorts) => {
    expect(toeplitzHash(RSS_DEFAULT_KEY, rssInput({ proto: IpProto.ICMP, src, dst, sport, dport }))).toBe(addrOnly);
    expect(toeplitzHash(RSS_DEFAULT_KEY, rssInput({ proto: IpProto.TCP, src, dst, sport, dport }))).toBe(withPorts);
  });

  it('rejects inputs longer than the key allows', () => {
    expect(() => toeplitzHash(new Uint8Array(8), new Uint8Array(5))).toThrow(/at most 4/);
  });
});

describe('net rss - queues and CPUs', () => {
  it('the default indirection table spreads hashes round-robin over the queues', () => {
    const rss = defaultRss(4);
    expect(rss.indirection.length).toBe(128);
    expect([0, 1, 2, 3, 4, 5, 130].map((h) => rxQueueOf(rss, h))).toEqual([0, 1, 2, 3, 0, 1, 2]);
    expect(cpuOfQueue(5, 4)).toBe(1);
  });

  it('one flow always lands on one queue; many flows use every queue', () => {
    const rss = defaultRss(4);
    const flow = { proto: IpProto.TCP, src: '10.0.0.2', dst: '10.0.0.1', sport: 40000, dport: 80 };
    expect(rssHash(rss, flow)).toBe(rssHash(rss, { ...flow }));
    const queues = new Set<number>();
    for (let p = 40000; p < 40064; p++) queues.add(rxQueueOf(rss, rssHash(rss, { ...flow, sport: p })));
    expect(queues.size).toBe(4);
    expect(rssHash(rss, undefined)).toBe(0);
  });
});
