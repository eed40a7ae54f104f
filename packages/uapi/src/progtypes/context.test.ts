/**
 * The context layouts against the machine's linux/bpf.h: a C file of static assertions, one per
 * member (offset and size) and per struct (size), is compiled with the system C compiler. A wrong
 * number fails the compile and the test prints which assertion broke.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as C from './context.js';

/** Layouts that exist in the uapi headers, with the C type name to check them against. */
const CHECKED: Array<[C.CtxLayout, string, string[]]> = [
  [C.XDP_MD, 'struct xdp_md', []],
  [C.SK_BUFF, 'struct __sk_buff', ['tstamp_type']],
  [C.PT_REGS, 'struct pt_regs', []],
  [C.PERF_EVENT_DATA, 'struct bpf_perf_event_data', []],
  [C.SOCK_ADDR, 'struct bpf_sock_addr', []],
  [C.SOCK, 'struct bpf_sock', []],
  [C.SK_MSG_MD, 'struct sk_msg_md', []],
  [C.SK_LOOKUP, 'struct bpf_sk_lookup', []],
  [C.SOCK_OPS, 'struct bpf_sock_ops', []],
  [C.CGROUP_DEV_CTX, 'struct bpf_cgroup_dev_ctx', []],
];

/** pt_regs member names differ between the kernel's view and user space's <asm/ptrace.h>. */
const USER_PT_REGS: Record<string, string> = {
  bp: 'rbp', bx: 'rbx', ax: 'rax', cx: 'rcx', dx: 'rdx', si: 'rsi', di: 'rdi', orig_ax: 'orig_rax',
  ip: 'rip', flags: 'eflags', sp: 'rsp',
};

function assertions(): string {
  const lines = [
    '#include <stddef.h>',
    '#include <linux/bpf.h>',
    '#include <linux/bpf_perf_event.h>',
    '#include <asm/ptrace.h>',
    '#define OFF(t, m, o, s) _Static_assert(offsetof(t, m) == (o) && sizeof(((t *)0)->m) == (s), #t "." #m);',
  ];
  for (const [layout, ctype, skip] of CHECKED) {
    lines.push(`_Static_assert(sizeof(${ctype}) == ${layout.size}, "sizeof ${ctype}");`);
    for (const m of layout.members) {
      if (skip.includes(m.name)) continue; // newer than the machine's headers
      const name = ctype === 'struct pt_regs' ? (USER_PT_REGS[m.name] ?? m.name) : m.name;
      lines.push(`OFF(${ctype}, ${name}, ${m.offset}, ${m.size})`);
    }
  }
  return lines.join('\n') + '\n';
}

describe('context layouts', () => {
  it('match linux/bpf.h member by member', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfhive-ctx-'));
    const file = join(dir, 'ctx.c');
    writeFileSync(file, assertions());
    let out = '';
    try {
      execFileSync('cc', ['-fsyntax-only', file], { stdio: 'pipe' });
    } catch (err) {
      out = String((err as { stderr?: Buffer }).stderr ?? err);
    }
    expect(out).toBe('');
  });

  it('lists members in offset order without overlaps, inside the struct', () => {
    for (const layout of [...CHECKED.map(([l]) => l), C.RAW_TP_ARGS, C.TRACEPOINT_RECORD]) {
      let end = 0;
      for (const m of layout.members) {
        expect(m.offset, `${layout.struct}.${m.name}`).toBeGreaterThanOrEqual(end);
        expect(m.size % m.elem, `${layout.struct}.${m.name}`).toBe(0);
        end = m.offset + m.size;
      }
      expect(end).toBeLessThanOrEqual(layout.size);
    }
  });

  it('memberAt finds the member covering a byte', () => {
    expect(C.memberAt(C.SK_BUFF, 50)?.name).toBe('cb');
    expect(C.memberAt(C.SK_BUFF, 181)).toBeUndefined();
  });
});
