import { Arena } from '@bpfhive/maps-store';
import { describe, expect, it } from 'vitest';
import { KernelMemory } from '../memory/kernel-memory.js';
import { formatBpf } from './format.js';

const arena = new Arena({ initialPages: 2 });
const memory = new KernelMemory(arena);
const text = arena.alloc(16);
arena.bytes.set(Buffer.from('kernel\0'), text);
const ip = arena.alloc(16);
arena.bytes.set([10, 0, 0, 1], ip);
const ip6 = arena.alloc(16);
arena.bytes.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], ip6);

describe('format - what bpf_trace_printk and bpf_snprintf print', () => {
  it.each([
    ['plain text', 'hello\n', [], 'hello\n'],
    ['%% is a percent sign and takes no argument', '100%%', [], '100%'],
    ['%d is a signed int (32 bits)', '%d', [0xffffffffn], '-1'],
    ['%i is %d', '%i', [42n], '42'],
    ['%u is an unsigned int', '%u', [0xffffffffn], '4294967295'],
    ['%x and %X print hex of 32 bits', '%x %X', [0x1abcdef12n, 0xabn], 'abcdef12 AB'],
    ['%lld is a signed long long', '%lld', [-5n], '-5'],
    ['%llu is an unsigned long long', '%llu', [-1n], '18446744073709551615'],
    ['%llx is hex of 64 bits', '%llx', [0x123456789abcdefn], '123456789abcdef'],
    ['%ld is 64-bit on x86-64', '%ld', [-1n], '-1'],
    ['a width pads with spaces', '[%5d]', [42n], '[   42]'],
    ['0 pads with zeros after the sign', '[%05d]', [-42n], '[-0042]'],
    ['- left-justifies', '[%-4u]', [7n], '[7   ]'],
    ['+ shows the sign', '%+d', [3n], '+3'],
    ['%c is a character', '%c%c', [0x6fn, 0x6bn], 'ok'],
    ['%s reads a kernel string', '<%s>', [BigInt(text)], '<kernel>'],
    ['%s of an unreadable address is empty', '<%s>', [0n], '<>'],
    ['%pks is a kernel string', '%pks.', [BigInt(text)], 'kernel.'],
    ['%p prints the pointer in 16 hex digits', '%p', [0xdeadbeefn], '00000000deadbeef'],
    ['%px prints the pointer raw', '%px', [0x10n], '0000000000000010'],
    ['%pI4 is a dotted quad', '%pI4', [BigInt(ip)], '10.0.0.1'],
    ['%pi4 pads each byte to 3 digits', '%pi4', [BigInt(ip)], '010.000.000.001'],
    ['%pI6 prints eight groups', '%pI6', [BigInt(ip6)], '2001:0db8:0000:0000:0000:0000:0000:0001'],
    ['%pi6 prints 32 hex digits', '%pi6', [BigInt(ip6)], '20010db8000000000000000000000001'],
    ['three conversions', 'a=%d b=%u c=%x', [1n, 2n, 255n], 'a=1 b=2 c=ff'],
  ] as const)('format - %s', (_title, fmt, args, expected) => {
    expect(formatBpf(fmt, args, memory)).toBe(expected);
  });

  it.each([
    ['more conversions than arguments', '%d %d', [1n]],
    ['an unknown conversion', '%q', [1n]],
    ['a precision', '%.2d', [1n]],
    ['a short modifier', '%hd', [1n]],
    ['%s followed by a letter', '%sx', [BigInt(text)]],
    ['an unknown pointer kind', '%pZ', [1n]],
    ['a non-printable character', 'a\x01b', []],
    ['a character above ASCII', 'caf\xe9', []],
    ['a lone % at the end', 'x%', [1n]],
  ] as const)('format - %s is refused (-EINVAL)', (_title, fmt, args) => {
    expect(formatBpf(fmt, args, memory)).toBeUndefined();
  });
});
