import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { eachLine, isNatsTrouble, prefixed } from './lines.js';

describe('log lines', () => {
  it('lines - a stream is cut into lines, however its chunks fall, CRLF included', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    eachLine(stream, (l) => lines.push(l));
    stream.write('one\r\ntw');
    stream.write('o\nthree');
    stream.end('\n');
    await once(stream, 'end');
    expect(lines).toEqual(['one', 'two', 'three']);
  });

  it('lines - forwarded lines carry the label in brackets', () => {
    expect(prefixed('jit#2', 'serving')).toBe('[jit#2] serving\n');
  });

  it.each([
    ['[1] 2024/01/01 00:00:00.000000 [WRN] slow consumer', true],
    ['[1] 2024/01/01 00:00:00.000000 [ERR] boom', true],
    ['[1] 2024/01/01 00:00:00.000000 [FTL] dead', true],
    ['[1] 2024/01/01 00:00:00.000000 [INF] Server is ready', false],
  ])('lines - nats-server line %s is trouble: %s', (line, trouble) => {
    expect(isNatsTrouble(line)).toBe(trouble);
  });
});
