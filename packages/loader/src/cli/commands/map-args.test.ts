import { MapType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { ArgCursor, type ElemSpec, UsageRequested, parseBytes, parseCreateArgs, parseElem, parseMapRef, strtoul } from './map-args.js';
import { findSubcommand } from './map.js';
import { parseToolOptions as parseMapOptions } from './tool-run.js';

const cursor = (line: string, command = 'update'): ArgCursor => new ArgCursor(line === '' ? [] : line.split(' '), command);

describe('strtoul reads numbers as C does', () => {
  it.each([
    ['42', 0, 42n],
    ['0x2a', 0, 42n],
    ['052', 0, 42n],
    ['2a', 16, 42n],
    ['0x2a', 16, 42n],
    ['  7', 0, 7n],
    ['-1', 0, 0xffffffffffffffffn],
    ['', 0, 0n],
    ['08', 0, undefined],
    ['0x', 0, undefined],
    ['2a', 0, undefined],
    ['1z', 16, undefined],
    ['99999999999999999999999', 0, 0xffffffffffffffffn],
  ] as const)('%j base %i is %s', (text, base, expected) => {
    expect(strtoul(text, base)).toBe(expected);
  });
});

describe('DATA := [hex] BYTES', () => {
  it.each([
    ['0x01 0x00 0 0', [1, 0, 0, 0]],
    ['1 2 3 256', [1, 2, 3, 0]],
    ['hex 01 ff 10 0a', [1, 255, 16, 10]],
    ['h 2a 2b 2c 2d', [42, 43, 44, 45]],
  ])('%j', (line, bytes) => {
    expect([...parseBytes(cursor(line), 'key', 4)]).toEqual(bytes);
  });

  it.each([
    ['1 2 3', 'key expected 4 bytes got 3'],
    ['1 2 x 4', 'error parsing byte: x'],
    ['hex 0g 1 2 3', 'error parsing byte: 0g'],
  ])('%j fails with "%s"', (line, message) => {
    expect(() => parseBytes(cursor(line), 'key', 4)).toThrow(message);
  });
});

describe('MAP := id MAP_ID | pinned FILE | name MAP_NAME', () => {
  it.each([
    ['id 7', { id: 7 }],
    ['i 0x10', { id: 16 }],
    ['pinned /sys/fs/bpf/m', { pinned: '/sys/fs/bpf/m' }],
    ['name counters', { name: 'counters' }],
  ])('%j', (line, ref) => {
    expect(parseMapRef(cursor(line))).toEqual(ref);
  });

  it.each([
    ['id seven', "can't parse seven as ID"],
    ['name a_name_of_sixteen', "can't parse name"],
    ['tag 0011', "expected 'id', 'name' or 'pinned', got: 'tag'?"],
  ])('%j fails with "%s"', (line, message) => {
    expect(() => parseMapRef(cursor(line))).toThrow(message);
  });
});

describe('parseElem reads [key DATA] [value VALUE] [UPDATE_FLAGS] as bpftool parse_elem does', () => {
  const update: ElemSpec = { map_type: MapType.HASH, key_size: 4, value_size: 2, key: true, value: true, flags: true };
  const lookup: ElemSpec = { ...update, value_size: 0, value: false, flags: false };

  it.each([
    ['key 1 0 0 0 value 2 0', update, { key: [1, 0, 0, 0], value: [2, 0], flags: 0 }],
    ['value 2 0 key hex 01 00 00 00 noexist', update, { key: [1, 0, 0, 0], value: [2, 0], flags: 1 }],
    ['k 1 0 0 0 v 2 0 e', update, { key: [1, 0, 0, 0], value: [2, 0], flags: 2 }],
    ['key 1 0 0 0 any', update, undefined],
    ['key 1 0 0 0', lookup, { key: [1, 0, 0, 0], flags: 0 }],
  ])('%j', (line, spec, expected) => {
    const run = () => parseElem(cursor(line), spec);
    if (!expected) return void expect(run).toThrow('did not find value');
    const elem = run();
    expect({ key: elem.key && [...elem.key], ...(elem.value && { value: 'bytes' in elem.value ? [...elem.value.bytes] : elem.value }), flags: elem.flags }).toEqual(expected);
  });

  it.each([
    ['', update, 'did not find key'],
    ['key 1 0 0 0 key 1 0 0 0', update, 'duplicate key'],
    ['key 1 0 0 0 value 1', lookup, 'unnecessary value'],
    ['key 1 0 0 0 any', lookup, 'flags specified multiple times: any'],
    ['key 1 0 0 0 value 1 1 any exist', update, 'flags specified multiple times: exist'],
    ['key 1 0 0 0 value 1 1 bogus', update, 'expected key or value, got: bogus'],
    ['key 1 value 2 0', update, 'error parsing byte: value'],
    ['key 1 0 0 0', { ...update, map_type: MapType.HASH_OF_MAPS, value_size: 8 }, 'did not find value'],
    ['key 1 0 0 0 value id', { ...update, map_type: MapType.HASH_OF_MAPS, value_size: 4 }, 'not enough value arguments for map in map'],
    ['key 1 0 0 0 value id 3', { ...update, map_type: MapType.PROG_ARRAY, value_size: 8 }, 'value smaller than 4B for map of progs?'],
  ])('%j fails with "%s"', (line, spec, message) => {
    expect(() => parseElem(cursor(line), spec)).toThrow(message);
  });

  it('a map-in-map value names a map, a program array value a program', () => {
    expect(parseElem(cursor('key 0 0 0 0 value pinned /sys/fs/bpf/inner'), { ...update, map_type: MapType.ARRAY_OF_MAPS, value_size: 4 }).value).toEqual({ map: { pinned: '/sys/fs/bpf/inner' } });
    expect(parseElem(cursor('key 0 0 0 0 value id 9'), { ...update, map_type: MapType.PROG_ARRAY, value_size: 4 }).value).toEqual({ prog: { id: 9 } });
  });
});

describe('map create arguments', () => {
  const base = '/sys/fs/bpf/m type hash key 4 value 8 entries 1024 name counters';

  it('reads every field, flags and extra included', () => {
    expect(parseCreateArgs(cursor(`${base} flags 0x1 extra 3`, 'create'))).toEqual({
      file: '/sys/fs/bpf/m',
      map_type: MapType.HASH,
      key_size: 4,
      value_size: 8,
      max_entries: 1024,
      map_flags: 1,
      map_name: 'counters',
      map_extra: 3,
      warnings: [],
    });
  });

  it('cuts a long name to 15 characters with a warning, as libbpf does', () => {
    const args = parseCreateArgs(cursor('/sys/fs/bpf/m type array key 4 value 4 entries 1 name a_very_long_map_name', 'create'));
    expect(args.map_name).toBe('a_very_long_map');
    expect(args.warnings).toEqual(['Warning: map name is longer than 15 characters, it will be truncated.']);
  });

  it.each([
    ['/sys/fs/bpf/m type hash', "'create' needs at least 7 arguments, 3 found"],
    [`${base} flags`, "'counters' needs at least 2 arguments, 1 found"], // bpftool names the argument before
    [`${base} type array`, 'map type already specified'],
    ['/sys/fs/bpf/m type hashmap key 4 value 8 entries 1 name x', 'unrecognized map type: hashmap'],
    ['/sys/fs/bpf/m type hash key four value 8 entries 1 name x', "can't parse four as key size"],
    ['/sys/fs/bpf/m type hash key 4 key 4 entries 1 name x', 'key size already specified'],
    ['/sys/fs/bpf/m type hash key 4 value 8 entries 1 color red', 'unknown arg color'],
    ['/sys/fs/bpf/m type hash key 4 value 8 entries 1 flags 0', 'map name not specified'],
  ])('%j fails with "%s"', (line, message) => {
    expect(() => parseCreateArgs(cursor(line, 'create'))).toThrow(message);
  });
});

describe('map options and subcommands', () => {
  it.each([
    [['show', '-j'], { json: true, pretty: false, bpffs: false, rest: ['show'] }],
    [['-p', 'dump', 'id', '1'], { json: true, pretty: true, bpffs: false, rest: ['dump', 'id', '1'] }],
    [['-jp', 'show'], { json: true, pretty: true, bpffs: false, rest: ['show'] }],
    [['--nats', 'nats://h:1', 'show'], { json: false, pretty: false, bpffs: false, nats: 'nats://h:1', rest: ['show'] }],
    [['update', 'id', '1', 'key', '-1', '0', '0', '0'], { json: false, pretty: false, bpffs: false, rest: ['update', 'id', '1', 'key', '-1', '0', '0', '0'] }],
    [['show', '-f'], { json: false, pretty: false, bpffs: true, rest: ['show'] }],
    [['--bpffs', 'show', '-j'], { json: true, pretty: false, bpffs: true, rest: ['show'] }],
    [['-jf', 'show'], { json: true, pretty: false, bpffs: true, rest: ['show'] }],
  ])('%j', (args, expected) => {
    expect(parseMapOptions(args)).toEqual(expected);
  });

  it.each([
    [undefined, 'show'],
    ['s', 'show'],
    ['d', 'dump'],
    ['p', 'pin'],
    ['pe', 'peek'],
    ['e', 'event_pipe'],
    ['en', 'enqueue'],
    ['frobnicate', undefined],
  ])('%j selects %s, the first subcommand it starts', (word, name) => {
    expect(findSubcommand(word)?.name).toBe(name);
  });

  it('a subcommand out of arguments asks for its usage', () => {
    expect(() => cursor('', 'pin').shift()).toThrow(UsageRequested);
  });
});
