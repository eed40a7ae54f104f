import { describe, expect, it } from 'vitest';
import { buildFrame, parseFrame, tupleOf, tupleOfParsed } from './frame.js';
import { defaultRss, rssHash, rssHashOfFrame } from './rss.js';

const MACS = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };

/** The reference: the full parser, undefined where it throws. */
const slowTuple = (frame: Uint8Array): ReturnType<typeof tupleOf> => {
  try {
    return tupleOfParsed(parseFrame(frame));
  } catch {
    return undefined;
  }
};

/** A small deterministic generator (xorshift32). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

const FRAMES: Uint8Array[] = [
  buildFrame({ ...MACS, ip: { src: '10.0.0.2', dst: '10.0.0.1' }, l4: { proto: 'udp', sport: 5353, dport: 53 }, payload: new Uint8Array(18) }),
  buildFrame({ ...MACS, ip: { src: '192.168.1.9', dst: '10.0.0.1' }, l4: { proto: 'tcp', sport: 51000, dport: 80, options: new Uint8Array(12) } }),
  buildFrame({ ...MACS, vlans: [{ vid: 7 }, { vid: 9 }], ip: { src: '10.1.2.3', dst: '10.3.2.1' }, l4: { proto: 'icmp', type: 8 } }),
  buildFrame({ ...MACS, ip: { src: 'fe80::1', dst: '2001:db8::42' }, l4: { proto: 'tcp', sport: 1, dport: 443 } }),
  buildFrame({ ...MACS, ip: { src: '::1', dst: '::ffff:10.0.0.1' }, l4: { proto: 'udp', sport: 9, dport: 10 } }),
  buildFrame({ ...MACS, ip: { src: '2001:db8::1', dst: '2001:db8::2' }, l4: { proto: 'icmp', type: 128 } }),
  buildFrame({ ...MACS, ip: { src: '10.0.0.9', dst: '10.0.0.1' }, l4: { proto: 47 }, payload: new Uint8Array(30) }),
  buildFrame({ ...MACS, arp: { op: 1, senderMac: MACS.src, senderIp: '10.0.0.2', targetMac: '00:00:00:00:00:00', targetIp: '10.0.0.1' } }),
];

describe('net frames - tupleOf without the full parser', () => {
  it('gives what the full parser gives, on well-formed frames and on thousands of truncated and corrupted ones', () => {
    const next = rng(42);
    let checked = 0;
    for (const frame of FRAMES) {
      expect(tupleOf(frame)).toEqual(slowTuple(frame));
      for (let cut = 0; cut <= frame.length; cut++) expect(tupleOf(frame.subarray(0, cut))).toEqual(slowTuple(frame.subarray(0, cut)));
      for (let k = 0; k < 400; k++) {
        const bad = frame.slice();
        // Corrupt a few bytes of the headers (lengths, versions, protocols, fragment fields, ports).
        for (let j = 1 + (next() % 3); j > 0; j--) bad[next() % Math.min(bad.length, 80)] = next() & 0xff;
        expect(tupleOf(bad), `frame ${Buffer.from(bad).toString('hex')}`).toEqual(slowTuple(bad));
        checked++;
      }
    }
    expect(checked).toBe(FRAMES.length * 400);
  });

  it('rssHashOfFrame is the hash of the tuple', () => {
    const rss = defaultRss(8);
    for (const frame of FRAMES) expect(rssHashOfFrame(rss, frame)).toBe(rssHash(rss, slowTuple(frame)));
  });

  it('micro-check (printed, not asserted): ns per frame, the full parser against tupleOf and rssHashOfFrame', () => {
    const rss = defaultRss(8);
    const frame = FRAMES[0]!;
    const time = (f: () => unknown, n = 20_000): number => {
      for (let i = 0; i < 2_000; i++) f();
      const t = performance.now();
      for (let i = 0; i < n; i++) f();
      return ((performance.now() - t) * 1e6) / n;
    };
    const before = time(() => rssHash(rss, slowTuple(frame)));
    const tuple = time(() => tupleOf(frame));
    const after = time(() => rssHashOfFrame(rss, frame));
    console.log(`tupleOf micro-check: parseFrame+rssHash ${before.toFixed(0)} ns/frame, tupleOf ${tuple.toFixed(0)} ns, rssHashOfFrame ${after.toFixed(0)} ns`);
  });
});
