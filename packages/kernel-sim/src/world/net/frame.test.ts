import { describe, expect, it } from 'vitest';
import { ArpOp } from './arp.js';
import { internetChecksum } from './checksum.js';
import { NetFormatError } from './errors.js';
import { EtherType } from './ethernet.js';
import { formatTuple, IpProto } from './flow.js';
import { buildFrame, parseFrame, payloadOf, tupleOf } from './frame.js';
import { echoRest, Icmp6Type, IcmpType } from './icmp.js';
import { formatTcpFlags, parseTcpFlags, TcpFlags } from './tcp.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!, (b) => parseInt(b, 16));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const MACS = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
const u16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;

describe('net frames - checksums against known packets', () => {
  it('the IPv4 header checksum of the classic example is 0xb861', () => {
    // 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7 (UDP, 192.168.0.1 → 192.168.0.199)
    const payload = new Uint8Array(0x73 - 20 - 8);
    const f = buildFrame({ ...MACS, ip: { src: '192.168.0.1', dst: '192.168.0.199' }, l4: { proto: 'udp', sport: 1, dport: 2 }, payload });
    expect(toHex(f.subarray(14, 34))).toBe('450000730000400040' + '11b861c0a80001c0a800c7');
    expect(internetChecksum(f, 14, 34)).toBe(0);
  });

  it('a captured TCP SYN with options gets its checksum 0x5823', () => {
    // 192.168.0.101:59295 → 192.30.252.154:80, SYN, MSS/SACK/TS/WS options, as captured.
    const captured = hex('e79f00505eab226500000000b002ffff58230000020405b4010303050101080a3a4dbdc50000000004020000');
    const f = buildFrame({
      ...MACS,
      ip: { src: '192.168.0.101', dst: '192.30.252.154' },
      l4: { proto: 'tcp', sport: 59295, dport: 80, seq: 0x5eab2265, flags: TcpFlags.SYN, window: 0xffff, options: captured.subarray(20) },
    });
    expect(toHex(f.subarray(34))).toBe(toHex(captured));
    const p = parseFrame(f);
    expect(p.tcp?.checksum).toBe(0x5823);
    expect(p.checksumOk).toBe(true);
    expect(formatTcpFlags(p.tcp!.flags)).toBe('SYN');
  });

  it('UDP, ICMP and ICMPv6 checksums match an independent computation', () => {
    const udp = buildFrame({ ...MACS, ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { proto: 'udp', sport: 1234, dport: 53 }, payload: new TextEncoder().encode('hello') });
    expect(u16(udp, 34 + 6)).toBe(0xa2f8);
    const icmp = buildFrame({ ...MACS, ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { proto: 'icmp', type: IcmpType.ECHO_REQUEST, rest: echoRest(0x1234, 7) }, payload: new TextEncoder().encode('abcdefgh') });
    expect(u16(icmp, 34 + 2)).toBe(0x542f);
    const icmp6 = buildFrame({ ...MACS, ip: { src: 'fe80::1', dst: 'ff02::1' }, l4: { proto: 'icmp', type: Icmp6Type.ECHO_REQUEST, rest: echoRest(1, 1) }, payload: new TextEncoder().encode('ping') });
    expect(u16(icmp6, 54 + 2)).toBe(0xa360);
    for (const f of [udp, icmp, icmp6]) expect(parseFrame(f).checksumOk).toBe(true);
  });

  it('a corrupted byte makes checksumOk false', () => {
    const f = buildFrame({ ...MACS, ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { proto: 'tcp', sport: 1, dport: 2 }, payload: new Uint8Array([1, 2, 3]) });
    f[56]! ^= 0xff; // the last payload byte (the frame is padded past it)
    expect(parseFrame(f).checksumOk).toBe(false);
  });
});

