/**
 * The ELF reader on the real objects, both byte orders, and on broken copies of them: every
 * malformed input is an ElfError (EINVAL) whose message names what is wrong.
 */
import { BpfError } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { ElfError, SectionType, readElf } from '../src/elf/index.js';
import { Patcher, objectBytes } from './objects/fixtures.js';

/** xdp_parser.o: 34 sections, the section header table at 0x4460, 0x4ce0 bytes in all. */
const xdp = (): Patcher => new Patcher(objectBytes('xdp_parser'));

function elfError(bytes: Uint8Array): ElfError {
  try {
    readElf(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(ElfError);
    expect(err).toBeInstanceOf(BpfError);
    expect((err as ElfError).code).toBe('EINVAL');
    return err as ElfError;
  }
  throw new Error('readElf accepted the broken file');
}

describe('ELF reader - real objects', () => {
  it('reads the sections, symbols and relocations of a little-endian object', () => {
    const elf = readElf(objectBytes('xdp_parser'));
    expect(elf.header).toMatchObject({ endian: 'little', type: 1, machine: 247, shnum: 34, shstrndx: 1, shoff: 0x4460 });
    expect(elf.sections.map((s) => s.name).slice(0, 8)).toEqual(['', '.strtab', '.text', '.rel.text', 'xdp', '.relxdp', 'xdp.frags', '.relxdp.frags']);
    const xdpSection = elf.sections[4]!;
    expect(xdpSection).toMatchObject({ type: SectionType.PROGBITS, offset: 0x210, size: 0x340, addralign: 8 });
    expect(xdpSection.data).toHaveLength(0x340);
    expect(elf.sections.find((s) => s.name === '.bss')).toMatchObject({ type: SectionType.NOBITS, size: 16, data: new Uint8Array(0) });
    expect(elf.symbols).toHaveLength(41);
    expect(elf.symbols.find((s) => s.name === 'xdp_parse')).toMatchObject({ type: 2, bind: 1, shndx: 4, value: 0, size: 832 });
    const rel = elf.relocations.get(4)!;
    expect(rel.section.name).toBe('.relxdp');
    expect(rel.entries[0]).toEqual({ offset: 0x48, symbol: elf.symbols.find((s) => s.name === 'max_packet_len')!.index, type: 1 });
  });

  it('reads a big-endian object to the same sections and symbols', () => {
    const le = readElf(objectBytes('xdp_parser'));
    const be = readElf(objectBytes('xdp_parser.bpfeb'));
    expect(be.header.endian).toBe('big');
    expect(be.sections.map((s) => [s.name, s.type, s.flags])).toEqual(le.sections.map((s) => [s.name, s.type, s.flags]));
    expect(be.symbols.map((s) => [s.name, s.type, s.bind])).toEqual(le.symbols.map((s) => [s.name, s.type, s.bind]));
    expect([...be.relocations.keys()]).toEqual([...le.relocations.keys()]);
  });
});

describe('ELF reader - malformed files', () => {
  it('a truncated file names the section header table it cannot reach', () => {
    expect(elfError(objectBytes('xdp_parser').subarray(0, 0x200)).message).toBe(
      'ELF: section header table at 0x4460 lies beyond the end of the file (0x200 bytes)',
    );
    expect(elfError(objectBytes('xdp_parser').subarray(0, 40)).message).toBe('ELF: file of 40 bytes is too short for the 64-byte ELF64 header');
  });

  it('section data beyond the end of the file', () => {
    const p = xdp().u64(xdp().sectionHeader('.text') + 24, 0x4c00n);
    expect(elfError(p.bytes).message).toBe("ELF: section 2 '.text': data [0x4c00, 0x4dd0) lies beyond the end of the file (0x4ce0 bytes)");
  });

  it('not ELF, not 64-bit, not for BPF, not relocatable', () => {
    expect(elfError(xdp().u8(0, 0x7e).bytes).message).toBe('ELF: not an ELF file: magic 7e 45 4c 46 (expected 7f 45 4c 46)');
    expect(elfError(xdp().u8(4, 1).bytes).message).toBe('ELF: EI_CLASS 1 is not ELFCLASS64 (2): eBPF objects are 64-bit');
    expect(elfError(xdp().u16(18, 62).bytes).message).toBe('ELF: e_machine 62 is not EM_BPF (247)');
    expect(elfError(xdp().u16(18, 0).bytes).message).toBe('ELF: e_machine 0 is not EM_BPF (247) (EM_NONE: built by a very old LLVM?)');
    expect(elfError(xdp().u16(16, 2).bytes).message).toBe('ELF: e_type 2 is not ET_REL (1): expected a relocatable object from clang -c');
    expect(elfError(xdp().u16(58, 40).bytes).message).toBe('ELF: e_shentsize 40 is not 64');
  });

  it('a section name table index out of range, or not naming a string table', () => {
    expect(elfError(xdp().u16(62, 99).bytes).message).toBe('ELF: e_shstrndx 99 is out of range (34 sections)');
    expect(elfError(xdp().u16(62, 2).bytes).message).toBe('ELF: e_shstrndx 2 names a PROGBITS section, not a STRTAB');
  });

  it('overlapping sections', () => {
    const p = xdp();
    p.u64(p.sectionHeader('xdp') + 24, 0x40n);
    expect(elfError(p.bytes).message).toBe("ELF: section 4 'xdp' [0x40, 0x380) overlaps section 2 '.text' [0x40, 0x210)");
    const q = xdp();
    q.u64(q.sectionHeader('xdp') + 24, 0x4480n).u64(q.sectionHeader('xdp') + 32, 0x80n);
    expect(elfError(q.bytes).message).toBe("ELF: section 4 'xdp' [0x4480, 0x4500) overlaps the section header table [0x4460, 0x4ce0)");
  });

  it('wrong entry sizes of the symbol and relocation tables', () => {
    const p = xdp();
    expect(elfError(p.u64(p.sectionHeader('.symtab') + 56, 16n).bytes).message).toBe("ELF: section 33 '.symtab': sh_entsize 16 is not 24");
    const q = xdp();
    expect(elfError(q.u64(q.sectionHeader('.relxdp') + 56, 24n).bytes).message).toBe("ELF: section 5 '.relxdp': sh_entsize 24 is not 16");
    const r = xdp();
    expect(elfError(r.u64(r.sectionHeader('.relxdp') + 32, 0xbcn).bytes).message).toBe(
      "ELF: section 5 '.relxdp': size 0xbc is not a multiple of the entry size 16",
    );
  });

  it('names, symbols and relocations that point nowhere', () => {
    const p = xdp();
    expect(elfError(p.u32(p.symbolEntry('flows'), 0xffff).bytes).message).toBe(
      "ELF: symbol 38: name offset 0xffff lies beyond string table 1 '.strtab' (0x226 bytes)",
    );
    const q = xdp();
    expect(elfError(q.u16(q.symbolEntry('flows') + 6, 200).bytes).message).toBe(
      "ELF: symbol 38 'flows': section index 200 is out of range (34 sections)",
    );
    const r = xdp();
    expect(elfError(r.u32(r.relocationEntry('xdp', 0) + 12, 999).bytes).message).toBe(
      "ELF: section 5 '.relxdp' entry 0: symbol index 999 is out of range (41 symbols)",
    );
    const s = xdp();
    expect(elfError(s.u64(s.relocationEntry('xdp', 0), 0x1000n).bytes).message).toBe(
      "ELF: section 5 '.relxdp' entry 0: offset 0x1000 lies beyond section 4 'xdp' (0x340 bytes)",
    );
    const t = xdp();
    expect(elfError(t.u32(t.sectionHeader('.relxdp') + 44, 77).bytes).message).toBe(
      "ELF: section 5 '.relxdp': sh_info 77 does not name a section (34 sections)",
    );
    const u = xdp();
    expect(elfError(u.u32(u.sectionHeader('xdp'), 0x9999).bytes).message).toBe(
      "ELF: section 4: name offset 0x9999 lies beyond string table 1 '.strtab' (0x226 bytes)",
    );
  });

  it('64-bit fields too large for an offset', () => {
    expect(elfError(xdp().u64(40, 0x8000000000004460n).bytes).message).toBe('ELF: e_shoff: value 0x8000000000004460 is too large');
  });
});
