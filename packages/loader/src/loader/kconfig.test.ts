import { describe, expect, it } from 'vitest';
import type { ExternSpec, KconfigType } from '../object/index.js';
import { kernelVersionCode, writeKconfigValue } from './kconfig.js';

const ext = (type: KconfigType, size: number, signed = false): ExternSpec & { kconfig: NonNullable<ExternSpec['kconfig']> } => ({
  name: 'CONFIG_X',
  kind: 'kconfig',
  weak: false,
  btfId: 1,
  kconfig: { type, size, align: Math.min(size, 8), offset: 2, signed },
});

/** The bytes after writing `text` into a fresh 12-byte value at offset 2. */
function written(type: KconfigType, size: number, text: string, signed = false): number[] {
  const value = new Uint8Array(12).fill(0xee);
  writeKconfigValue(ext(type, size, signed), text, value);
  return [...value.subarray(2, 2 + size)];
}

describe('writeKconfigValue writes what libbpf writes', () => {
  it.each([
    ['y into a bool', 'bool', 1, 'y', [1]],
    ['n into a bool', 'bool', 1, 'n', [0]],
    ['1 into a bool', 'bool', 1, '1', [1]],
    ['m into a tristate', 'tristate', 4, 'm', [2, 0, 0, 0]],
    ['y into a tristate', 'tristate', 4, 'y', [1, 0, 0, 0]],
    ['y into a char', 'char', 1, 'y', [0x79]],
    ['hex into an int', 'int', 4, '0x1234', [0x34, 0x12, 0, 0]],
    ['-1 into a signed int', 'int', 2, '-1', [0xff, 0xff]],
    ['a string into a char array, cut to leave the NUL', 'char_array', 4, '"abcdef"', [0x61, 0x62, 0x63, 0]],
  ] as const)('%s', (_title, type, size, text, bytes) => {
    expect(written(type, size, text, text === '-1')).toEqual(bytes);
  });

  it.each([
    ['m into a bool', 'bool', 1, 'm', "value 'm' implies tristate or char type"],
    ['y into an int', 'int', 4, 'y', "value 'y' implies bool, tristate, or char type"],
    ['2 into a bool', 'bool', 1, '2', "value '2' isn't boolean compatible"],
    ['256 into a u8', 'int', 1, '256', "value '256' doesn't fit in 1 bytes"],
    ['text into an int', 'int', 4, 'abc', "value 'abc' isn't a valid integer"],
    ['a string into an int', 'int', 4, '"x"', `value '"x"' implies char array type`],
    ['a number into a char array', 'char_array', 4, '7', "value '7' implies integer, char, or boolean type"],
  ] as const)('%s is refused', (_title, type, size, text, message) => {
    expect(() => written(type, size, text)).toThrow(`extern (kcfg) 'CONFIG_X': ${message}`);
  });

  it('KERNEL_VERSION packs major, minor and a saturated sublevel', () => {
    expect([kernelVersionCode(5, 4, 0), kernelVersionCode(4, 9, 300)]).toEqual([0x050400, 0x0409ff]);
  });
});
