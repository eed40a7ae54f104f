import { readFileSync } from 'node:fs';
import { AttachType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { type ObjectSpec, readObject } from '../object/index.js';
import { autoAttachAttr } from './attach.js';

const spec = (name: string): ObjectSpec =>
  readObject(new Uint8Array(readFileSync(new URL(`../../test/objects/${name}.o`, import.meta.url))), { path: `${name}.o` });
const programs = [...spec('tracing').programs, ...spec('probes').programs, ...spec('fentry_core').programs];
const attrOf = (name: string) => autoAttachAttr(programs.find((p) => p.name === name)!, 7);

describe('autoAttachAttr - what a section alone links a program to, as libbpf auto-attaches', () => {
  it.each([
    ['unlink_entry', { prog_id: 7, attach_type: AttachType.PERF_EVENT, target_name: 'do_unlinkat' }],
    ['unlink_exit', { prog_id: 7, attach_type: AttachType.PERF_EVENT, target_name: 'do_unlinkat', retprobe: true }],
    ['trace_openat', { prog_id: 7, attach_type: AttachType.PERF_EVENT, target_name: 'syscalls/sys_enter_openat' }],
    ['on_exec', { prog_id: 7, attach_type: AttachType.PERF_EVENT, target_name: 'sched/sched_process_exec' }],
    ['sched_switch', { prog_id: 7, attach_type: AttachType.TRACE_RAW_TP, target_name: 'sched_switch' }],
    ['on_sys_enter', { prog_id: 7, attach_type: AttachType.TRACE_RAW_TP, target_name: 'sys_enter' }],
    ['read_entry', { prog_id: 7, attach_type: AttachType.TRACE_FENTRY, target_name: 'vfs_read' }],
    ['check_file_open', { prog_id: 7, attach_type: AttachType.LSM_MAC, target_name: 'file_open' }],
  ])('%s', (name, attr) => {
    expect(attrOf(name)).toEqual(attr);
  });

  it('ksyscall/NAME probes the system call entry __x64_sys_NAME, as libbpf does on x86-64 with syscall wrappers', () => {
    const ksyscall = programs.find((p) => p.sectionName.startsWith('ksyscall/'))!;
    expect(ksyscall.sectionName).toBe('ksyscall/kill');
    expect(autoAttachAttr(ksyscall, 7)).toEqual({ prog_id: 7, attach_type: AttachType.PERF_EVENT, target_name: '__x64_sys_kill' });
    expect(autoAttachAttr({ ...ksyscall, sectionName: 'kretsyscall/kill', attachTo: 'kill' }, 7)).toEqual({
      prog_id: 7, attach_type: AttachType.PERF_EVENT, target_name: '__x64_sys_kill', retprobe: true,
    });
  });

  it.each(['on_readline', 'on_readline_ret'])('%s (a user-space probe) is not auto-attached: bpfhive simulates no user-space binaries', (name) => {
    expect(attrOf(name)).toBeUndefined();
  });

  it('a bare section names no hook', () => {
    const kprobe = programs.find((p) => p.name === 'unlink_entry')!;
    expect(autoAttachAttr({ ...kprobe, sectionName: 'kprobe', attachTo: undefined }, 7)).toBeUndefined();
  });
});
