import { readFileSync } from 'node:fs';
import { type BtfComposite, type BtfFunc, type BtfType, encodeBtf } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelBtf, kernelBtfBytes, kernelTypeId } from '../../kbtf/kernel-btf.js';
import { BtfCheckError } from './check-error.js';
import { checkBtf } from './check.js';
import { fixupLikeLibbpf } from './testing.js';

/** The loader's test objects' .BTF, as uapi keeps them (packages/uapi/src/btf/testdata). */
const testdata = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../../../uapi/src/btf/testdata/${name}.btf`, import.meta.url)));

/** The kernel's BTF with its model changed by `change`, encoded again (same string table). */
function vmlinuxWith(change: (types: BtfType[]) => void): Uint8Array {
  const types = structuredClone(kernelBtf().types) as BtfType[];
  change(types);
  return encodeBtf({ types, strings: kernelBtf().strings });
}

/** The kernel's BTF bytes with `change` applied. */
function vmlinuxBytes(change: (view: DataView, bytes: Uint8Array) => void): Uint8Array {
  const bytes = kernelBtfBytes().slice();
  change(new DataView(bytes.buffer), bytes);
  return bytes;
}

function refusal(bytes: Uint8Array): BtfCheckError {
  try {
    checkBtf(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(BtfCheckError);
    return e as BtfCheckError;
  }
  throw new Error('checkBtf accepted the blob');
}

const HEADER_LINES = 9;
const typeLines = (log: readonly string[]): number => log.filter((l) => /^\[\d+\] /.test(l)).length;

describe('BTF verifier - accepted blobs and their log', () => {
  it("accepts the kernel's own BTF and logs the header, then every type with its members", () => {
    const { btf, log } = checkBtf(kernelBtfBytes());
    expect(btf.types.length).toBe(kernelBtf().types.length);
    expect(log.slice(0, HEADER_LINES)).toEqual([
      'magic: 0xeb9f',
      'version: 1',
      'flags: 0x0',
      'hdr_len: 24',
      'type_off: 0',
      `type_len: ${kernelBtf().header.typeLen}`,
      `str_off: ${kernelBtf().header.strOff}`,
      `str_len: ${kernelBtf().header.strLen}`,
      `btf_total_size: ${kernelBtfBytes().length}`,
    ]);
    expect(typeLines(log)).toBe(btf.types.length - 1);
    const regs = kernelTypeId('pt_regs', 'STRUCT');
    const at = log.indexOf(`[${regs}] STRUCT pt_regs size=168 vlen=21`);
    expect(log[at + 1]).toMatch(/^\tr15 type_id=\d+ bits_offset=0$/);
    const connect = kernelTypeId('tcp_v4_connect', 'FUNC');
    expect(log).toContain(`[${connect}] FUNC tcp_v4_connect type_id=${(kernelBtf().types[connect] as { type: number }).type}`);
    expect(log.find((l) => / INT int /.test(l))).toMatch(/^\[\d+\] INT int size=4 bits_offset=0 nr_bits=32 encoding=SIGNED$/);
  });

  it.each(['xdp_parser', 'tracing', 'map_in_map', 'xdp_parser.bpfeb'])('accepts %s.BTF once fixed up as libbpf does', (name) => {
    const fixed = fixupLikeLibbpf(testdata(name));
    const { btf, log } = checkBtf(fixed);
    expect(typeLines(log)).toBe(btf.types.length - 1);
  });
});

describe("BTF verifier - clang's raw .BTF, which libbpf fixes before loading", () => {
  it('refuses a DATASEC of size 0 with the line Linux logs', () => {
    const e = refusal(testdata('xdp_parser'));
    expect(e.code).toBe('EINVAL');
    expect(e.failure).toEqual(['[53] DATASEC .bss size=0 vlen=2 size == 0']);
    expect(e.message).toMatch(/^load BTF: \[53\] DATASEC '\.bss': size 0/);
    expect(typeLines(e.logged)).toBe(52);
  });

  it('refuses an extern VAR (linkage 2)', () => {
    expect(refusal(testdata('tracing')).failure).toEqual(['[71] VAR CONFIG_BPF_SYSCALL type_id=70 linkage=2 Linkage not supported']);
  });

  it('refuses a big-endian blob: its hdr_len reads as nonsense on a little-endian kernel', () => {
    const e = refusal(testdata('xdp_parser.bpfeb'));
    expect(e.failure).toEqual(['btf_header not found']);
    expect(e.message).toMatch(/big-endian/);
  });
});

describe('BTF verifier - the header and sections', () => {
  const typeLen = kernelBtf().header.typeLen;
  it.each([
    ['bad magic', vmlinuxBytes((_, b) => (b[0] = 0)), 'EINVAL', 'Invalid magic'],
    ['version 2', vmlinuxBytes((_, b) => (b[2] = 2)), 'ENOTSUPP', 'Unsupported version'],
    ['flags', vmlinuxBytes((_, b) => (b[3] = 1)), 'ENOTSUPP', 'Unsupported flags'],
    ['a gap after the type section', vmlinuxBytes((v) => v.setUint32(12, typeLen - 4, true)), 'EINVAL', 'Unsupported section found'],
    ['overlapping sections', vmlinuxBytes((v) => v.setUint32(16, typeLen - 4, true)), 'EINVAL', 'Section overlap found'],
    ['a string section past the end', vmlinuxBytes((v) => v.setUint32(20, 1 << 20, true)), 'EINVAL', 'Total section length too long'],
    ['a string table not starting empty', vmlinuxBytes((_, b) => (b[24 + typeLen] = 0x41)), 'EINVAL', 'Invalid string section'],
  ])('%s', (_, bytes, code, line) => {
    const e = refusal(bytes);
    expect(e.code).toBe(code);
    expect(e.failure).toEqual([line]);
    expect(e.logged).toHaveLength(HEADER_LINES);
  });

  it('refuses too short a blob and unknown header fields before logging the header', () => {
    expect(refusal(new Uint8Array(4)).failure).toEqual(['hdr_len not found']);
    const long = new Uint8Array(32);
    long.set([0x9f, 0xeb, 1, 0, 32, 0, 0, 0]);
    long[28] = 1;
    const e = refusal(long);
    expect([e.code, e.failure, e.logged]).toEqual(['E2BIG', ['Unsupported btf_header'], []]);
  });
});

describe('BTF verifier - types', () => {
  const sock = kernelTypeId('sock', 'STRUCT');
  const pidT = kernelTypeId('pid_t', 'TYPEDEF');
  const connect = kernelTypeId('tcp_v4_connect', 'FUNC');
  const int = kernelTypeId('int', 'INT');
  const all = kernelBtf().types.length - 1;
  const sockStruct = kernelBtf().types[sock] as BtfComposite;

  it('a member of a type that does not exist: Invalid member, after every type is logged', () => {
    const s = sockStruct;
    const e = refusal(vmlinuxWith((types) => (types[sock] = { ...s, members: s.members.map((m, i) => (i === 0 ? { ...m, type: 99999 } : m)) })));
    expect(e.code).toBe('EINVAL');
    expect(e.failure).toEqual([`[${sock}] STRUCT sock size=${s.size} vlen=${s.members.length}`, `\t${s.members[0]!.name} type_id=99999 bits_offset=0 Invalid member`]);
    expect(typeLines(e.logged)).toBe(all);
  });

  it.each<[string, (types: BtfType[]) => void, string, () => string, 'all' | number]>([
    ['a typedef of itself: Loop detected (EEXIST)', (t) => (t[pidT] = { kind: 'TYPEDEF', name: 'pid_t', type: pidT }), 'EEXIST', () => `[${pidT}] TYPEDEF pid_t type_id=${pidT} Loop detected`, 'all'],
    ['a FUNC whose type is an INT', (t) => (t[connect] = { ...(t[connect] as BtfFunc), type: int }), 'EINVAL', () => `[${connect}] FUNC tcp_v4_connect type_id=${int} Invalid type_id`, 'all'],
    ['a struct name with a space', (t) => (t[sock] = { ...sockStruct, name: 'so ck' }), 'EINVAL', () => `[${sock}] STRUCT so ck size=${sockStruct.size} vlen=${sockStruct.members.length} Invalid name`, sock - 1],
    ['an int encoding Linux does not know (ENOTSUPP)', (t) => (t[int] = { kind: 'INT', name: 'int', size: 4, encoding: 8, bitsOffset: 0, bits: 32 }), 'ENOTSUPP', () => `[${int}] INT int size=4 bits_offset=0 nr_bits=32 encoding=UNKN Unsupported encoding`, int - 1],
    ['an anonymous typedef', (t) => (t[pidT] = { kind: 'TYPEDEF', name: '', type: int }), 'EINVAL', () => `[${pidT}] TYPEDEF (anon) type_id=${int} Invalid name`, pidT - 1],
  ])('%s', (_, change, code, line, logged) => {
    const e = refusal(vmlinuxWith(change));
    expect(e.code).toBe(code);
    expect(e.failure).toEqual([line()]);
    expect(typeLines(e.logged)).toBe(logged === 'all' ? all : logged);
  });

  it('framing: an unknown kind, a name beyond the string section, reserved info bits', () => {
    expect(refusal(vmlinuxBytes((_, b) => (b[24 + 7] = 25))).failure).toEqual(['[1] Invalid kind:25']);
    expect(refusal(vmlinuxBytes((v) => v.setUint32(24, 0xffff00, true))).failure).toEqual([`[1] Invalid name_offset:${0xffff00}`]);
    expect(refusal(vmlinuxBytes((_, b) => (b[24 + 6] = 0x20))).failure).toEqual(['[1] Invalid btf_info:2200000']);
  });

  it('struct members out of offset order', () => {
    const s = sockStruct;
    const e = refusal(vmlinuxWith((types) => (types[sock] = { ...s, members: [s.members[1]!, s.members[0]!, ...s.members.slice(2)] })));
    expect(e.failure.at(-1)).toMatch(/^\t\w+ type_id=\d+ bits_offset=0 Invalid member bits_offset$/);
    expect(e.failure[0]).toMatch(new RegExp(`^\\[${sock}\\] STRUCT sock size=`));
  });
});
