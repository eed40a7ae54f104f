import { MAP_TYPE_ENTRIES, MapType, UpdateFlag } from '@bpfhive/uapi';
import { UsageError } from '../io.js';
import { strtoul } from '../../strtoul.js';

/**
 * Reading bpftool's `map` arguments: keywords may be abbreviated (`k` for `key`), numbers read
 * as C's strtoul reads them (`0x1f`, `017`, `31`), errors worded as bpftool words them.
 */

/** bpftool's is_prefix: `word` is `keyword` or the start of it (`p` and `pin` both name `pinned`). */
export const isPrefix = (word: string | undefined, keyword: string): boolean => word !== undefined && keyword.startsWith(word);

/** The usage of the current subcommand is to be shown (bpftool's usage()), no error message. */
export class UsageRequested extends Error {}

/** The arguments of a subcommand, read left to right. */
export class ArgCursor {
  #at = 0;

  /** `argv` are the subcommand's arguments; `command` its name (named by "needs at least" errors). */
  constructor(
    private readonly argv: readonly string[],
    private readonly command: string,
  ) {}

  /** How many arguments are left. */
  get count(): number {
    return this.argv.length - this.#at;
  }

  peek(): string | undefined {
    return this.argv[this.#at];
  }

  /** The next argument; a usage error when there is none. */
  shift(): string {
    const arg = this.argv[this.#at];
    if (arg === undefined) throw new UsageRequested();
    this.#at++;
    return arg;
  }

  /** bpftool's REQ_ARGS: at least `n` arguments left, else `'WORD' needs at least N arguments, M found`. */
  require(n: number): void {
    if (this.count < n) throw new UsageError(`'${this.argv[this.#at - 1] ?? this.command}' needs at least ${n} arguments, ${this.count} found`);
  }

  /** bpftool's BAD_ARG for whatever is left over. */
  rejectRest(): void {
    if (this.count > 0) throw new UsageError(`what is '${this.peek()}'?`);
  }
}


export { strtoul };

/** A u32 as bpftool's parse_u32_arg reads it (the unsigned long cut to 32 bits). */
export function parseU32(text: string, what: string): number {
  const value = strtoul(text);
  if (value === undefined) throw new UsageError(`can't parse ${text} as ${what}`);
  return Number(value & 0xffffffffn);
}

/** `DATA := [hex] BYTES`: exactly `n` bytes, each a strtoul number (base 16 after `hex`), cut to 8 bits. */
export function parseBytes(args: ArgCursor, name: string, n: number): Uint8Array {
  const base = isPrefix(args.peek(), 'hex') ? 16 : 0;
  if (base === 16) args.shift();
  const out = new Uint8Array(n);
  let i = 0;
  for (; i < n && args.count > 0; i++) {
    const arg = args.shift();
    const value = strtoul(arg, base);
    if (value === undefined) throw new UsageError(`error parsing byte: ${arg}`);
    out[i] = Number(value & 0xffn);
  }
  if (i !== n) throw new UsageError(`${name} expected ${n} bytes got ${i}`);
  return out;
}

/** `MAP := id MAP_ID | pinned FILE | name MAP_NAME` */
export type MapRef = { readonly id: number } | { readonly pinned: string } | { readonly name: string };

/** `PROG := id PROG_ID | pinned FILE` (what a program array's value names). */
export type ProgRef = { readonly id: number } | { readonly pinned: string };

const BPF_OBJ_NAME_LEN = 16;

function parseId(args: ArgCursor): number {
  const text = args.shift();
  const id = strtoul(text);
  if (id === undefined) throw new UsageError(`can't parse ${text} as ID`);
  return Number(id & 0xffffffffn);
}

/** Reads a MAP (two arguments). */
export function parseMapRef(args: ArgCursor): MapRef {
  const word = args.peek();
  if (isPrefix(word, 'id')) {
    args.shift();
    return { id: parseId(args) };
  }
  if (isPrefix(word, 'name')) {
    args.shift();
    const name = args.shift();
    if (name.length > BPF_OBJ_NAME_LEN - 1) throw new UsageError("can't parse name");
    return { name };
  }
  if (isPrefix(word, 'pinned')) {
    args.shift();
    return { pinned: args.shift() };
  }
  throw new UsageError(`expected 'id', 'name' or 'pinned', got: '${word ?? ''}'?`);
}

function parseProgRef(args: ArgCursor): ProgRef {
  const word = args.peek();
  if (isPrefix(word, 'id')) {
    args.shift();
    return { id: parseId(args) };
  }
  if (isPrefix(word, 'pinned')) {
    args.shift();
    return { pinned: args.shift() };
  }
  throw new UsageError(`expected 'id' or 'pinned', got: '${word ?? ''}'?`);
}

/** What a map element's value is given as: bytes, or the map or program a map-in-map or program array holds. */
export type ValueArg = { readonly bytes: Uint8Array } | { readonly map: MapRef } | { readonly prog: ProgRef };

/** What a subcommand takes after MAP: which of key, value and update flags, and the map's shape. */
export interface ElemSpec {
  readonly map_type: number;
  readonly key_size: number;
  readonly value_size: number;
  readonly key: boolean;
  readonly value: boolean;
  readonly flags: boolean;
}

export interface ElemArgs {
  readonly key?: Uint8Array;
  readonly value?: ValueArg;
  readonly flags: number;
}

function parseValue(args: ArgCursor, spec: ElemSpec): ValueArg {
  const kind = spec.map_type === MapType.ARRAY_OF_MAPS || spec.map_type === MapType.HASH_OF_MAPS ? 'map in map' : spec.map_type === MapType.PROG_ARRAY ? 'map of progs' : undefined;
  if (!kind) return { bytes: parseBytes(args, 'value', spec.value_size) };
  if (spec.value_size !== 4) throw new UsageError(`value smaller than 4B for ${kind}?`);
  if (args.count < 2) throw new UsageError(`not enough value arguments for ${kind}`);
  return kind === 'map in map' ? { map: parseMapRef(args) } : { prog: parseProgRef(args) };
}

/** bpftool's parse_elem: `[key DATA] [value VALUE] [any|exist|noexist]` in any order, each once. */
export function parseElem(args: ArgCursor, spec: ElemSpec): ElemArgs {
  let wantKey = spec.key;
  let wantValue = spec.value;
  let wantFlags = spec.flags;
  let key: Uint8Array | undefined;
  let value: ValueArg | undefined;
  let flags: number = UpdateFlag.ANY;
  for (;;) {
    const word = args.peek();
    if (word === undefined) {
      if (wantKey || wantValue) throw new UsageError(`did not find ${wantKey ? 'key' : 'value'}`);
      return { ...(key && { key }), ...(value && { value }), flags };
    }
    if (isPrefix(word, 'key')) {
      if (!wantKey) throw new UsageError(spec.key_size ? 'duplicate key' : 'unnecessary key');
      args.shift();
      key = parseBytes(args, 'key', spec.key_size);
      wantKey = false;
    } else if (isPrefix(word, 'value')) {
      if (!wantValue) throw new UsageError(spec.value_size ? 'duplicate value' : 'unnecessary value');
      args.shift();
      value = parseValue(args, spec);
      wantValue = false;
    } else if (isPrefix(word, 'any') || isPrefix(word, 'noexist') || isPrefix(word, 'exist')) {
      if (!wantFlags) throw new UsageError(`flags specified multiple times: ${word}`);
      args.shift();
      flags = isPrefix(word, 'any') ? UpdateFlag.ANY : isPrefix(word, 'noexist') ? UpdateFlag.NOEXIST : UpdateFlag.EXIST;
      wantFlags = false;
    } else {
      throw new UsageError(`expected key or value, got: ${word}`);
    }
  }
}

/** `map create`'s arguments, read. */
export interface CreateArgs {
  readonly file: string;
  readonly map_type: number;
  readonly key_size: number;
  readonly value_size: number;
  readonly max_entries: number;
  readonly map_flags: number;
  readonly map_name: string;
  readonly inner_map?: MapRef;
  readonly map_extra?: number;
  /** Notes for stderr (a name too long is cut, as libbpf cuts it). */
  readonly warnings: readonly string[];
}

/** `FILE type TYPE key KEY_SIZE value VALUE_SIZE entries MAX_ENTRIES name NAME [flags FLAGS] [inner_map MAP] [extra EXTRA]` */
export function parseCreateArgs(args: ArgCursor): CreateArgs {
  args.require(7);
  const file = args.shift();
  let mapType: number | undefined;
  const u32s = { key: 0, value: 0, entries: 0, flags: 0 };
  let name: string | undefined;
  let innerMap: MapRef | undefined;
  let extra: number | undefined;
  const warnings: string[] = [];
  const readU32 = (field: keyof typeof u32s, what: string): void => {
    args.shift();
    const text = args.shift();
    if (u32s[field]) throw new UsageError(`${what} already specified`);
    u32s[field] = parseU32(text, what);
  };
  while (args.count > 0) {
    args.require(2);
    const word = args.peek();
    if (isPrefix(word, 'type')) {
      args.shift();
      if (mapType) throw new UsageError('map type already specified');
      const text = args.shift();
      mapType = MAP_TYPE_ENTRIES.find((e) => e.bpftool === text)?.value;
      if (mapType === undefined) throw new UsageError(`unrecognized map type: ${text}`);
    } else if (isPrefix(word, 'name')) {
      args.shift();
      name = args.shift();
      if (name.length > BPF_OBJ_NAME_LEN - 1) {
        warnings.push(`Warning: map name is longer than ${BPF_OBJ_NAME_LEN - 1} characters, it will be truncated.`);
        name = name.slice(0, BPF_OBJ_NAME_LEN - 1);
      }
    } else if (isPrefix(word, 'key')) {
      readU32('key', 'key size');
    } else if (isPrefix(word, 'value')) {
      readU32('value', 'value size');
    } else if (isPrefix(word, 'entries')) {
      readU32('entries', 'max entries');
    } else if (isPrefix(word, 'flags')) {
      readU32('flags', 'flags');
    } else if (isPrefix(word, 'inner_map')) {
      args.shift();
      if (args.count < 2) throw new UsageRequested();
      innerMap = parseMapRef(args);
    } else if (isPrefix(word, 'extra')) {
      args.shift();
      const text = args.shift();
      const value = strtoul(text);
      if (value === undefined || value > BigInt(Number.MAX_SAFE_INTEGER)) throw new UsageError(`can't parse ${text} as map extra`);
      extra = Number(value);
    } else if (isPrefix(word, 'offload_dev') || isPrefix(word, 'dev')) {
      throw new UsageError('offload devices are not simulated: drop offload_dev');
    } else {
      throw new UsageError(`unknown arg ${word}`);
    }
  }
  if (name === undefined) throw new UsageError('map name not specified');
  return {
    file,
    map_type: mapType ?? MapType.UNSPEC,
    key_size: u32s.key,
    value_size: u32s.value,
    max_entries: u32s.entries,
    map_flags: u32s.flags,
    map_name: name,
    ...(innerMap && { inner_map: innerMap }),
    ...(extra !== undefined && { map_extra: extra }),
    warnings,
  };
}
