import { BpfError } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { IpProto } from '../flow.js';
import { parseFrame, payloadOf, tupleOf } from '../frame.js';
import { parseHttpRequest } from '../http.js';
import { TcpFlags } from '../tcp.js';
import { TrafficGenerator, type TrafficSpec } from './generator.js';

const base: TrafficSpec = {
  seed: 42,
  rate: 1000,
  count: 200,
  flows: { count: 8, src: '192.168.0.0/24', dst: '10.0.0.1', sport: { from: 40000, to: 40100 }, dport: [80, 443] },
};

describe('traffic generator', () => {
  it('is deterministic for a seed and differs for another', () => {
    const a = [...new TrafficGenerator(base)];
    const b = [...new TrafficGenerator(base)];
    const c = [...new TrafficGenerator({ ...base, seed: 43 })];
    expect(b).toEqual(a);
    expect(c.map((f) => f.frame)).not.toEqual(a.map((f) => f.frame));
  });

  it('sends count frames at the rate, or rate × duration', () => {
    const frames = [...new TrafficGenerator({ ...base, start: 5_000 })];
    expect(frames.length).toBe(200);
    expect(frames.slice(0, 3).map((f) => f.time)).toEqual([5_000, 1_005_000, 2_005_000]);
    expect(new TrafficGenerator({ ...base, count: undefined, duration: 50_000_000 }).total).toBe(50);
  });

  it('flows stay inside their prefixes and port ranges; every frame parses with good checksums', () => {
    const gen = new TrafficGenerator({ ...base, mix: { tcp: 1, udp: 1, icmp: 1 } });
    expect(gen.flows.length).toBe(8);
    for (const { frame } of gen) {
      const p = parseFrame(frame);
      expect(p.checksumOk).toBe(true);
      const t = tupleOf(frame)!;
      expect(t.src).toMatch(/^192\.168\.0\.\d+$/);
      expect(t.dst).toBe('10.0.0.1');
      if (t.proto !== IpProto.ICMP) {
        expect(t.sport).toBeGreaterThanOrEqual(40000);
        expect(t.sport).toBeLessThanOrEqual(40100);
        expect([80, 443]).toContain(t.dport);
      }
    }
  });

  it('a protocol mix yields every protocol; IPv6 flows use ICMPv6', () => {
    const protos = new Set([...new TrafficGenerator({ ...base, flows: { ...base.flows, count: 64 }, mix: { tcp: 1, udp: 1, icmp: 1 } })].map((f) => tupleOf(f.frame)!.proto));
    expect([...protos].sort((a, b) => a - b)).toEqual([IpProto.ICMP, IpProto.TCP, IpProto.UDP]);
    const v6 = new TrafficGenerator({ ...base, flows: { count: 4, src: 'fd00::/64', dst: 'fd00::1' }, mix: { icmp: 1 } });
    expect(v6.flows.every((f) => f.proto === IpProto.ICMPV6)).toBe(true);
  });

  it('sizes: fixed, uniform bounds and IMIX proportions', () => {
    const fixed = [...new TrafficGenerator({ ...base, mix: { udp: 1 }, sizes: { kind: 'fixed', bytes: 128 } })];
    expect(new Set(fixed.map((f) => f.frame.length))).toEqual(new Set([128]));
    const uni = [...new TrafficGenerator({ ...base, mix: { udp: 1 }, sizes: { kind: 'uniform', min: 100, max: 200 } })].map((f) => f.frame.length);
    expect(Math.min(...uni)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...uni)).toBeLessThanOrEqual(200);
    const imix = [...new TrafficGenerator({ ...base, count: 1200, mix: { udp: 1 }, sizes: { kind: 'imix' } })].map((f) => f.frame.length);
    expect(new Set(imix)).toEqual(new Set([60, 590, 1514]));
    const small = imix.filter((n) => n === 60).length;
    expect(small / imix.length).toBeGreaterThan(0.5);
    expect(small / imix.length).toBeLessThan(0.67);
  });

  it('TCP flows open with a SYN; data segments carry HTTP requests from the lists', () => {
    const gen = new TrafficGenerator({
      ...base,
      http: { methods: ['GET', 'POST'], paths: ['/', '/api/items'], hosts: ['shop.example'] },
    });
    const firstSeen = new Set<string>();
    let requests = 0;
    for (const { frame } of gen) {
      const p = parseFrame(frame);
      const key = `${p.tcp!.sport}-${p.ipv4!.src}-${p.tcp!.dport}`;
      if (!firstSeen.has(key)) {
        firstSeen.add(key);
        expect(p.tcp!.flags).toBe(TcpFlags.SYN);
        continue;
      }
      const req = parseHttpRequest(payloadOf(frame, p));
      expect(['GET', 'POST']).toContain(req.method);
      expect(['/', '/api/items']).toContain(req.path);
      expect(req.headers[0]).toEqual(['Host', 'shop.example']);
      requests++;
    }
    expect(requests).toBeGreaterThan(150);
  });

  it('batch returns at most max frames and then the rest', () => {
    const gen = new TrafficGenerator({ ...base, count: 10 });
    expect(gen.batch(4).length).toBe(4);
    expect(gen.batch(100).length).toBe(6);
    expect(gen.batch(100).length).toBe(0);
  });

  it('rejects bad specs with EINVAL naming the field', () => {
    const bad = (spec: Partial<TrafficSpec>): string => {
      try {
        new TrafficGenerator({ ...base, ...spec } as TrafficSpec);
        return 'ok';
      } catch (e) {
        expect(e).toBeInstanceOf(BpfError);
        return (e as Error).message;
      }
    };
    expect(bad({ rate: 0 })).toMatch(/rate 0/);
    expect(bad({ count: undefined })).toMatch(/duration or a count/);
    expect(bad({ flows: { src: '10.0.0.0/8', dst: 'fd00::1' } })).toMatch(/different address families/);
    expect(bad({ flows: { src: '10.0.0.0/8', dst: '10.0.0.1', dport: 70000 } })).toMatch(/dport 70000/);
    expect(bad({ sizes: { kind: 'uniform', min: 300, max: 200 } })).toMatch(/uniform 300..200/);
    expect(bad({ http: { share: 2 } })).toMatch(/share 2/);
  });
});
