import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** Calls `onLine` with every line a stream carries (without its end of line), until it ends. */
export function eachLine(stream: Readable | null | undefined, onLine: (line: string) => void): void {
  if (!stream) return;
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
}

/** A log line as `up` forwards it: `[jit] …`, `[jit#2] …` when a service runs more than once. */
export function prefixed(label: string, line: string): string {
  return `[${label}] ${line}\n`;
}

/** nats-server lines worth showing after start: warnings, errors and fatal errors. */
export function isNatsTrouble(line: string): boolean {
  return /\[(WRN|ERR|FTL)\]/.test(line);
}
