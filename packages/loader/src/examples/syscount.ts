import { perCpuSum } from './bytes.js';
import type { Example } from './runner.js';
import { spawn, syscall } from './workload.js';

/** x86-64 system call numbers of the calls the simulated kernel makes. */
const SYSCALLS: Readonly<Record<number, string>> = {
  0: 'read', 1: 'write', 2: 'open', 3: 'close', 41: 'socket', 42: 'connect', 43: 'accept', 49: 'bind', 50: 'listen',
  56: 'clone', 57: 'fork', 59: 'execve', 60: 'exit', 62: 'kill', 231: 'exit_group', 257: 'openat',
};

export interface SyscountResult {
  /** Calls counted per system call number. */
  readonly counts: ReadonlyMap<number, number>;
}

export const syscount: Example<SyscountResult> = {
  name: 'syscount',
  summary: 'system calls counted by number (raw_syscalls/sys_enter, hash map), as BCC syscount',
  async run({ client, attach, mapId, print }) {
    await attach('sys_enter');
    await spawn(client, 4201, 'make');
    await spawn(client, 4202, 'cc1');
    for (let i = 0; i < 3; i++) {
      const opened = await syscall(client, { pid: 4202, syscall: 'openat', path: '/etc/passwd', flags: 'O_RDONLY' });
      const fd = opened.ret !== undefined && opened.ret >= 0 ? opened.ret : 3;
      for (let r = 0; r < 4; r++) await syscall(client, { pid: 4202, syscall: 'read', fd, count: 4096 });
      await syscall(client, { pid: 4202, syscall: 'close', fd });
    }
    for (let w = 0; w < 5; w++) await syscall(client, { pid: 4201, syscall: 'write', fd: 1, count: 64, data: 'building\n' });
    await syscall(client, { pid: 4201, syscall: 'execve', path: '/usr/bin/cc', argv: ['cc', '-c', 'x.c'] });
    const counts: [number, bigint][] = [];
    for await (const [key, value] of client.mapEntries(mapId('counts'))) {
      counts.push([new DataView(key.buffer, key.byteOffset).getUint32(0, true), perCpuSum(value.subarray(0, 8), 8, 0)]);
    }
    counts.sort((a, b) => (a[1] === b[1] ? a[0] - b[0] : a[1] < b[1] ? 1 : -1));
    print('');
    print(`${'SYSCALL'.padEnd(22)} ${'COUNT'.padStart(8)}`);
    for (const [nr, count] of counts.slice(0, 10)) print(`${(SYSCALLS[nr] ?? `syscall ${nr}`).padEnd(22)} ${String(count).padStart(8)}`);
    return { counts: new Map(counts.map(([nr, n]) => [nr, Number(n)])) };
  },
};
