import type { CliIo } from './io.js';

/**
 * An in-memory CliIo for tests: feed standard input, read back what a command printed. Not a
 * terminal unless `tty` says so (then both streams claim to be one).
 */
export function memoryIo(stdin: string | Uint8Array = '', { tty = false } = {}): CliIo & { out(): string; outBytes(): Uint8Array; err(): string } {
  const out: Uint8Array[] = [];
  let err = '';
  return {
    readStdin: async () => (typeof stdin === 'string' ? new TextEncoder().encode(stdin) : stdin),
    stdout: (chunk) => void out.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk),
    stderr: (chunk) => void (err += chunk),
    stdoutIsTty: tty,
    stderrIsTty: tty,
    out: () => Buffer.concat(out).toString('utf8'),
    outBytes: () => Buffer.concat(out),
    err: () => err,
  };
}
