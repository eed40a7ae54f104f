import { RingBufReader } from '../client/index.js';
import { cString } from './bytes.js';
import type { Example } from './runner.js';
import { spawn, syscall } from './workload.js';

const ERRNO: Readonly<Record<number, string>> = { 2: 'ENOENT', 13: 'EACCES', 17: 'EEXIST', 20: 'ENOTDIR', 21: 'EISDIR' };

/** struct open_event (304 bytes), as examples/opensnoop/README.md lays it out. */
export interface OpenEvent {
  readonly ts: bigint;
  readonly pid: number;
  readonly tid: number;
  readonly uid: number;
  readonly ret: number;
  readonly flags: number;
  readonly mode: number;
  readonly comm: string;
  readonly fname: string;
}

export function decodeOpenEvent(data: Uint8Array): OpenEvent {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    ts: v.getBigUint64(0, true),
    pid: v.getUint32(8, true),
    tid: v.getUint32(12, true),
    uid: v.getUint32(16, true),
    ret: v.getInt32(20, true),
    flags: v.getInt32(24, true),
    mode: v.getUint32(28, true),
    comm: cString(data.subarray(32, 48)),
    fname: cString(data.subarray(48, 304)),
  };
}

const WORKLOAD: readonly { pid: number; comm: string; path: string; flags: string; mode?: number }[] = [
  { pid: 4101, comm: 'cat', path: '/etc/hosts', flags: 'O_RDONLY' },
  { pid: 4102, comm: 'id', path: '/etc/passwd', flags: 'O_RDONLY|O_CLOEXEC' },
  { pid: 4103, comm: 'myapp', path: '/etc/nonexistent.conf', flags: 'O_RDONLY' },
  { pid: 4104, comm: 'logger', path: '/tmp/out.log', flags: 'O_WRONLY|O_CREAT', mode: 0o644 },
];

export interface OpensnoopResult {
  readonly events: readonly OpenEvent[];
}

export const opensnoop: Example<OpensnoopResult> = {
  name: 'opensnoop',
  summary: 'every openat() with its result (two tracepoints, ring buffer), as BCC opensnoop',
  async run({ client, attach, mapId, print }) {
    const events: OpenEvent[] = [];
    // libbpf's ring_buffer__new(map, handle_event) and a poll loop.
    const reader = await RingBufReader.open(client, mapId('events'), (data) => void events.push(decodeOpenEvent(data)));
    try {
      await attach('tracepoint__syscalls__sys_enter_openat');
      await attach('tracepoint__syscalls__sys_exit_openat');
      for (const w of WORKLOAD) {
        await spawn(client, w.pid, w.comm);
        await syscall(client, { pid: w.pid, syscall: 'openat', path: w.path, flags: w.flags, ...(w.mode !== undefined && { mode: w.mode }) });
      }
      await client.nc.flush();
      const deadline = Date.now() + 3000;
      reader.consume();
      while (events.length < WORKLOAD.length && Date.now() < deadline) await reader.poll(deadline - Date.now());
    } finally {
      reader.close();
    }
    print('');
    print(`${'PID'.padEnd(7)}${'COMM'.padEnd(17)}${'FD'.padStart(3)} ${'ERR'.padStart(3)} ${'FLAGS'.padEnd(8)} PATH`);
    for (const e of events) {
      const fd = e.ret >= 0 ? e.ret : -1;
      const err = e.ret >= 0 ? 0 : -e.ret;
      print(`${String(e.pid).padEnd(7)}${e.comm.padEnd(17)}${String(fd).padStart(3)} ${String(err).padStart(3)} ${e.flags.toString(8).padStart(8, '0')} ${e.fname}${err ? `  (${ERRNO[err] ?? `errno ${err}`})` : ''}`);
    }
    print('');
    print(`${events.length} events`);
    return { events };
  },
};
