import { describe, expect, it } from 'vitest';
import { internalMapName, objectName } from './naming.js';

describe('object naming - libbpf internal_map_name', () => {
  it.each([
    ['hello_object', '.rodata', 'hello_ob.rodata'],
    ['hello_object', '.data', 'hello_ob.data'],
    ['hello_object', '.bss', 'hello_ob.bss'],
    ['my_object_name', '.kconfig', 'my_obje.kconfig'],
    ['tracing', '.rodata', 'tracing.rodata'],
    ['obj', '.data.counters', '.data.counters'],
    ['obj', '.rodata.abracadabra', '.rodata.abracad'],
    ['obj', '.rodata.str1.1', '.rodata.str1.1'],
    ['my-obj', '.data', 'my_obj.data'],
  ])('%s + %s is %s', (object, section, expected) => {
    expect(internalMapName(object, section)).toBe(expected);
  });
});

describe('object naming - the object name', () => {
  it.each([
    [{ path: 'build/xdp_parser.bpf.o' }, 'xdp_parser'],
    [{ path: 'hello.o' }, 'hello'],
    [{ path: 'a_very_long_file_name.o' }, 'a_very_long_fil'],
    [{ name: 'custom.o' }, 'custom.o'],
    [{ name: 'x', path: 'y.o' }, 'x'],
    [{}, 'object'],
  ])('%j is %s', (options, expected) => {
    expect(objectName(options)).toBe(expected);
  });
});
