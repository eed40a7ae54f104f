import { UsageError } from '../io.js';
import { type ArgCursor, type MapRef, isPrefix, parseMapRef, strtoul } from './map-args.js';
import { type ProgHandle, parseProgHandle } from './prog-args.js';

/**
 * Reading bpftool's `btf dump` arguments, worded as bpftool words its errors:
 *
 *   BTF_SRC := { id BTF_ID | prog PROG | map MAP [{key | value | kv | all}] | file FILE }
 *   FORMAT  := { raw | c [unsorted] }
 */

/** Which types of a map's BTF to dump: its key type, value type, both, or the whole BTF. */
export type MapTypes = 'key' | 'value' | 'kv' | 'all';

export type BtfSource =
  | { readonly file: string }
  | { readonly id: number }
  | { readonly prog: ProgHandle }
  | { readonly map: MapRef; readonly types: MapTypes };

export interface BtfDumpArgs {
  readonly source: BtfSource;
  /** `raw` (bpftool's type lines, or JSON) or `c` (a header C compilers accept). */
  readonly format: 'raw' | 'c';
}

const MAP_TYPES: readonly MapTypes[] = ['key', 'value', 'kv', 'all'];

/** `BTF_SRC [format FORMAT]`. `unsorted` is accepted: the C dump comes out in dependency order either way. */
export function parseBtfDumpArgs(args: ArgCursor): BtfDumpArgs {
  args.require(2);
  const word = args.shift();
  let source: BtfSource;
  if (isPrefix(word, 'map')) {
    args.require(2);
    const map = parseMapRef(args);
    const which = MAP_TYPES.find((t) => isPrefix(args.peek(), t));
    if (which) args.shift();
    source = { map, types: which ?? 'kv' };
  } else if (isPrefix(word, 'prog')) {
    args.require(2);
    source = { prog: parseProgHandle(args) };
  } else if (isPrefix(word, 'id')) {
    const text = args.shift();
    const id = strtoul(text);
    if (id === undefined) throw new UsageError(`can't parse ${text} as ID`);
    source = { id: Number(id & 0xffffffffn) };
  } else if (isPrefix(word, 'file')) {
    source = { file: args.shift() };
  } else {
    throw new UsageError(`unrecognized BTF source specifier: '${word}'`);
  }
  let format: BtfDumpArgs['format'] = 'raw';
  while (args.count > 0) {
    const option = args.shift();
    if (isPrefix(option, 'format')) {
      if (args.count < 1) throw new UsageError("expecting value for 'format' option");
      const value = args.shift();
      if (value !== 'c' && value !== 'raw') throw new UsageError(`unrecognized format specifier: '${value}', possible values: raw, c`);
      format = value;
    } else if (!isPrefix(option, 'unsorted')) {
      throw new UsageError(`unrecognized option: '${option}'`);
    }
  }
  return { source, format };
}
