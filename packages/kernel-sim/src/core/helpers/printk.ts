import type { CallEnv } from '@bpfhive/jit';
import { HelperId } from '@bpfhive/uapi';
import type { Task } from '../tasks.js';
import { type HelperDef, type KernelServices, cpuOf, negErrno, ptr, u32 } from './common.js';
import { MAX_BPRINTF_BUF, formatBpf, readFormat } from './format.js';

/** MAX_BPRINTF_VARARGS: bpf_trace_vprintk and bpf_snprintf take at most 12 u64 arguments. */
export const MAX_BPRINTF_VARARGS = 12;

/**
 * One trace_pipe line as the ftrace output formats a bpf_trace_printk event:
 * `<comm>-<pid> [cpu] <flags> <seconds>.<micros>: bpf_trace_printk: <text>`, the comm right-aligned
 * in 16 columns, the pid left-aligned in 7, the latency flags of a program run with preemption
 * and migration disabled. One trailing newline of the text is the line's own.
 */
export function tracePipeLine(task: Task, cpu: number, timestampNs: bigint, text: string): string {
  const seconds = timestampNs / 1_000_000_000n;
  const micros = (timestampNs % 1_000_000_000n) / 1000n;
  const stamp = `${String(seconds).padStart(5)}.${String(micros).padStart(6, '0')}`;
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return `${task.comm.slice(0, 15).padStart(16)}-${String(task.pid).padEnd(7)} [${String(cpu).padStart(3, '0')}] ...11 ${stamp}: bpf_trace_printk: ${body}`;
}

/**
 * bpf_trace_printk (3 arguments), bpf_trace_vprintk (an array of up to 12) and bpf_snprintf.
 * The printk helpers emit one trace_pipe line (at most 511 characters of text) and return the
 * length of the whole text; bpf_snprintf writes at most str_size - 1 bytes and a NUL and returns
 * the length plus one. A format the kernel refuses, or a bad argument array, is -EINVAL.
 */
export function printkHelpers(kernel: KernelServices): HelperDef[] {
  const { memory } = kernel;
  const emit = (env: CallEnv, text: string): bigint => {
    const cpu = cpuOf(env);
    kernel.trace.line(tracePipeLine(cpu.task, cpu.index, kernel.clock.monotonicNs(), text.slice(0, MAX_BPRINTF_BUF - 1)));
    return BigInt(text.length);
  };
  const varargs = (data: bigint, length: number): bigint[] | undefined => {
    if (length % 8 !== 0 || length / 8 > MAX_BPRINTF_VARARGS || (data === 0n && length !== 0)) return undefined;
    return Array.from({ length: length / 8 }, (_, i) => memory.u64(ptr(data) + i * 8));
  };
  return [
    {
      id: HelperId.trace_printk,
      fn: ([fmt, size, a1, a2, a3], env) => {
        const format = readFormat(memory, fmt, u32(size));
        const text = format === undefined ? undefined : formatBpf(format, [a1, a2, a3], memory);
        return text === undefined ? negErrno('EINVAL') : emit(env, text);
      },
    },
    {
      id: HelperId.trace_vprintk,
      fn: ([fmt, size, data, length], env) => {
        const format = readFormat(memory, fmt, u32(size));
        const args = varargs(data, u32(length));
        const text = format === undefined || args === undefined ? undefined : formatBpf(format, args, memory);
        return text === undefined ? negErrno('EINVAL') : emit(env, text);
      },
    },
    {
      id: HelperId.snprintf,
      fn: ([str, strSize, fmt, data, length]) => {
        const format = memory.cString(fmt, 0x10000);
        const args = varargs(data, u32(length));
        const text = format === undefined || args === undefined ? undefined : formatBpf(format, args, memory);
        if (text === undefined) return negErrno('EINVAL');
        const room = u32(strSize);
        if (room > 0) {
          const out = memory.bytes(ptr(str), room);
          const bytes = Buffer.from(text, 'latin1').subarray(0, room - 1);
          out.set(bytes);
          out[bytes.length] = 0;
        }
        return BigInt(text.length + 1);
      },
    },
  ];
}
