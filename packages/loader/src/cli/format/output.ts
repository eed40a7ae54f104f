import type { CliIo } from '../io.js';
import { errorLine, noteLine } from '../tty.js';
import { JsonWriter } from './json-writer.js';

/**
 * Where a bpftool-style command prints: plain text, or one JSON document with `-j`/`-p`, in
 * which errors become `{"error":"…"}` on standard output as bpftool writes them.
 */
export class Output {
  /** The JSON writer in JSON mode; undefined for plain text. */
  readonly json: JsonWriter | undefined;

  constructor(
    private readonly io: CliIo,
    mode: { readonly json: boolean; readonly pretty: boolean },
  ) {
    this.json = mode.json || mode.pretty ? new JsonWriter((text) => io.stdout(text), mode.pretty) : undefined;
  }

  /** Plain-text output (ignored in JSON mode). */
  plain(text: string): void {
    if (!this.json) this.io.stdout(text);
  }

  /** An error: `Error: message` on stderr (the prefix red on a terminal), or an `{"error":…}` object in JSON mode. */
  error(message: string): void {
    if (this.json) this.json.startObject().field('error', message).endObject();
    else this.io.stderr(errorLine(this.io, message));
  }

  /** A note or warning on stderr (`Warning:` yellow on a terminal); JSON mode stays quiet, as bpftool's p_info does. */
  info(message: string): void {
    if (!this.json) this.io.stderr(noteLine(this.io, message));
  }

  /** Ends the output: the JSON document's final newline. */
  finish(): void {
    this.json?.end();
  }
}
