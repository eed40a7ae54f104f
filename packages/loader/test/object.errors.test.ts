/**
 * Objects that are sound ELF but that libbpf would refuse, and broken BTF inside them, made
 * by changing bytes of the real objects: each gives a typed error (ObjectError, BtfError)
 * with the errno libbpf would give and a message naming the program, map or type.
 */
import { type BpfError, BtfError, parseBtf } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { ObjectError, readObject } from '../src/index.js';
import { type ObjectName, Patcher, objectBytes } from './objects/fixtures.js';

const patch = (name: ObjectName): Patcher => new Patcher(objectBytes(name));

function failure(p: Patcher, kind: typeof ObjectError | typeof BtfError = ObjectError): BpfError {
  try {
    readObject(p.bytes, { path: 'broken.o' });
  } catch (err) {
    expect(err).toBeInstanceOf(kind);
    return err as BpfError;
  }
  throw new Error('readObject accepted the broken object');
}

describe('object errors - programs and relocations', () => {
  it('a program outside .text must be global (ENOTSUP)', () => {
    const p = patch('xdp_parser');
    p.u8(p.symbolEntry('xdp_parse') + 4, 0x02); // STB_LOCAL, STT_FUNC
    const err = failure(p);
    expect(err.code).toBe('ENOTSUP');
    expect(err.message).toBe("object: sec 'xdp': program 'xdp_parse' is static; programs outside .text must be global");
  });

  it('instructions that do not decode name the program', () => {
    const p = patch('xdp_parser');
    p.u8(p.sectionData('xdp'), 0xff);
    expect(failure(p).message).toMatch(/^object: sec 'xdp': program 'xdp_parse': decode: instruction 0: /);
  });

  it('a relocation that points at an instruction other than lddw or call', () => {
    const p = patch('xdp_parser');
    p.u64(p.relocationEntry('xdp', 0), 0n);
    expect(failure(p).message).toBe("object: prog 'xdp_parse': relo #0 against 'max_packet_len': insns[0] has code 0x61, not a call or lddw");
  });

  it('a relocation into the second half of a lddw', () => {
    const p = patch('xdp_parser');
    p.u64(p.relocationEntry('xdp', 0), 0x50n);
    expect(failure(p).message).toBe("object: prog 'xdp_parse': relo #0 against 'max_packet_len' points into the middle of a lddw");
  });

  it('a map relocation against a symbol that is no map', () => {
    const p = patch('socket_filter');
    const license = p.elf.symbols.find((s) => s.name === '_license')!.index;
    p.u32(p.relocationEntry('socket', 0) + 12, license);
    expect(failure(p).message).toBe("object: prog 'count_protocols': relo #0 against '_license': bad map relo into section 'license'");
  });

  it('a call into the middle of a subprogram', () => {
    const p = patch('xdp_parser');
    p.u32(p.sectionData('xdp') + 49 * 8 + 4, 14); // call 13 (parse_ipv4 at .text slot 14) → slot 15
    expect(failure(p).message).toBe("object: prog 'xdp_parse': insn 46 (slot 49) calls into the middle of 'parse_ipv4' (.text slot 15)");
  });
});

describe('object errors - maps', () => {
  it('BTF-defined maps need BTF (ENOENT)', () => {
    const p = patch('xdp_parser').renameSection('.BTF', '.BTX');
    const err = failure(p);
    expect(err.code).toBe('ENOENT');
    expect(err.message).toBe('object: BTF is required for the .maps section, but the object has none');
  });

  it('an unknown field of a map definition (ENOTSUP)', () => {
    const p = patch('xdp_parser').replaceInSection('.BTF', 'max_entries', 'max_entriez');
    const err = failure(p);
    expect(err.code).toBe('ENOTSUP');
    expect(err.message).toBe("object: map 'verdicts': unknown field 'max_entriez'");
  });

  it('a legacy map definition with non-zero bytes beyond the five fields (ENOTSUP)', () => {
    const p = patch('socket_filter');
    p.u64(p.symbolEntry('proto_bytes') + 16, 24n);
    const err = failure(p);
    expect(err.code).toBe('ENOTSUP');
    expect(err.message).toBe("object: map 'proto_bytes': unrecognized non-zero field at byte 20 of its 24-byte definition");
  });

  it('a map-in-map slot pointing at a program, a program array slot pointing at a map', () => {
    const p = patch('map_in_map');
    p.u32(p.relocationEntry('.maps', 0) + 12, p.elf.symbols.find((s) => s.name === 'tail_a')!.index);
    expect(failure(p).message).toBe("object: .maps relo #0: 'tail_a' isn't a BTF-defined map");
    const q = patch('map_in_map');
    q.u32(q.relocationEntry('.maps', 2) + 12, q.elf.symbols.find((s) => s.name === 'inner_a')!.index);
    const err = failure(q);
    expect(err.code).toBe('ESRCH');
    expect(err.message).toBe("object: .maps relo #2: 'inner_a' isn't a valid program reference");
  });

  it('a global data section too big for a map value (E2BIG)', () => {
    const p = patch('xdp_parser');
    p.u64(p.sectionHeader('.bss') + 32, BigInt(8 << 20));
    const err = failure(p);
    expect(err.code).toBe('E2BIG');
    expect(err.message).toBe("object: section '.bss' of 8388608 bytes is too big for a map value (at most 4194304)");
  });

  it('a version section that is not four bytes', () => {
    const p = patch('socket_filter');
    p.u64(p.sectionHeader('version') + 32, 2n);
    expect(failure(p).message).toBe('object: invalid version section: 2 bytes, expected 4');
  });
});

describe('object errors - externs and BTF', () => {
  it('externs need BTF to say what they are (ESRCH)', () => {
    const p = patch('tracing').renameSection('.BTF', '.BTX');
    const err = failure(p);
    expect(err.code).toBe('ESRCH');
    expect(err.message).toMatch(/^object: extern '\w+': the object has no BTF to describe it$/);
  });

  it('a loop in the object BTF is a BtfError naming the types', () => {
    const p = patch('xdp_parser');
    const btfAt = p.sectionData('.BTF');
    const btf = parseBtf(p.elf.sections[p.sectionIndex('.BTF')]!.data);
    expect(btf.types[1]).toMatchObject({ kind: 'PTR' });
    p.u32(btfAt + 24 + 8, 1); // [1] PTR → itself
    expect(failure(p, BtfError).message).toBe("BTF: loop in type chain: [1] PTR '(anon)' -> [1] PTR '(anon)'");
  });

  it('a bad BTF magic', () => {
    const p = patch('xdp_parser');
    p.u16(p.sectionData('.BTF'), 0);
    expect(failure(p, BtfError).message).toBe('BTF: bad magic 0x0000 (expected 0xeb9f)');
  });
});
