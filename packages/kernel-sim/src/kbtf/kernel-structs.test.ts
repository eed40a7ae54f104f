import { Arena } from '@bpfhive/maps-store';
import { describe, expect, it } from 'vitest';
import { KernelStructs } from './kernel-structs.js';
import { structLayout } from './struct-layout.js';

function setup(): { arena: Arena; structs: KernelStructs; view: () => DataView } {
  const arena = new Arena();
  return { arena, structs: new KernelStructs(arena), view: () => new DataView(arena.bytes.buffer) };
}

describe('kernel structs - writing fields through BTF', () => {
  it('kernel structs - integers, pointers and char arrays land at their BTF offsets, little-endian', () => {
    const { structs, arena, view } = setup();
    const task = structs.create('task_struct', { pid: 4242, tgid: 4240, comm: 'a-very-long-command-name', real_parent: 0x123456789an }).address;
    const at = (path: string): number => task + structLayout('task_struct').field(path).offset;
    expect(view().getInt32(at('pid'), true)).toBe(4242);
    expect(view().getInt32(at('tgid'), true)).toBe(4240);
    expect(view().getBigUint64(at('real_parent'), true)).toBe(0x123456789an);
    expect(Buffer.from(arena.bytes.subarray(at('comm'), at('comm') + 16)).toString('latin1')).toBe('a-very-long-com\0');
    expect(structs.read(task, 'task_struct', 'comm')).toBe('a-very-long-com');
    expect(structs.read(task, 'task_struct', 'pid')).toBe(4242n);
    expect(structs.pointer(task, 'task_struct', 'real_parent')).toBe(0x123456789a);
  });

  it('kernel structs - signed fields read back sign-extended, unsigned ones not', () => {
    const { structs } = setup();
    const task = structs.create('task_struct', { exit_signal: -1, flags: 0xffffffff }).address;
    expect(structs.read(task, 'task_struct', 'exit_signal')).toBe(-1n);
    expect(structs.read(task, 'task_struct', 'flags')).toBe(0xffffffffn);
  });

  it('kernel structs - bytes are stored as given (network order), the rest of the field zeroed', () => {
    const { structs, arena } = setup();
    const sk = structs.create('sock_common', { skc_daddr: Uint8Array.of(10, 0, 0, 2), skc_dport: Uint8Array.of(0x01, 0xbb), skc_v6_daddr: Uint8Array.of(0xfd) }).address;
    const at = (path: string): number => sk + structLayout('sock_common').field(path).offset;
    expect([...arena.bytes.subarray(at('skc_daddr'), at('skc_daddr') + 4)]).toEqual([10, 0, 0, 2]);
    expect([...arena.bytes.subarray(at('skc_dport'), at('skc_dport') + 2)]).toEqual([1, 0xbb]);
    expect(structs.read(sk, 'sock_common', 'skc_dport')).toBe(0xbb01n);
    expect(structs.read(sk, 'sock_common', 'skc_v6_daddr')).toEqual(Uint8Array.of(0xfd, ...new Uint8Array(15)));
  });

  it('kernel structs - a bitfield is written without touching its neighbours', () => {
    const { structs } = setup();
    const th = structs.create('tcphdr', { doff: 5, syn: 1, ack: 1 }).address;
    structs.write(th, 'tcphdr', { syn: 0 });
    expect([structs.read(th, 'tcphdr', 'doff'), structs.read(th, 'tcphdr', 'syn'), structs.read(th, 'tcphdr', 'ack')]).toEqual([5n, 0n, 1n]);
  });

  it('kernel structs - string() copies text with its NUL; free gives the block back', () => {
    const { structs, arena } = setup();
    const before = arena.allocated;
    const s = structs.string('passwd');
    expect(Buffer.from(arena.bytes.subarray(s.address, s.address + s.size)).toString('latin1')).toBe('passwd\0');
    structs.free(s);
    expect(arena.allocated).toBe(before);
  });

  it.each([
    [{ pid: 1n << 40n }, /does not fit in 32 bits/],
    [{ pid: 'x' }, /only a char array takes a string/],
    [{ comm: 5 }, /a ARRAY takes bytes/],
    [{ comm: new Uint8Array(17) }, /17 bytes do not fit in 16/],
    [{ nope: 1 }, /no member 'nope'/],
  ])('kernel structs - write %o is refused', (values, why) => {
    const { structs } = setup();
    const task = structs.alloc('task_struct').address;
    expect(() => structs.write(task, 'task_struct', values)).toThrow(why);
  });
});
