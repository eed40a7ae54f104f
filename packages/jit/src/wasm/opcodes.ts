/**
 * Opcode tables shared by the encoder and the WAT printer.
 *
 * Numbers are from the WebAssembly core spec (binary format, "Instructions") and, for the 0xfe
 * atomics, the threads proposal (WebAssembly/threads, proposals/threads/Overview.md, "Spec
 * Changes"). Sign-extension operators are 0xc0..0xc4; `return_call` (tail calls) is 0x12.
 */
import type { MemoryOp, PlainOp, SimdOp, ValType } from './ir.js';

/** Single-byte opcodes of the instructions without immediates. */
export const PLAIN_OPCODES: Readonly<Record<PlainOp, number>> = {
  unreachable: 0x00,
  nop: 0x01,
  return: 0x0f,
  drop: 0x1a,
  select: 0x1b,
  'i32.eqz': 0x45,
  'i32.eq': 0x46,
  'i32.ne': 0x47,
  'i32.lt_s': 0x48,
  'i32.lt_u': 0x49,
  'i32.gt_s': 0x4a,
  'i32.gt_u': 0x4b,
  'i32.le_s': 0x4c,
  'i32.le_u': 0x4d,
  'i32.ge_s': 0x4e,
  'i32.ge_u': 0x4f,
  'i64.eqz': 0x50,
  'i64.eq': 0x51,
  'i64.ne': 0x52,
  'i64.lt_s': 0x53,
  'i64.lt_u': 0x54,
  'i64.gt_s': 0x55,
  'i64.gt_u': 0x56,
  'i64.le_s': 0x57,
  'i64.le_u': 0x58,
  'i64.ge_s': 0x59,
  'i64.ge_u': 0x5a,
  'i32.add': 0x6a,
  'i32.sub': 0x6b,
  'i32.mul': 0x6c,
  'i32.div_s': 0x6d,
  'i32.div_u': 0x6e,
  'i32.rem_s': 0x6f,
  'i32.rem_u': 0x70,
  'i32.and': 0x71,
  'i32.or': 0x72,
  'i32.xor': 0x73,
  'i32.shl': 0x74,
  'i32.shr_s': 0x75,
  'i32.shr_u': 0x76,
  'i32.rotl': 0x77,
  'i32.rotr': 0x78,
  'i64.add': 0x7c,
  'i64.sub': 0x7d,
  'i64.mul': 0x7e,
  'i64.div_s': 0x7f,
  'i64.div_u': 0x80,
  'i64.rem_s': 0x81,
  'i64.rem_u': 0x82,
  'i64.and': 0x83,
  'i64.or': 0x84,
  'i64.xor': 0x85,
  'i64.shl': 0x86,
  'i64.shr_s': 0x87,
  'i64.shr_u': 0x88,
  'i64.rotl': 0x89,
  'i64.rotr': 0x8a,
  'i32.wrap_i64': 0xa7,
  'i64.extend_i32_s': 0xac,
  'i64.extend_i32_u': 0xad,
  'i32.extend8_s': 0xc0,
  'i32.extend16_s': 0xc1,
  'i64.extend8_s': 0xc2,
  'i64.extend16_s': 0xc3,
  'i64.extend32_s': 0xc4,
};

/** The 0xfe prefix of the threads proposal's atomic instructions. */
export const ATOMIC_PREFIX = 0xfe;
/** The 0xfd prefix of the SIMD instructions (WebAssembly/simd, proposals/simd/BinarySIMD.md), then a u32 LEB128. */
export const SIMD_PREFIX = 0xfd;

/** SIMD opcodes after the 0xfd prefix (written as LEB128: i64x2.add is 0xce 0x01). */
export const SIMD_OPCODES: Readonly<Record<SimdOp, number>> = {
  'v128.and': 0x4e,
  'v128.or': 0x50,
  'v128.xor': 0x51,
  'i64x2.add': 0xce,
};
export const SIMD_V128_CONST = 0x0c;
export const SIMD_I64X2_EXTRACT_LANE = 0x1d;
/** memory.size: 0x3f, then the memory index (0). */
export const OP_MEMORY_SIZE = 0x3f;

