import type { LoadProgress } from '../loader/index.js';
import type { CliIo } from './io.js';

/**
 * What the CLI shows only to a person at a terminal: colours on standard error, progress lines
 * of long work. Scripts reading a pipe, and `-j`/`-p` output, get neither, so what they parse is
 * the same whoever runs them.
 */

/** The colours the CLI uses: red for errors, yellow for warnings, green for success, bold. */
export type Colour = 'red' | 'yellow' | 'green' | 'bold';

/** The ANSI SGR code that starts each colour; `ESC[0m` ends them all. */
const SGR: Readonly<Record<Colour, number>> = { red: 31, yellow: 33, green: 32, bold: 1 };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Whether to colour a stream, by the no-color.org and FORCE_COLOR conventions: a non-empty
 * `NO_COLOR` turns colours off, else a `FORCE_COLOR` other than `0`/`false` turns them on, else
 * colours go to a terminal only.
 */
export function useColour(isTty: boolean, env: Env = process.env): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return isTty;
}

/** `text` in `colour` when standard error takes colours (useColour), else `text` as it is. */
export function paint(io: CliIo, colour: Colour, text: string, env: Env = process.env): string {
  return useColour(io.stderrIsTty, env) ? `\u001b[${SGR[colour]}m${text}\u001b[0m` : text;
}

/** An error line for standard error: `Error: message`, the prefix red on a terminal. */
export function errorLine(io: CliIo, message: string): string {
  return `${paint(io, 'red', 'Error:')} ${message}\n`;
}

/** A note for standard error; a `Warning:` prefix is yellow on a terminal. */
export function noteLine(io: CliIo, message: string): string {
  return message.startsWith('Warning:') ? `${paint(io, 'yellow', 'Warning:')}${message.slice('Warning:'.length)}\n` : `${message}\n`;
}

/**
 * loadCollection's progress as lines on standard error (`created map 2/5 'flows'`, `loaded program
 * 3/12 'xdp_prog'`), or undefined — no reporting at all — when standard error is not a terminal or
 * the command writes JSON.
 */
export function loadProgressReporter(io: CliIo, json: boolean): ((event: LoadProgress) => void) | undefined {
  if (json || !io.stderrIsTty) return undefined;
  return (e) => io.stderr(`${e.kind === 'map' ? 'created map' : 'loaded program'} ${e.done}/${e.total} '${e.name}'\n`);
}

/** A progress line that rewrites itself in place: `update` shows the latest state, `done` clears it. */
export interface ProgressLine {
  update(text: string): void;
  done(): void;
}

/**
 * One line of progress on standard error, rewritten in place (carriage return, erase line), for
 * long work such as `net replay`; undefined — no reporting at all — when standard error is not a
 * terminal or the command writes JSON.
 */
export function progressLine(io: CliIo, json: boolean): ProgressLine | undefined {
  if (json || !io.stderrIsTty) return undefined;
  let shown = false;
  return {
    update(text) {
      io.stderr(`\r\u001b[K${text}`);
      shown = true;
    },
    done() {
      if (shown) io.stderr('\r\u001b[K');
      shown = false;
    },
  };
}
