import { describe, expect, it } from 'vitest';
import { structLayout } from './struct-layout.js';

describe('struct layout - fields by path', () => {
  it.each([
    ['task_struct', 'pid', 1264, 4, 'pid_t'],
    ['task_struct', 'real_parent', 1280, 8, 'struct task_struct *'],
    ['task_struct', 'comm', 1752, 16, 'char[16]'],
    ['task_struct', 'cred', 1736, 8, 'const struct cred *'],
    ['sock', '__sk_common.skc_dport', 12, 2, '__be16'],
    ['sock_common', 'skc_num', 14, 2, '__u16'],
    ['dentry', 'd_name.name', 40, 8, 'const unsigned char *'],
    ['dentry', 'd_name.len', 36, 4, 'u32'],
    ['file', 'f_path.dentry', 72, 8, 'struct dentry *'],
    ['files_struct', 'fd_array[3]', 184, 8, 'struct file *'],
    ['files_struct', 'fdtab.fd', 48, 8, 'struct file **'],
    ['pid', 'numbers[0].nr', 144, 4, 'int'],
    ['pid', 'numbers[2].ns', 184, 8, 'struct pid_namespace *'],
    ['cred', 'uid.val', 8, 4, 'uid_t'],
    ['trace_event_raw_sys_enter', 'args[5]', 56, 8, 'unsigned long'],
  ])('struct layout - %s.%s is at %i, %i bytes of %s', (struct, path, offset, size, type) => {
    expect(structLayout(struct).field(path)).toMatchObject({ path, offset, size, type, bitfieldSize: 0, bitOffset: offset * 8 });
  });

  it('struct layout - a bitfield has its bit offset and width', () => {
    const layout = structLayout('tcphdr');
    expect(layout.field('syn')).toMatchObject({ offset: 13, bitOffset: 105, bitfieldSize: 1, size: 2 });
    expect(layout.field('doff')).toMatchObject({ offset: 12, bitOffset: 100, bitfieldSize: 4 });
  });

  it('struct layout - fields lists members of anonymous structs and unions, in order, without the padding', () => {
    const sk = structLayout('sock_common');
    expect(sk.fields.slice(0, 7).map((f) => [f.path, f.offset])).toEqual([
      ['skc_addrpair', 0],
      ['skc_daddr', 0],
      ['skc_rcv_saddr', 4],
      ['skc_hash', 8],
      ['skc_portpair', 12],
      ['skc_dport', 12],
      ['skc_num', 14],
    ]);
    expect(structLayout('task_struct').fields.some((f) => f.path.startsWith('__pad'))).toBe(false);
    expect(structLayout('task_struct').size).toBe(3264);
  });

  it.each([
    ['task_struct', 'no_such', /has no member 'no_such'/],
    ['task_struct', 'comm[16]', /index 16 is beyond 16 elements/],
    ['task_struct', 'pid.x', /has no members/],
    ['task_struct', 'pid[0]', /indexes a TYPEDEF|indexes a INT/],
    ['task_struct', 'real_parent.pid', /has no members/],
    ['tcphdr', 'syn.x', /has no members|a bitfield has no members/],
    ['task_struct', 'comm..x', /is not a member name/],
  ])('struct layout - %s path %s is refused', (struct, path, why) => {
    expect(() => structLayout(struct).field(path)).toThrow(why);
  });

  it('struct layout - an unknown struct is refused', () => {
    expect(() => structLayout('no_such_struct')).toThrow(/no struct or union named 'no_such_struct'/);
  });
});
