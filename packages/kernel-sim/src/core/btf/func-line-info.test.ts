import { BpfError, asm } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelBtf, kernelTypeId } from '../../kbtf/kernel-btf.js';
import { checkFuncInfo, checkLineInfo, subprogStarts } from './func-line-info.js';

/** Records of u32 words, little-endian. */
const records = (...words: number[]): Uint8Array => new Uint8Array(new Uint32Array(words).buffer);
/** The kernel's BTF stands in for a program's: it has FUNCs and strings. */
const btf = kernelBtf();
const vfsRead = kernelTypeId('vfs_read', 'FUNC');
const vfsWrite = kernelTypeId('vfs_write', 'FUNC');
const pidT = kernelTypeId('pid_t', 'TYPEDEF');
/** The offset of `text` in the string table. */
const str = (text: string): number => Buffer.from(btf.strings.bytes).indexOf(Buffer.from(`\0${text}\0`)) + 1;

/** main at 0 (a lddw, then a call to sub), sub at slot 5. */
const twoFuncs = asm`
  r1 = 1 ll
  call sub
  exit
  exit
  sub:
  r0 = 0
  exit`;

function failure(run: () => unknown): BpfError & { log?: string } {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(BpfError);
    return e as BpfError & { log?: string };
  }
  throw new Error('it succeeded');
}

describe('func_info and line_info', () => {
  it('func info - subprograms start at 0 and at every bpf-to-bpf call target', () => {
    expect(subprogStarts(twoFuncs)).toEqual([0, 5]);
  });

  it('func info - one FUNC per function, by instruction, names the functions for the verifier', () => {
    const funcs = checkFuncInfo({ bytes: records(0, vfsRead, 5, vfsWrite), recSize: 8 }, btf, twoFuncs);
    expect(funcs).toMatchObject([
      { insn_off: 0, type_id: vfsRead, name: 'vfs_read', linkage: 'static' },
      { insn_off: 5, type_id: vfsWrite, name: 'vfs_write', linkage: 'static' },
    ]);
    // With the prototype the verifier checks global functions against (btfFuncProto).
    expect(funcs[0]!.proto?.args[0]).toEqual({ name: 'file', type: { kind: 'PTR', pointee: { kind: 'STRUCT', name: 'file', size: 184 } } });
    // A longer record with a zero tail is fine, as in Linux.
    expect(checkFuncInfo({ bytes: records(0, vfsRead, 0, 5, vfsWrite, 0), recSize: 12 }, btf, twoFuncs)).toHaveLength(2);
  });

  it.each<[string, Uint8Array, number, string, string]>([
    ['a record size below 8', records(0, vfsRead), 4, 'EINVAL', 'invalid func info rec size 4 (8 to 252, a multiple of 4)'],
    ['a nonzero record tail', records(0, vfsRead, 1, 5, vfsWrite, 0), 12, 'E2BIG', 'nonzero tailing record in func info'],
    ['a first record not at 0', records(1, vfsRead, 5, vfsWrite), 8, 'EINVAL', 'nonzero insn_off 1 for the first func info record'],
    ['records out of order', records(0, vfsRead, 0, vfsWrite), 8, 'EINVAL', 'same or smaller insn offset (0) than previous func info record (0)'],
    ['a type that is not a FUNC', records(0, pidT, 5, vfsWrite), 8, 'EINVAL', `invalid type id ${pidT}`],
    ['a missing function', records(0, vfsRead), 8, 'EINVAL', "number of funcs in func_info doesn't match number of subprogs (1 records, 2 functions)"],
    ['a function at the wrong place', records(0, vfsRead, 4, vfsWrite), 8, 'EINVAL', "func_info BTF section doesn't match subprog layout in BPF program"],
  ])('func info - %s is refused', (_title, bytes, recSize, code, line) => {
    const e = failure(() => checkFuncInfo({ bytes, recSize }, btf, twoFuncs));
    expect([e.code, e.message]).toEqual([code, `load program: ${line}`]);
  });

  it('line info - each line names its file and source text, line and column', () => {
    const lines = checkLineInfo({ bytes: records(0, str('vfs_read'), str('vfs_write'), (12 << 10) | 3, 5, str('vfs_read'), str('pid_t'), 20 << 10), recSize: 16 }, btf, twoFuncs);
    expect(lines).toEqual([
      { insn_off: 0, file_name: 'vfs_read', line: 'vfs_write', line_num: 12, line_col: 3 },
      { insn_off: 5, file_name: 'vfs_read', line: 'pid_t', line_num: 20, line_col: 0 },
    ]);
  });

  it.each<[string, number[], string]>([
    ['a line on the second slot of a lddw', [0, 1, 1, 0, 1, 1, 1, 0], 'Invalid insn code at line_info[1].insn_off'],
    ['lines out of order', [0, 1, 1, 0, 0, 1, 1, 0], 'Invalid line_info[1].insn_off:0 (prev_offset:0 prog->len:7)'],
    ['a line past the program', [0, 1, 1, 0, 7, 1, 1, 0], 'Invalid line_info[1].insn_off:7 (prev_offset:0 prog->len:7)'],
    ['a string outside the table', [0, 1, 0x7fffffff, 0], 'Invalid line_info[0].line_off or .file_name_off'],
    ['a function without a line', [0, 1, 1, 0, 6, 1, 1, 0], 'missing bpf_line_info for func#1'],
    ['the last function without a line', [0, 1, 1, 0, 3, 1, 1, 0], 'missing bpf_line_info for 1 funcs starting from func#1'],
  ])('line info - %s is refused with EINVAL', (_title, words, line) => {
    const e = failure(() => checkLineInfo({ bytes: records(...words), recSize: 16 }, btf, twoFuncs));
    expect([e.code, e.message, e.log]).toEqual(['EINVAL', `load program: ${line}`, `${line}\n`]);
  });

  it('line info - a record count that does not match the bytes is EINVAL', () => {
    expect(failure(() => checkLineInfo({ bytes: records(0, 1, 1, 0), recSize: 16, count: 2 }, btf, twoFuncs)).code).toBe('EINVAL');
  });
});
