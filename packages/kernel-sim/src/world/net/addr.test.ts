import { describe, expect, it } from 'vitest';
import {
  addressInPrefix, formatIPv4, formatIPv6, formatMac, ipBytes, parseIPv4, parseIPv6, parseMac, parsePrefix,
  prefixContains, prefixSize,
} from './addr.js';
import { NetFormatError } from './errors.js';

describe('net addr', () => {
  it('MAC round trip and rejection', () => {
    expect(formatMac(parseMac('02:AB:0c:00:00:01'))).toBe('02:ab:0c:00:00:01');
    expect(() => parseMac('02:ab:0c:00:00')).toThrow(NetFormatError);
  });

  it('IPv4 text ⇄ number', () => {
    expect(parseIPv4('192.168.0.199')).toBe(0xc0a800c7);
    expect(formatIPv4(0xc0a800c7)).toBe('192.168.0.199');
    expect(() => parseIPv4('256.0.0.1')).toThrow(/dotted quad/);
    expect(() => parseIPv4('1.2.3')).toThrow(NetFormatError);
  });

  it.each([
    ['2001:db8::1', '2001:db8::1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::200:f8ff:fe21:67cf', 'fe80::200:f8ff:fe21:67cf'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['::ffff:10.0.0.1', '::ffff:a00:1'],
  ])('IPv6 %s prints as %s (RFC 5952)', (text, canonical) => {
    expect(formatIPv6(parseIPv6(text))).toBe(canonical);
  });

  it('IPv6 rejects malformed text', () => {
    expect(() => parseIPv6('1::2::3')).toThrow(NetFormatError);
    expect(() => parseIPv6('1:2:3')).toThrow(NetFormatError);
    expect(() => parseIPv6('12345::')).toThrow(NetFormatError);
  });

  it('prefixes: parse, size, membership, n-th address', () => {
    const p = parsePrefix('10.0.0.0/24');
    expect(p).toEqual({ family: 4, address: '10.0.0.0', length: 24 });
    expect(prefixSize(p)).toBe(256);
    expect(prefixContains(p, '10.0.0.77')).toBe(true);
    expect(prefixContains(p, '10.0.1.1')).toBe(false);
    expect(addressInPrefix(p, 5)).toBe('10.0.0.5');
    expect(addressInPrefix(p, 256 + 7)).toBe('10.0.0.7');
    expect(addressInPrefix(parsePrefix('fd00::/120'), 300)).toBe('fd00::2c');
    expect(parsePrefix('10.1.2.3')).toEqual({ family: 4, address: '10.1.2.3', length: 32 });
    expect(() => parsePrefix('10.0.0.0/33')).toThrow(/prefix length/);
    expect([...ipBytes('1.2.3.4')]).toEqual([1, 2, 3, 4]);
  });
});
