import { cString } from './bytes.js';
import { collectRingbuf } from './outputs.js';
import type { Example } from './runner.js';
import { runScenario } from './scenario.js';

const MAX_ARGS = 6;
const ARG_LEN = 64;

/** struct exec_event (552 bytes), as examples/execsnoop/README.md lays it out. */
export interface ExecEvent {
  readonly ts: bigint;
  readonly pid: number;
  readonly ppid: number;
  readonly uid: number;
  readonly comm: string;
  readonly filename: string;
  /** argv[0..argc). */
  readonly args: readonly string[];
}

export function decodeExecEvent(data: Uint8Array): ExecEvent {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const argc = Math.min(v.getUint32(20, true), MAX_ARGS);
  return {
    ts: v.getBigUint64(0, true),
    pid: v.getUint32(8, true),
    ppid: v.getUint32(12, true),
    uid: v.getUint32(16, true),
    comm: cString(data.subarray(24, 40)),
    filename: cString(data.subarray(40, 168)),
    args: Array.from({ length: argc }, (_, i) => cString(data.subarray(168 + ARG_LEN * i, 168 + ARG_LEN * (i + 1)))),
  };
}

export interface ExecsnoopResult {
  readonly events: readonly ExecEvent[];
}

export const execsnoop: Example<ExecsnoopResult> = {
  name: 'execsnoop',
  summary: 'every execve() with its arguments (tracepoint, ring buffer), as BCC execsnoop',
  async run({ client, attach, mapId, print, scenario }) {
    await attach('tracepoint__syscalls__sys_enter_execve');
    const events = await collectRingbuf(client, mapId('events'), decodeExecEvent);
    try {
      await runScenario(client, await scenario());
      await events.settle();
    } finally {
      events.stop();
    }
    const first = events.items[0]?.ts ?? 0n;
    print('');
    print(`${'TIME(ms)'.padEnd(9)} ${'UID'.padEnd(6)} ${'PCOMM'.padEnd(16)} ${'PID'.padEnd(7)} ${'PPID'.padEnd(7)} ARGS`);
    for (const e of events.items) {
      const line = [e.filename, ...e.args.slice(1)].join(' ');
      print(`${(Number(e.ts - first) / 1e6).toFixed(3).padEnd(9)} ${String(e.uid).padEnd(6)} ${e.comm.padEnd(16)} ${String(e.pid).padEnd(7)} ${String(e.ppid).padEnd(7)} ${line}`);
    }
    print('');
    print(`${events.items.length} events`);
    return { events: events.items };
  },
};
