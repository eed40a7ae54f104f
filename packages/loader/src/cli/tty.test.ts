import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Output } from './format/output.js';
import { runCli } from './main.js';
import { memoryIo } from './test-io.js';
import { errorLine, loadProgressReporter, noteLine, paint, useColour } from './tty.js';

const RED = '\u001b[31m';
const YELLOW = '\u001b[33m';
const RESET = '\u001b[0m';
// The colour decision must not depend on how the test runner itself was started.
const PLAIN_ENV = {};

describe('cli tty - colours', () => {
  beforeEach(() => {
    vi.stubEnv('NO_COLOR', undefined);
    vi.stubEnv('FORCE_COLOR', undefined);
  });
  afterEach(() => void vi.unstubAllEnvs());

  it.each([
    ['a terminal, nothing set', true, {}, true],
    ['a pipe, nothing set', false, {}, false],
    ['a terminal with NO_COLOR', true, { NO_COLOR: '1' }, false],
    ['a terminal with an empty NO_COLOR (unset, per no-color.org)', true, { NO_COLOR: '' }, true],
    ['a pipe with FORCE_COLOR', false, { FORCE_COLOR: '1' }, true],
    ['a terminal with FORCE_COLOR=0', true, { FORCE_COLOR: '0' }, false],
    ['NO_COLOR beats FORCE_COLOR', true, { NO_COLOR: '1', FORCE_COLOR: '1' }, false],
  ])('useColour - %s', (_title, tty, env, expected) => {
    expect(useColour(tty, env)).toBe(expected);
  });

  it('paint wraps the text in an SGR code on a terminal and leaves it alone otherwise', () => {
    expect(paint(memoryIo('', { tty: true }), 'green', 'ok', PLAIN_ENV)).toBe('\u001b[32mok\u001b[0m');
    expect(paint(memoryIo('', { tty: true }), 'bold', 'ok', PLAIN_ENV)).toBe('\u001b[1mok\u001b[0m');
    expect(paint(memoryIo(), 'green', 'ok', PLAIN_ENV)).toBe('ok');
    expect(paint(memoryIo('', { tty: true }), 'green', 'ok', { NO_COLOR: '1' })).toBe('ok');
  });

  it('an unknown command on a terminal prints a red Error: prefix; piped it prints plain text', async () => {
    const tty = memoryIo('', { tty: true });
    expect(await runCli(['frobnicate'], tty)).toBe(1);
    expect(tty.err().startsWith(`${RED}Error:${RESET} unknown command 'frobnicate'\n`)).toBe(true);
    const piped = memoryIo();
    expect(await runCli(['frobnicate'], piped)).toBe(1);
    expect(piped.err()).toMatch(/^Error: unknown command 'frobnicate'\n/);
    expect(piped.err()).not.toContain('\u001b[');
  });

  it('Output colours the Error: and Warning: prefixes on a terminal, not with NO_COLOR, not piped', () => {
    const print = (io: ReturnType<typeof memoryIo>): string => {
      const out = new Output(io, { json: false, pretty: false });
      out.error('nope');
      out.info('Warning: kept');
      return io.err();
    };
    expect(print(memoryIo('', { tty: true }))).toBe(`${RED}Error:${RESET} nope\n${YELLOW}Warning:${RESET} kept\n`);
    expect(print(memoryIo())).toBe('Error: nope\nWarning: kept\n');
    vi.stubEnv('NO_COLOR', '1');
    expect(print(memoryIo('', { tty: true }))).toBe('Error: nope\nWarning: kept\n');
  });

  it('errorLine and noteLine colour only their prefix on a terminal', () => {
    const tty = memoryIo('', { tty: true });
    expect(errorLine(tty, 'nope')).toBe(`${RED}Error:${RESET} nope\n`);
    expect(noteLine(tty, 'Warning: kept')).toBe(`${YELLOW}Warning:${RESET} kept\n`);
    expect(noteLine(tty, 'libbpf: note')).toBe('libbpf: note\n');
  });
});

describe('cli tty - load progress', () => {
  it('reports each step on stderr on a terminal', () => {
    const io = memoryIo('', { tty: true });
    const report = loadProgressReporter(io, false)!;
    report({ kind: 'map', name: 'flows', done: 2, total: 5 });
    report({ kind: 'program', name: 'xdp_prog', done: 3, total: 12 });
    expect(io.err()).toBe("created map 2/5 'flows'\nloaded program 3/12 'xdp_prog'\n");
    expect(io.out()).toBe('');
  });

  it('reports nothing when stderr is piped or the command writes JSON', () => {
    expect(loadProgressReporter(memoryIo(), false)).toBeUndefined();
    expect(loadProgressReporter(memoryIo('', { tty: true }), true)).toBeUndefined();
  });
});
