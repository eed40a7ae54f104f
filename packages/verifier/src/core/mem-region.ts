/**
 * Bounds checks of an access to a sized object through a pointer with a fixed and a variable
 * offset (the kernel's __check_mem_access and check_mem_region_access): every byte of
 * [off + var, off + var + size) for every possible var must lie in [0, memSize).
 */
import type { Env } from './env.js';
import { MAX_VAR_OFF } from './limits.js';
import type { RegState } from './reg.js';
import { RegType, baseType } from './reg-type.js';
import { S64_MIN } from './u64.js';

/** One fixed offset; logs the kernel's message for the object kind and throws when out of bounds. */
export function checkMemAccess(env: Env, reg: RegState, regno: number, off: number, size: number, memSize: number, zeroOk: boolean): void {
  const sizeOk = size > 0 || (zeroOk && size === 0);
  if (off >= 0 && sizeOk && off + size <= memSize) return;
  switch (baseType(reg.type)) {
    case RegType.PTR_TO_MAP_KEY:
      env.fail('EACCES', `invalid access to map key, key_size=${memSize} off=${off} size=${size}`);
      break;
    case RegType.PTR_TO_MAP_VALUE:
      env.fail('EACCES', `invalid access to map value, value_size=${memSize} off=${off} size=${size}`);
      break;
    case RegType.PTR_TO_PACKET:
    case RegType.PTR_TO_PACKET_META:
    case RegType.PTR_TO_PACKET_END:
      env.fail('EACCES', `invalid access to packet, off=${off} size=${size}, R${regno}(id=${reg.id},off=${off},r=${memSize})`);
      break;
    default:
      env.fail('EACCES', `invalid access to memory, mem_size=${memSize} off=${off} size=${size}`);
  }
}

/** The access with the register's variable offset range applied (check_mem_region_access). */
export function checkMemRegionAccess(env: Env, reg: RegState, regno: number, off: number, size: number, memSize: number, zeroOk: boolean): void {
  if (reg.smin < 0n && (reg.smin === S64_MIN || reg.smin + BigInt(off) < BigInt(-(2 ** 31)) || reg.smin + BigInt(off) < 0n)) {
    env.fail('EACCES', `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  }
  try {
    checkMemAccess(env, reg, regno, Number(reg.smin) + off, size, memSize, zeroOk);
  } catch (e) {
    env.verbose(`R${regno} min value is outside of the allowed memory range\n`);
    throw e;
  }
  if (reg.umax >= BigInt(MAX_VAR_OFF)) env.fail('EACCES', `R${regno} unbounded memory access, make sure to bounds check any such access`);
  try {
    checkMemAccess(env, reg, regno, Number(reg.umax) + off, size, memSize, zeroOk);
  } catch (e) {
    env.verbose(`R${regno} max value is outside of the allowed memory range\n`);
    throw e;
  }
}
