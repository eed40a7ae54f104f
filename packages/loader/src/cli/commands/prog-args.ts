import { matchSection } from '../../object/index.js';
import { UsageError } from '../io.js';
import { type ArgCursor, type MapRef, UsageRequested, isPrefix, parseMapRef, strtoul } from './map-args.js';

/**
 * Reading bpftool's `prog` arguments, worded as bpftool words its errors: PROG handles, the
 * options of `load`/`loadall` and of `run`.
 */

/** `PROG := id PROG_ID | pinned FILE | name PROG_NAME | tag PROG_TAG` (a tag is 16 hex digits). */
export type ProgHandle = { readonly id: number } | { readonly pinned: string } | { readonly name: string } | { readonly tag: string };

/** bpftool's MAX_PROG_FULL_NAME - 1. */
const MAX_PROG_NAME = 127;

/** Reads a PROG (two arguments). */
export function parseProgHandle(args: ArgCursor): ProgHandle {
  const word = args.peek();
  if (isPrefix(word, 'id')) {
    args.shift();
    const text = args.shift();
    const id = strtoul(text);
    if (id === undefined) throw new UsageError(`can't parse ${text} as ID`);
    return { id: Number(id & 0xffffffffn) };
  }
  if (isPrefix(word, 'tag')) {
    args.shift();
    const tag = args.shift();
    if (!/^[0-9a-f]{16}$/i.test(tag)) throw new UsageError("can't parse tag");
    return { tag: tag.toLowerCase() };
  }
  if (isPrefix(word, 'name')) {
    args.shift();
    const name = args.shift();
    if (name.length > MAX_PROG_NAME) throw new UsageError("can't parse name");
    return { name };
  }
  if (isPrefix(word, 'pinned')) {
    args.shift();
    return { pinned: args.shift() };
  }
  throw new UsageError(`expected 'id', 'tag', 'name' or 'pinned', got: '${word ?? ''}'?`);
}

/** A map of the object replaced by an existing one: `map idx IDX MAP` or `map name NAME MAP`. */
export type MapReplacement = ({ readonly idx: number } | { readonly name: string }) & { readonly map: MapRef };

/** `load`/`loadall`'s arguments, read. */
export interface LoadArgs {
  readonly object: string;
  readonly path: string;
  /** `type TYPE`: the program type (and attach type) for every program. */
  readonly type?: { readonly type: number; readonly expectedAttachType: number };
  readonly maps: readonly MapReplacement[];
  readonly pinmaps?: string;
  readonly autoattach: boolean;
}

/** libbpf_prog_type_by_name as bpftool calls it: TYPE as a section name, then TYPE/ (`kprobe` → `kprobe/`). */
function progTypeByName(text: string): { type: number; expectedAttachType: number } {
  for (const name of [text, `${text}/`]) {
    const meaning = matchSection(name);
    if (meaning.def) return { type: meaning.progType, expectedAttachType: meaning.expectedAttachType };
  }
  throw new UsageError(`failed to guess program type from ELF section '${text}'`);
}

/** `OBJ PATH [type TYPE] [map { idx IDX | name NAME } MAP] [pinmaps MAP_DIR] [autoattach]` */
export function parseLoadArgs(args: ArgCursor): LoadArgs {
  args.require(2);
  const object = args.shift();
  const path = args.shift();
  let type: LoadArgs['type'];
  const maps: MapReplacement[] = [];
  let pinmaps: string | undefined;
  let autoattach = false;
  while (args.count > 0) {
    const word = args.peek();
    if (isPrefix(word, 'type')) {
      args.shift();
      if (type) throw new UsageError('program type already specified');
      args.require(1);
      type = progTypeByName(args.shift());
    } else if (isPrefix(word, 'map')) {
      args.shift();
      args.require(4);
      maps.push(parseMapReplacement(args));
    } else if (isPrefix(word, 'pinmaps')) {
      args.shift();
      args.require(1);
      pinmaps = args.shift();
    } else if (isPrefix(word, 'autoattach')) {
      args.shift();
      autoattach = true;
    } else if (isPrefix(word, 'dev') || isPrefix(word, 'offload_dev') || isPrefix(word, 'xdpmeta_dev')) {
      throw new UsageError('devices are not simulated for offload or XDP metadata: drop offload_dev / xdpmeta_dev');
    } else {
      throw new UsageError(`expected no more arguments, 'type', 'map', 'pinmaps' or 'autoattach', got: '${word}'?`);
    }
  }
  return { object, path, ...(type && { type }), maps, ...(pinmaps !== undefined && { pinmaps }), autoattach };
}

