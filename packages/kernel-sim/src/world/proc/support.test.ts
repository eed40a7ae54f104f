import { BpfError } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { ArrayUserMemory } from './array-memory.js';
import { OpaqueKernelObjects } from './kernel-objects.js';
import { decodeSockaddr, encodeSockaddr, endpoint } from './sockaddr.js';
import { parseOpenFlags, parseSignal } from './syscall-request.js';
import { TaskMemory } from './task-memory.js';
import { TaskTable, truncateComm } from './task.js';
import { Vfs, normalizePath } from './vfs.js';

describe('proc support', () => {
  it('task memory hands out 8-aligned strings and wraps around its region', () => {
    const mem = new ArrayUserMemory();
    const tm = new TaskMemory(mem, 64);
    const a = tm.putString('hello');
    const b = tm.putString('world');
    expect(b - a).toBe(8);
    expect(mem.readString(a)).toBe('hello');
    const arr = tm.putPointers([a, b]);
    expect([mem.readU64(arr), mem.readU64(arr + 8), mem.readU64(arr + 16)]).toEqual([BigInt(a), BigInt(b), 0n]);
    const wrapped = tm.put(new Uint8Array(40));
    expect(wrapped).toBe(tm.base);
    expect(() => tm.put(new Uint8Array(65))).toThrow(BpfError);
  });

  it('sockaddr_in6 round trip; endpoints are checked', () => {
    const e = endpoint('[2001:DB8::1]:8443');
    expect(e).toEqual({ family: 6, address: '2001:db8::1', port: 8443 });
    const sa = encodeSockaddr(e);
    expect(sa.length).toBe(28);
    expect([sa[0], sa[1], sa[2], sa[3]]).toEqual([10, 0, 0x20, 0xfb]);
    expect(decodeSockaddr(sa)).toEqual(e);
    expect(() => endpoint('10.0.0.1')).toThrow(/ip:port/);
    expect(() => endpoint('300.0.0.1:80')).toThrow(/dotted quad/);
  });

  it('open flags and signals by name', () => {
    expect(parseOpenFlags('O_WRONLY|O_CREAT|O_TRUNC')).toBe(0o1101);
    expect(parseOpenFlags(undefined)).toBe(0);
    expect(() => parseOpenFlags('O_BOGUS')).toThrow(/unknown flag "O_BOGUS"/);
    expect([parseSignal('SIGKILL'), parseSignal('term'), parseSignal('9'), parseSignal(undefined)]).toEqual([9, 15, 9, 15]);
    expect(() => parseSignal('SIGNOPE')).toThrow(BpfError);
  });

  it('paths normalise; the file system reads and writes', () => {
    expect(normalizePath('//etc/./x/../passwd')).toBe('/etc/passwd');
    const vfs = new Vfs({});
    vfs.write('/a', 2, new TextEncoder().encode('xy'));
    expect([...vfs.read('/a', 0, 10)]).toEqual([0, 0, 120, 121]);
    expect(vfs.exists('a')).toBe(true);
  });

  it('task table: comm is cut to 15 bytes, pids and CPUs are checked, kernel objects are stable', () => {
    const objects = new OpaqueKernelObjects();
    const table = new TaskTable(2, new ArrayUserMemory(), objects);
    const t = table.create({ pid: 10, comm: 'a-really-long-process-name' });
    expect(t.comm).toBe('a-really-long-p');
    expect(truncateComm('short')).toBe('short');
    expect(t.cpu).toBe(0);
    expect(t.taskStruct).toBe(objects.address({ type: 'task_struct', pid: 10, tgid: 10, comm: 'x' }));
    expect(objects.address({ type: 'file', pid: 10, fd: 3, path: '/a' })).not.toBe(t.taskStruct);
    expect(() => table.create({ pid: 10, comm: 'b' })).toThrow(/exists/);
    expect(() => table.create({ pid: 11, comm: 'b', cpu: 2 })).toThrow(/cpu 2/);
    expect(() => table.get(99)).toThrow(/no such process/);
    expect(table.nextPid()).toBe(11);
  });
});
