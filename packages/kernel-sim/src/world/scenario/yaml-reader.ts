/**
 * Typed reading of a parsed YAML document that remembers where each value came from, so every
 * validation error names the file, line, column and field path.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ScenarioError } from './errors.js';

interface Source {
  readonly file: string;
  readonly lines: LineCounter;
}

export class YamlValue {
  constructor(
    readonly node: Node | null,
    /** Field path, e.g. `timeline[3].path`. */
    readonly path: string,
    private readonly source: Source,
    /** Where to point when the node itself has no position (a missing key: its map). */
    private readonly at = 0,
  ) {}

  /** Throws a ScenarioError at this value. */
  fail(reason: string): never {
    const offset = this.node?.range?.[0] ?? this.at;
    const { line, col } = this.source.lines.linePos(offset);
    throw new ScenarioError(this.source.file, line, col, this.path, reason);
  }

  #scalar(): unknown {
    if (!isScalar(this.node)) this.fail(`expected a single value, found ${this.node ? (isMap(this.node) ? 'a mapping' : 'a list') : 'nothing'}`);
    return this.node.value;
  }

  str(): string {
    const v = this.#scalar();
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    return this.fail(`expected text, found ${JSON.stringify(v)}`);
  }

  num(): number {
    const v = this.#scalar();
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`expected a number, found ${JSON.stringify(v)}`);
    return v;
  }

  /** An integer in [min, max]. */
  int(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.num();
    if (!Number.isInteger(v) || v < min || v > max) this.fail(`expected a whole number in ${min}..${max}, found ${v}`);
    return v;
  }

  bool(): boolean {
    const v = this.#scalar();
    if (typeof v !== 'boolean') this.fail(`expected true or false, found ${JSON.stringify(v)}`);
    return v;
  }

  isList(): boolean {
    return isSeq(this.node);
  }

  isMap(): boolean {
    return isMap(this.node);
  }

  isScalar(): boolean {
    return isScalar(this.node);
  }

  /** The raw scalar value (string, number, boolean, null). */
  scalar(): unknown {
    return this.#scalar();
  }

  list(): YamlValue[] {
    if (!isSeq(this.node)) this.fail('expected a list');
    return this.node.items.map((item, i) => new YamlValue(item as Node, `${this.path}[${i}]`, this.source, this.node!.range?.[0] ?? this.at));
  }

  /** Keys of a mapping, checked against `allowed` (unknown keys fail at their own line). */
  keys(allowed?: readonly string[]): string[] {
    if (!isMap(this.node)) this.fail('expected a mapping (key: value)');
    return this.node.items.map((pair) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (allowed && !allowed.includes(key)) {
        new YamlValue(pair.key as Node, this.#child(key), this.source).fail(`unknown field (expected one of ${allowed.join(', ')})`);
      }
      return key;
    });
  }

  /** The value under `key`, or undefined when the mapping lacks it. */
  get(key: string): YamlValue | undefined {
    if (!isMap(this.node)) this.fail('expected a mapping (key: value)');
    const pair = this.node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    return pair ? new YamlValue(pair.value as Node | null, this.#child(key), this.source, (pair.key as Node).range?.[0] ?? this.at) : undefined;
  }

  /** The value under `key`; fails at the mapping when it is missing. */
  req(key: string): YamlValue {
    return this.get(key) ?? this.fail(`missing field "${key}"`);
  }

  #child(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }
}

/** Parses YAML text; a syntax error fails with its position. Returns the root value. */
export function readYaml(text: string, file: string): YamlValue {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const { line, col } = lines.linePos(first.pos[0]);
    throw new ScenarioError(file, line, col, '', `YAML: ${first.message.split('\n')[0]}`);
  }
  return new YamlValue(doc.contents as Node | null, '', { file, lines });
}