function parseMapReplacement(args: ArgCursor): MapReplacement {
  const word = args.shift();
  let which: { idx: number } | { name: string };
  if (isPrefix(word, 'idx')) {
    const text = args.shift();
    const idx = strtoul(text);
    if (idx === undefined) throw new UsageError(`can't parse ${text} as IDX`);
    which = { idx: Number(idx) };
  } else if (isPrefix(word, 'name')) {
    which = { name: args.shift() };
  } else {
    throw new UsageError(`expected 'idx' or 'name', got: '${word}'?`);
  }
  return { ...which, map: parseMapRef(args) };
}

/** `run`'s arguments after PROG, read. */
export interface RunArgs {
  readonly dataIn?: string;
  readonly dataOut?: string;
  readonly dataSizeOut?: number;
  readonly ctxIn?: string;
  readonly ctxOut?: string;
  readonly ctxSizeOut?: number;
  readonly repeat: number;
}

const DATA_WORDS = ['data_in', 'data_out', 'data_size_out'] as const;
const CTX_WORDS = ['ctx_in', 'ctx_out', 'ctx_size_out'] as const;

/** bpftool's detect_common_prefix: a word that starts two keywords of a group is ambiguous. */
function rejectAmbiguous(word: string, group: readonly string[]): void {
  const matches = group.filter((k) => isPrefix(word, k));
  if (matches.length >= 2) throw new UsageError(`ambiguous prefix: '${word}' could be '${matches.join("' or '")}'`);
}

/** `data_in FILE [data_out FILE [data_size_out L]] [ctx_in FILE [ctx_out FILE [ctx_size_out M]]] [repeat N]`, any order. */
export function parseRunArgs(args: ArgCursor): RunArgs {
  const out: { -readonly [K in keyof RunArgs]: RunArgs[K] } = { repeat: 1 };
  const file = (): string => {
    args.shift();
    args.require(1);
    return args.shift();
  };
  const size = (what: string): number => {
    args.shift();
    args.require(1);
    const text = args.shift();
    const value = strtoul(text);
    if (value === undefined) throw new UsageError(`can't parse ${text} as ${what}`);
    return Number(value & 0xffffffffn);
  };
  while (args.count > 0) {
    const word = args.peek()!;
    rejectAmbiguous(word, DATA_WORDS);
    rejectAmbiguous(word, CTX_WORDS);
    if (isPrefix(word, 'data_in')) out.dataIn = file();
    else if (isPrefix(word, 'data_out')) out.dataOut = file();
    else if (isPrefix(word, 'data_size_out')) out.dataSizeOut = size('output data size');
    else if (isPrefix(word, 'ctx_in')) out.ctxIn = file();
    else if (isPrefix(word, 'ctx_out')) out.ctxOut = file();
    else if (isPrefix(word, 'ctx_size_out')) out.ctxSizeOut = size('output context size');
    else if (isPrefix(word, 'repeat')) out.repeat = size('repeat number');
    else {
      throw new UsageError(
        `expected no more arguments, 'data_in', 'data_out', 'data_size_out', 'ctx_in', 'ctx_out', 'ctx_size_out' or 'repeat', got: '${word}'?`,
      );
    }
    if (out.dataIn === '-' && out.ctxIn === '-') throw new UsageError('cannot use standard input for both data_in and ctx_in');
  }
  return out;
}

/** `dump xlated|jited PROG [file FILE | opcodes]`'s arguments after the mode and PROG. */
export interface DumpArgs {
  readonly file?: string;
  readonly opcodes: boolean;
}

export function parseDumpArgs(args: ArgCursor): DumpArgs {
  let file: string | undefined;
  let opcodes = false;
  while (args.count > 0) {
    const word = args.shift();
    if (isPrefix(word, 'file')) {
      if (args.count === 0) throw new UsageError('expected file path');
      file = args.shift();
    } else if (isPrefix(word, 'opcodes')) {
      opcodes = true;
    } else if (isPrefix(word, 'linum') || isPrefix(word, 'visual')) {
      throw new UsageError(`'${word}' needs line info and a control flow graph, which bpfhive does not dump yet`);
    } else {
      throw new UsageRequested();
    }
  }
  if (file !== undefined && opcodes) throw new UsageError("'file' is not compatible with 'opcodes', 'visual', or 'linum'");
  return { ...(file !== undefined && { file }), opcodes };
}
