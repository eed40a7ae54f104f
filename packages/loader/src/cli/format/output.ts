import type { CliIo } from '../io.js';
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

  /** An error: `Error: message` on stderr, or an `{"error":…}` object in JSON mode. */
  error(message: string): void {
    if (this.json) this.json.startObject().field('error', message).endObject();
    else this.io.stderr(`Error: ${message}\n`);
  }

  /** A note or warning on stderr; JSON mode stays quiet, as bpftool's p_info does. */
  info(message: string): void {
    if (!this.json) this.io.stderr(`${message}\n`);
  }

  /** Ends the output: the JSON document's final newline. */
  finish(): void {
    this.json?.end();
  }
}
