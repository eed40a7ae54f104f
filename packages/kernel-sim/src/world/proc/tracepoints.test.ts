import { describe, expect, it } from 'vitest';
import { KALLSYMS, formatKallsyms, kernelSymbol, symbolize } from './kallsyms.js';
import { callRegs, decodeRegs, encodeRegs, syscallRegs } from './pt-regs.js';
import { decodeField, encodeRecord, formatTraceFormat } from './trace-layout.js';
import {
  RAW_SYS_ENTER, RAW_SYS_EXIT, SCHED_PROCESS_EXEC, SCHED_PROCESS_EXIT, SCHED_PROCESS_FORK, SCHED_SWITCH, SYSCALL_ENTER,
  SYSCALL_EXIT, TRACEPOINTS, findTracepoint,
} from './tracepoints.js';

const offsets = (l: { fields: readonly { name: string; offset: number; size: number }[] }): string[] =>
  l.fields.slice(4).map((f) => `${f.name}@${f.offset}/${f.size}`);

describe('proc tracepoint layouts (Linux 6.6 x86-64 format files)', () => {
  it('syscalls:sys_enter_openat prints exactly as tracefs does', () => {
    expect(formatTraceFormat({ ...SYSCALL_ENTER.openat, id: 633 })).toBe(
      'name: sys_enter_openat\nID: 633\nformat:\n' +
        '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n' +
        '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n' +
        '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n' +
        '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n' +
        '\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n' +
        '\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;\n' +
        '\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n' +
        '\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;\n' +
        '\tfield:umode_t mode;\toffset:40;\tsize:8;\tsigned:0;\n',
    );
    expect(SYSCALL_ENTER.openat.size).toBe(48);
    expect(offsets(SYSCALL_EXIT.openat)).toEqual(['__syscall_nr@8/4', 'ret@16/8']);
  });

  it('raw_syscalls and sched records have the kernel offsets', () => {
    expect(offsets(RAW_SYS_ENTER)).toEqual(['id@8/8', 'args@16/48']);
    expect(formatTraceFormat(RAW_SYS_ENTER)).toContain('\tfield:unsigned long args[6];\toffset:16;\tsize:48;\tsigned:0;');
    expect(offsets(RAW_SYS_EXIT)).toEqual(['id@8/8', 'ret@16/8']);
    expect(offsets(SCHED_PROCESS_EXEC)).toEqual(['filename@8/4', 'pid@12/4', 'old_pid@16/4']);
    expect(formatTraceFormat(SCHED_PROCESS_EXEC)).toContain('\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;');
    expect(offsets(SCHED_PROCESS_FORK)).toEqual(['parent_comm@8/16', 'parent_pid@24/4', 'child_comm@28/16', 'child_pid@44/4']);
    expect(formatTraceFormat(SCHED_PROCESS_FORK)).toContain('\tfield:char parent_comm[16];\toffset:8;\tsize:16;\tsigned:0;');
    expect(offsets(SCHED_PROCESS_EXIT)).toEqual(['comm@8/16', 'pid@24/4', 'prio@28/4']);
    expect(offsets(SCHED_SWITCH)).toEqual([
      'prev_comm@8/16', 'prev_pid@24/4', 'prev_prio@28/4', 'prev_state@32/8', 'next_comm@40/16', 'next_pid@56/4', 'next_prio@60/4',
    ]);
    expect(SCHED_SWITCH.size).toBe(64);
  });

  it('every tracepoint has a distinct id and can be found by name', () => {
    expect(new Set(TRACEPOINTS.map((t) => t.id)).size).toBe(TRACEPOINTS.length);
    expect(findTracepoint('syscalls:sys_exit_read')).toBe(SYSCALL_EXIT.read);
    expect(findTracepoint('sched/sched_switch')).toBe(SCHED_SWITCH);
    expect(findTracepoint('nope:nope')).toBeUndefined();
  });

  it('records encode the common header, sign-extend, pad comms and place data_loc strings', () => {
    const exit = encodeRecord(SYSCALL_EXIT.openat, { pid: 4242 }, { __syscall_nr: 257, ret: -2 });
    expect(exit.length).toBe(24);
    expect(decodeField(SYSCALL_EXIT.openat, exit, 'common_type')).toBe(BigInt(SYSCALL_EXIT.openat.id));
    expect(decodeField(SYSCALL_EXIT.openat, exit, 'common_pid')).toBe(4242n);
    expect(decodeField(SYSCALL_EXIT.openat, exit, 'ret')).toBe(-2n);
    expect([...exit.subarray(16, 24)]).toEqual([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const fork = encodeRecord(SCHED_PROCESS_FORK, { pid: 1 }, { parent_comm: 'a-very-long-command-name', child_comm: 'sh', parent_pid: 1, child_pid: 2 });
    expect(decodeField(SCHED_PROCESS_FORK, fork, 'parent_comm')).toBe('a-very-long-com');
    expect(fork[8 + 15]).toBe(0);
    const exec = encodeRecord(SCHED_PROCESS_EXEC, { pid: 9 }, { filename: '/bin/sh', pid: 9, old_pid: 9 });
    expect(exec.length).toBe(20 + 8);
    expect(new DataView(exec.buffer).getUint32(8, true)).toBe((8 << 16) | 20);
    expect(decodeField(SCHED_PROCESS_EXEC, exec, 'filename')).toBe('/bin/sh');
    expect(() => encodeRecord(SCHED_SWITCH, { pid: 1 }, { nope: 1 })).toThrow(/no field "nope"/);
  });
});

describe('proc kallsyms and pt_regs', () => {
  it('symbols are sorted, in kernel text, and symbolize back with an offset', () => {
    const addrs = KALLSYMS.map((s) => s.address);
    expect([...addrs].sort((a, b) => (a < b ? -1 : 1))).toEqual(addrs);
    const s = kernelSymbol('do_sys_openat2');
    expect(s.address >> 32n).toBe(0xffffffffn);
    expect(symbolize(s.address + 0x40n)).toEqual({ symbol: s, offset: 0x40n });
    expect(formatKallsyms()).toContain(`${s.address.toString(16)} T do_sys_openat2\n`);
    expect(kernelSymbol('tcp_v4_connect').params.map((p) => p.name)).toEqual(['sk', 'uaddr', 'addr_len']);
    expect(() => kernelSymbol('nope')).toThrow(/no symbol/);
  });

  it('function arguments go to di, si, dx, cx, r8, r9; syscall arguments use r10 for the fourth', () => {
    const call = decodeRegs(encodeRegs(callRegs(0xffffffff81000000n, [1n, 2n, 3n, 4n, 5n, 6n], 0x1000n)));
    expect([call.di, call.si, call.dx, call.cx, call.r8, call.r9]).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    expect(call.ip).toBe(0xffffffff81000000n);
    const sys = decodeRegs(encodeRegs(syscallRegs(257, [-100n, 2n, 3n, 4n], 0x7f00n, 0x7ff0n)));
    expect([sys.di, sys.si, sys.dx, sys.r10]).toEqual([BigInt.asUintN(64, -100n), 2n, 3n, 4n]);
    expect(sys.orig_ax).toBe(257n);
    expect(sys.ax).toBe(BigInt.asUintN(64, -38n));
    expect(sys.cx).toBe(0x7f00n);
    // offsets from uapi's PT_REGS: di at 112, ax at 80, ip at 128
    const bytes = encodeRegs({ di: 7n, ax: 9n, ip: 11n });
    const v = new DataView(bytes.buffer);
    expect([v.getBigUint64(112, true), v.getBigUint64(80, true), v.getBigUint64(128, true)]).toEqual([7n, 9n, 11n]);
  });
});