describe('net frames - layers round trip', () => {
  it('VLAN-tagged (QinQ) IPv6 TCP: tags, addresses, ports, flags and payload come back', () => {
    const payload = new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n');
    const f = buildFrame({
      ...MACS,
      vlans: [{ tpid: EtherType.QINQ, vid: 100, pcp: 3 }, { vid: 42, dei: true }],
      ip: { src: '2001:db8::1', dst: '2001:db8::2', ttl: 7 },
      l4: { proto: 'tcp', sport: 40000, dport: 80, seq: 1, ack: 2, flags: parseTcpFlags('PSH|ACK') },
      payload,
    });
    const p = parseFrame(f);
    expect(p.vlans).toEqual([{ tpid: 0x88a8, vid: 100, pcp: 3, dei: false }, { tpid: 0x8100, vid: 42, pcp: 0, dei: true }]);
    expect(p.etherType).toBe(EtherType.IPV6);
    expect(p.ipv6).toMatchObject({ src: '2001:db8::1', dst: '2001:db8::2', hopLimit: 7, nextHeader: IpProto.TCP });
    expect(p.tcp).toMatchObject({ sport: 40000, dport: 80, seq: 1, ack: 2, flags: TcpFlags.PSH | TcpFlags.ACK });
    expect(new TextDecoder().decode(payloadOf(f, p))).toBe('GET / HTTP/1.1\r\n\r\n');
    expect(p.checksumOk).toBe(true);
    expect(formatTuple(tupleOf(f)!)).toBe('tcp [2001:db8::1]:40000 > [2001:db8::2]:80');
  });

  it('short frames are padded to 60 bytes and the padding is not payload', () => {
    const f = buildFrame({ ...MACS, ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { proto: 'udp', sport: 1, dport: 2 } });
    expect(f.length).toBe(60);
    const p = parseFrame(f);
    expect(p.ipv4?.totalLength).toBe(28);
    expect(p.payloadLength).toBe(0);
    expect(buildFrame({ ...MACS, etherType: 0x88b5, pad: false }).length).toBe(14);
  });

  it('ARP request round trip', () => {
    const arp = { op: ArpOp.REQUEST, senderMac: MACS.src, senderIp: '10.0.0.1', targetMac: '00:00:00:00:00:00', targetIp: '10.0.0.2' };
    const p = parseFrame(buildFrame({ src: MACS.src, dst: 'ff:ff:ff:ff:ff:ff', arp }));
    expect(p.arp).toEqual(arp);
    expect(tupleOf(buildFrame({ src: MACS.src, dst: 'ff:ff:ff:ff:ff:ff', arp }))).toBeUndefined();
  });

  it('IPv6 extension headers are skipped to find the transport layer', () => {
    const f = buildFrame({ ...MACS, ip: { src: 'fd00::1', dst: 'fd00::2' }, l4: { proto: 0 }, payload: new Uint8Array(8 + 8) });
    // Turn the "next header 0" payload into a hop-by-hop header followed by UDP.
    f[54] = IpProto.UDP; // hop-by-hop: next header UDP, length 0 (8 bytes)
    f[62] = 0x12; f[63] = 0x34; f[64] = 0; f[65] = 53; f[66] = 0; f[67] = 8;
    const p = parseFrame(f);
    expect(p.protocol).toBe(IpProto.UDP);
    expect(p.udp).toMatchObject({ sport: 0x1234, dport: 53 });
  });

  it('malformed frames are rejected with a message naming the layer', () => {
    expect(() => parseFrame(new Uint8Array(10))).toThrow(/parse ethernet/);
    const f = buildFrame({ ...MACS, ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { proto: 'udp', sport: 1, dport: 2 } });
    f[14] = 0x65;
    expect(() => parseFrame(f)).toThrow(/parse ipv4: version 6/);
    expect(() => buildFrame({ ...MACS, l4: { proto: 'udp', sport: 1, dport: 2 } })).toThrow(NetFormatError);
    expect(() => buildFrame({ ...MACS, ip: { src: '10.0.0.1', dst: 'fd00::1' } })).toThrow(/families/);
    expect(tupleOf(new Uint8Array(3))).toBeUndefined();
  });
});
