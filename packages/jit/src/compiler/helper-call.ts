import type { Instr } from '../wasm/ir.js';
import type { HelperAbi } from './helper-abi.js';
import { get, i32, i64 } from './locals.js';

/**
 * The code around a call of a helper import under its ABI (helper-abi.ts): the arguments it takes
 * from r1.., and r0 from its result.
 */

/** r1.. as the ABI's parameters: an i64 register as it is; a u32 one as an i32, 0xffffffff when it is 2^32 or more. */
export function abiArguments(abi: HelperAbi): Instr[] {
  return abi.params.flatMap((type, k): Instr[] => {
    const reg = k + 1;
    if (type === 'i64') return [get(reg)];
    return [get(reg), { op: 'i32.wrap_i64' }, i32(-1), get(reg), i64(0x1_0000_0000), { op: 'i64.lt_u' }, { op: 'select' }];
  });
}

/** The result as r0's i64: a u32 zero-extended. */
export function abiResult(abi: HelperAbi): Instr[] {
  return abi.result === 'u32' ? [{ op: 'i64.extend_i32_u' }] : [];
}
