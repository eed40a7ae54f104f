import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coreReloKindName, parseAccessString } from './core.js';
import { BtfError } from './errors.js';
import { parseBtfExt } from './ext.js';
import { parseBtf } from './parse.js';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./testdata/${name}`, import.meta.url)));

describe('BTF.ext - clang objects', () => {
  it('func_info and line_info per section, offsets in bytes, lines resolved', () => {
    const btf = parseBtf(fixture('xdp_parser.btf'));
    const ext = parseBtfExt(fixture('xdp_parser.btf.ext'), btf);
    expect(ext.funcInfoRecSize).toBe(8);
    expect(ext.lineInfoRecSize).toBe(16);
    expect(ext.funcInfo).toEqual([
      { section: '.text', records: [{ insnOff: 0, typeId: 31 }, { insnOff: 112, typeId: 37 }] },
      { section: 'xdp', records: [{ insnOff: 0, typeId: 35 }] },
      { section: 'xdp.frags', records: [{ insnOff: 0, typeId: 39 }] },
    ]);
    expect(ext.lineInfo[0]!.records[0]).toEqual({
      insnOff: 0,
      fileNameOff: 246,
      lineOff: 261,
      fileName: './xdp_parser.c',
      line: '__noinline int count_verdict(__u32 action)',
      lineNum: 113,
      column: 0,
    });
    expect(ext.coreRelos).toEqual([]);
  });

  it('CO-RE relocations with access strings', () => {
    const btf = parseBtf(fixture('tracing.btf'));
    const ext = parseBtfExt(fixture('tracing.btf.ext'), btf);
    const sched = ext.coreRelos.find((s) => s.section === 'raw_tp/sched_switch')!;
    expect(sched.records.slice(0, 2)).toEqual([
      { insnOff: 0, typeId: 28, accessStrOff: 1514, accessStr: '0:0', access: [0, 0], kind: 0 },
      { insnOff: 88, typeId: 28, accessStrOff: 1647, accessStr: '0:5', access: [0, 5], kind: 2 },
    ]);
    expect(ext.coreRelos.flatMap((s) => s.records).map((r) => coreReloKindName(r.kind))).toContain('enumval_value');
  });

  it('the big-endian build reads the same way', () => {
    const btf = parseBtf(fixture('xdp_parser.bpfeb.btf'));
    const ext = parseBtfExt(fixture('xdp_parser.bpfeb.btf.ext'), btf);
    expect(ext.endian).toBe('big');
    expect(ext.funcInfo.map((s) => s.section)).toEqual(['.text', 'xdp', 'xdp.frags']);
  });
});

describe('BTF.ext - malformed', () => {
  const btf = parseBtf(fixture('xdp_parser.btf'));
  /** Parses the fixture after `edit`; func_info starts right after the header (hdr_len at byte 4). */
  const broken = (edit: (view: DataView) => void): string => {
    const bytes = fixture('xdp_parser.btf.ext');
    edit(new DataView(bytes.buffer));
    try {
      parseBtfExt(bytes, btf);
    } catch (err) {
      expect(err).toBeInstanceOf(BtfError);
      return (err as BtfError).message;
    }
    throw new Error('parseBtfExt accepted it');
  };

  it('names what is wrong', () => {
    expect(broken((v) => v.setUint16(0, 0x1234, true))).toBe('BTF.ext: bad magic 0x1234 (expected 0xeb9f)');
    expect(broken((v) => v.setUint32(12, 0x10000, true))).toMatch(/^BTF\.ext: func_info: \[0, 65536\) lies beyond the data/);
    expect(broken((v) => v.setUint32(v.getUint32(4, true), 6, true))).toBe('BTF.ext: func_info: record size 6 is below 8 or not a multiple of 4');
    expect(broken((v) => v.setUint32(v.getUint32(4, true) + 8, 0, true))).toBe("BTF.ext: func_info: section '.text' has no records");
  });

  it('access strings', () => {
    expect(parseAccessString('0:1:2')).toEqual([0, 1, 2]);
    expect(() => parseAccessString('0:x')).toThrow("BTF.ext: malformed CO-RE access string '0:x'");
  });
});
