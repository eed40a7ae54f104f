import { MapType, type MapInfoReply } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { JsonWriter } from './json-writer.js';
import { mapShowPlain, writeMapShowJson } from './map-info.js';
import { memlockBytes } from './memlock.js';

const counters: MapInfoReply = { map_id: 1, map_type: MapType.HASH, type_name: 'hash', key_size: 4, value_size: 8, max_entries: 1024, map_flags: 0, name: 'counters', frozen: false };

describe('map show formats', () => {
  it.each([
    ['a named hash map', { info: counters, memlock: 86016 }, '1: hash  name counters  flags 0x0\n\tkey 4B  value 8B  max_entries 1024  memlock 86016B\n'],
    [
      'frozen, pinned, unnamed, flags in hex',
      { info: { ...counters, name: '', frozen: true, map_flags: 0x80 }, pinned: ['/sys/fs/bpf/a'] },
      '1: hash  flags 0x80\n\tkey 4B  value 8B  max_entries 1024\n\tpinned /sys/fs/bpf/a\n\tfrozen\n',
    ],
    ['an unknown map type by number', { info: { ...counters, map_type: 99 } }, '1: type 99  name counters  flags 0x0\n\tkey 4B  value 8B  max_entries 1024\n'],
    ['a map with BTF', { info: { ...counters, btf_id: 12, btf_key_type_id: 3, btf_value_type_id: 4 } }, '1: hash  name counters  flags 0x0\n\tkey 4B  value 8B  max_entries 1024\n\tbtf_id 12\n'],
  ])('plain: %s', (_title, show, expected) => {
    expect(mapShowPlain(show)).toBe(expected);
  });

  it('JSON uses bpftool field names, flags as a number and frozen as 0/1', () => {
    let out = '';
    const json = new JsonWriter((t) => (out += t));
    writeMapShowJson(json, { info: { ...counters, frozen: true }, memlock: 86016, pinned: ['/sys/fs/bpf/counters'] });
    expect(JSON.parse(out)).toEqual({
      id: 1,
      type: 'hash',
      name: 'counters',
      flags: 0,
      bytes_key: 4,
      bytes_value: 8,
      max_entries: 1024,
      bytes_memlock: 86016,
      frozen: 1,
      pinned: ['/sys/fs/bpf/counters'],
    });
    expect(out.indexOf('"id"')).toBeLessThan(out.indexOf('"type"'));
  });
});

describe('memlock is what a Linux 5.4 kernel charged', () => {
  it.each([
    ['hash 4/8 x1024', MapType.HASH, 4, 8, 1024, 86016],
    ['array 4/4 x1', MapType.ARRAY, 4, 4, 1, 4096],
    ['array 4/8 x1024', MapType.ARRAY, 4, 8, 1024, 12288],
    ['percpu_array 4/8 x16 on 4 CPUs', MapType.PERCPU_ARRAY, 4, 8, 16, 4096],
    ['ringbuf of 64 KiB', MapType.RINGBUF, 0, 0, 65536, 73728],
  ])('%s', (_title, map_type, key_size, value_size, max_entries, expected) => {
    expect(memlockBytes({ map_type, key_size, value_size, max_entries }, 4)).toBe(expected);
  });
});
