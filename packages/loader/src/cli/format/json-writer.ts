/**
 * A streaming JSON writer that lays text out byte for byte as bpftool's json_writer does, so
 * `-j` and `-p` output can be diffed against bpftool's:
 *
 * - compact: no white space at all: `[{"id":1,"key":["0x01","0x00"]}]`;
 * - pretty (`-p`): each object member on its own line, indented four spaces per level, `"name": `
 *   with one space; array elements stay on one line, and a non-empty array or object closes on
 *   a line of its own:
 *
 *       [{
 *               "key": ["0x01","0x00"
 *               ]
 *           }
 *       ]
 *
 * Values are written as they come; `end()` adds the final newline bpftool prints on exit.
 */
export class JsonWriter {
  #depth = 0;
  /** What goes before the next value: ',' once something was written at this level. */
  #separator = '';

  constructor(
    private readonly write: (text: string) => void,
    private readonly pretty = false,
  ) {}

  startObject(): this {
    return this.#begin('{');
  }

  endObject(): this {
    return this.#end('}');
  }

  startArray(): this {
    return this.#begin('[');
  }

  endArray(): this {
    return this.#end(']');
  }

  /** An object member's name; its value comes next. */
  name(name: string): this {
    this.#valueSeparator();
    this.#newline();
    this.#separator = '';
    this.write(`${JSON.stringify(name)}:${this.pretty ? ' ' : ''}`);
    return this;
  }

  /** A value written as is: a number, `null`, `"0x2a"`. */
  raw(text: string): this {
    this.#valueSeparator();
    this.write(text);
    return this;
  }

  string(value: string): this {
    return this.raw(JSON.stringify(value));
  }

  number(value: number | bigint): this {
    return this.raw(String(value));
  }

  bool(value: boolean): this {
    return this.raw(String(value));
  }

  null(): this {
    return this.raw('null');
  }

  field(name: string, value: string | number | bigint | boolean | null): this {
    this.name(name);
    if (value === null) return this.null();
    return typeof value === 'string' ? this.string(value) : this.raw(String(value));
  }

  /** The newline bpftool writes when it destroys its writer, output or not. */
  end(): void {
    this.write('\n');
  }

  #begin(open: string): this {
    this.#valueSeparator();
    this.write(open);
    this.#depth++;
    this.#separator = '';
    return this;
  }

  #end(close: string): this {
    this.#depth--;
    if (this.#separator !== '') this.#newline();
    this.write(close);
    this.#separator = ',';
    return this;
  }

  #valueSeparator(): void {
    this.write(this.#separator);
    this.#separator = ',';
  }

  #newline(): void {
    if (this.pretty) this.write(`\n${'    '.repeat(this.#depth)}`);
  }
}