export interface MemoryOpInfo {
  /** The opcode byte; for atomics and SIMD, the byte after the 0xfe or 0xfd prefix. */
  readonly code: number;
  readonly atomic: boolean;
  /** A SIMD load (0xfd prefix). */
  readonly simd?: boolean;
  /** log2 of the access size in bytes: the natural (and for atomics the only valid) alignment. */
  readonly natural: number;
}

function plain(code: number, natural: number): MemoryOpInfo {
  return { code, atomic: false, natural };
}

function atomic(code: number, natural: number): MemoryOpInfo {
  return { code, atomic: true, natural };
}

export const MEMORY_OPCODES: Readonly<Record<MemoryOp, MemoryOpInfo>> = {
  'i32.load': plain(0x28, 2),
  'i64.load': plain(0x29, 3),
  'i32.load8_u': plain(0x2d, 0),
  'i32.load16_u': plain(0x2f, 1),
  'i64.load8_s': plain(0x30, 0),
  'i64.load8_u': plain(0x31, 0),
  'i64.load16_s': plain(0x32, 1),
  'i64.load16_u': plain(0x33, 1),
  'i64.load32_s': plain(0x34, 2),
  'i64.load32_u': plain(0x35, 2),
  'i32.store': plain(0x36, 2),
  'i32.store8': plain(0x3a, 0),
  'i64.store': plain(0x37, 3),
  'i64.store8': plain(0x3c, 0),
  'i64.store16': plain(0x3d, 1),
  'i64.store32': plain(0x3e, 2),
  'i32.atomic.load': atomic(0x10, 2),
  'i64.atomic.load': atomic(0x11, 3),
  'i64.atomic.load8_u': atomic(0x14, 0),
  'i64.atomic.load16_u': atomic(0x15, 1),
  'i64.atomic.load32_u': atomic(0x16, 2),
  'i64.atomic.store': atomic(0x18, 3),
  'i64.atomic.store8': atomic(0x1b, 0),
  'i64.atomic.store16': atomic(0x1c, 1),
  'i64.atomic.store32': atomic(0x1d, 2),
  'i64.atomic.rmw.add': atomic(0x1f, 3),
  'i64.atomic.rmw.and': atomic(0x2d, 3),
  'i64.atomic.rmw.or': atomic(0x34, 3),
  'i64.atomic.rmw.xor': atomic(0x3b, 3),
  'i64.atomic.rmw.xchg': atomic(0x42, 3),
  'i64.atomic.rmw.cmpxchg': atomic(0x49, 3),
  'i64.atomic.rmw32.add_u': atomic(0x24, 2),
  'i64.atomic.rmw32.and_u': atomic(0x32, 2),
  'i64.atomic.rmw32.or_u': atomic(0x39, 2),
  'i64.atomic.rmw32.xor_u': atomic(0x40, 2),
  'i64.atomic.rmw32.xchg_u': atomic(0x47, 2),
  'i64.atomic.rmw32.cmpxchg_u': atomic(0x4e, 2),
  'v128.load': { code: 0x00, atomic: false, simd: true, natural: 4 },
  'v128.load32x2_s': { code: 0x05, atomic: false, simd: true, natural: 3 },
  'v128.load32x2_u': { code: 0x06, atomic: false, simd: true, natural: 3 },
};

export const OP_BLOCK = 0x02;
export const OP_LOOP = 0x03;
export const OP_IF = 0x04;
export const OP_ELSE = 0x05;
export const OP_END = 0x0b;
export const OP_BR = 0x0c;
export const OP_BR_IF = 0x0d;
export const OP_BR_TABLE = 0x0e;
export const OP_CALL = 0x10;
export const OP_CALL_INDIRECT = 0x11;
export const OP_RETURN_CALL = 0x12;
export const OP_LOCAL_GET = 0x20;
export const OP_LOCAL_SET = 0x21;
export const OP_LOCAL_TEE = 0x22;
export const OP_GLOBAL_GET = 0x23;
export const OP_GLOBAL_SET = 0x24;
export const OP_I32_CONST = 0x41;
export const OP_I64_CONST = 0x42;

/** Value type bytes; a block type of "no result" is 0x40. */
export const VALTYPE_CODES: Readonly<Record<ValType, number>> = { i32: 0x7f, i64: 0x7e, v128: 0x7b };
export const BLOCKTYPE_EMPTY = 0x40;
export const FUNCREF = 0x70;
export const FUNC_TYPE_FORM = 0x60;
