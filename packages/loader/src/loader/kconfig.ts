/**
 * Kconfig values for `.kconfig` externs, written as libbpf writes them (set_kcfg_value_tri,
 * set_kcfg_value_str, set_kcfg_value_num): `y`/`m`/`n` into bool, tristate and char externs,
 * `"strings"` into char arrays, numbers into int, char and bool externs, little-endian as the
 * simulated kernel reads them.
 */
import { BpfError } from '@bpfhive/uapi';
import type { ExternSpec } from '../object/index.js';
import { strtoul } from '../strtoul.js';

/** KERNEL_VERSION(a, b, c) of linux/version.h (the sublevel saturates at 255). */
export const kernelVersionCode = (major: number, minor: number, patch: number): number => major * 65536 + minor * 256 + Math.min(patch, 255);

/**
 * LINUX_KERNEL_VERSION when the caller gives none: 6.13, the newest release whose uapi enums
 * the generated tables of @bpfhive/uapi carry.
 */
export const DEFAULT_KERNEL_VERSION = kernelVersionCode(6, 13, 0);

/** libbpf's `enum libbpf_tristate`. */
const Tristate = { NO: 0, YES: 1, MODULE: 2 } as const;

type KconfigExtern = ExternSpec & { readonly kconfig: NonNullable<ExternSpec['kconfig']> };

const fail = (ext: ExternSpec, reason: string, code = 'EINVAL'): BpfError => new BpfError(code, `extern (kcfg) '${ext.name}': ${reason}`);

/**
 * Writes `text` (a `.config` value) into `value` at the extern's offset. Throws BpfError:
 * EINVAL when the value does not suit the extern's type, ERANGE when a number does not fit.
 */
export function writeKconfigValue(ext: KconfigExtern, text: string, value: Uint8Array): void {
  if (text === 'y' || text === 'n' || text === 'm') writeTristate(ext, text, value);
  else if (text.startsWith('"')) writeString(ext, text, value);
  else writeNumber(ext, text, value);
}

function writeTristate(ext: KconfigExtern, text: 'y' | 'n' | 'm', value: Uint8Array): void {
  const { offset, type } = ext.kconfig;
  switch (type) {
    case 'bool':
      if (text === 'm') throw fail(ext, `value '${text}' implies tristate or char type`);
      value[offset] = text === 'y' ? 1 : 0;
      return;
    case 'tristate':
      writeUnsigned(value, offset, ext.kconfig.size, BigInt(text === 'y' ? Tristate.YES : text === 'm' ? Tristate.MODULE : Tristate.NO));
      return;
    case 'char':
      value[offset] = text.charCodeAt(0);
      return;
    default:
      throw fail(ext, `value '${text}' implies bool, tristate, or char type`);
  }
}

function writeString(ext: KconfigExtern, text: string, value: Uint8Array): void {
  if (ext.kconfig.type !== 'char_array') throw fail(ext, `value '${text}' implies char array type`);
  if (text.length < 2 || !text.endsWith('"')) throw fail(ext, `invalid string config '${text}'`);
  const bytes = new TextEncoder().encode(text.slice(1, -1)).subarray(0, ext.kconfig.size - 1);
  value.fill(0, ext.kconfig.offset, ext.kconfig.offset + ext.kconfig.size);
  value.set(bytes, ext.kconfig.offset);
}

function writeNumber(ext: KconfigExtern, text: string, value: Uint8Array): void {
  const number = text === '' ? undefined : strtoul(text);
  if (number === undefined) throw fail(ext, `value '${text}' isn't a valid integer`);
  const { type, size, signed, offset } = ext.kconfig;
  if (type !== 'int' && type !== 'char' && type !== 'bool') throw fail(ext, `value '${text}' implies integer, char, or boolean type`);
  if (type === 'bool' && number > 1n) throw fail(ext, `value '${text}' isn't boolean compatible`);
  if (!fits(number, size, signed)) throw fail(ext, `value '${text}' doesn't fit in ${size} bytes`, 'ERANGE');
  writeUnsigned(value, offset, size, number);
}

/** libbpf's is_kcfg_value_in_range: the u64 `v` read back from `size` bytes is the same number. */
function fits(v: bigint, size: number, signed: boolean): boolean {
  if (size >= 8) return true;
  const bits = BigInt(size * 8);
  return signed ? ((v + (1n << (bits - 1n))) & ((1n << 64n) - 1n)) < 1n << bits : v >> bits === 0n;
}

function writeUnsigned(value: Uint8Array, offset: number, size: number, v: bigint): void {
  for (let i = 0; i < size; i++) value[offset + i] = Number((v >> BigInt(8 * i)) & 0xffn);
}
