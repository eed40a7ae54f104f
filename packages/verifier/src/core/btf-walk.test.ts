import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findBtfType, parseBtf } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { BtfWalkError, btfStructAccess } from './btf-walk.js';

/** The tracing corpus's kernel (test/corpus/tracing/kernel.c): task_struct is 136 bytes. */
const btf = parseBtf(readFileSync(fileURLToPath(new URL('../../test/corpus/tracing/kernel.btf', import.meta.url))));
const TASK = findBtfType(btf, 'task_struct', 'STRUCT')!;
const FILE = findBtfType(btf, 'file', 'STRUCT')!;
const id = (name: string) => findBtfType(btf, name, 'STRUCT')!;

describe('btf walk - btf_struct_walk over kernel structs', () => {
  it.each([
    ['an int member', TASK, 8, 4, { kind: 'scalar' }],
    ['a pointer member, whole', TASK, 16, 8, { kind: 'ptr', btfId: TASK, field: 'real_parent', untrusted: false }],
    ['a pointer in a nested struct (file->f_path.dentry)', FILE, 8, 8, { kind: 'ptr', btfId: id('dentry'), field: 'dentry', untrusted: false }],
    ['a pointer in a union of two members is untrusted', TASK, 120, 8, { kind: 'ptr', btfId: FILE, field: 'exe', untrusted: true }],
    ['a field of the second element of an array of structs', TASK, 96, 8, { kind: 'scalar' }],
    ['the word holding two bitfields', TASK, 4, 4, { kind: 'scalar' }],
    ['past the end into a flexible array', id('pid_samples'), 8 + 8 * 9, 8, { kind: 'scalar' }],
    ['a pointer to a non-struct is a number', id('qstr'), 8, 8, { kind: 'scalar' }],
  ])('btf walk - %s', (_title, struct, off, size, want) => {
    expect(btfStructAccess(btf, struct, off, size)).toEqual(want);
  });

  it.each([
    ['beyond the struct', TASK, 136, 4, 'EACCES', 'access beyond struct task_struct at off 136 size 4'],
    ['part of a pointer', TASK, 20, 4, 'EACCES', 'cannot access ptr member real_parent with moff 16 in struct task_struct with off 20 size 4'],
    ['across the end of a member', TASK, 116, 8, 'EACCES', 'access beyond the end of member comm (mend:120) in struct task_struct with off 116 size 8'],
    ['into a hole', id('file'), 28, 4, 'EINVAL', "struct file doesn't have field at offset 28"],
  ])('btf walk - %s is refused', (_title, struct, off, size, errno, message) => {
    const run = () => btfStructAccess(btf, struct, off, size);
    expect(run).toThrow(BtfWalkError);
    expect(run).toThrow(message);
    try {
      run();
    } catch (e) {
      expect((e as BtfWalkError).errno).toBe(errno);
    }
  });
});
