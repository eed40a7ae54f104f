import { type InlineMap, MAP_SLOT_BYTES } from '../kernel/inline-maps.js';
import { hashLayoutKey } from './hash-lookup.js';
import { KernelDataOffset, TAUSWORTHE } from '../kernel/kernel-data.js';
import type { Instr, MemoryOp } from '../wasm/ir.js';
import type { InlinedCall } from './inline.js';
import { T32, get, getLocal, i32, i64, plain, set, setLocal, teeLocal } from './locals.js';
import type { FunctionIndexes } from './module-layout.js';

/**
 * The code of an inlined helper call (inline.ts): it sets r0 and nothing else of the program's
 * (r1..r5 keep their values, as after a helper call); scratch: T32. From `indexes`: the imported
 * global holding the CPU's kernel data block address (required when the call reads the block),
 * and the hash lookup functions (a hash map's lookup calls its layout's with r2).
 */
export function inlinedCallCode(call: InlinedCall, indexes: Pick<FunctionIndexes, 'kernelData' | 'hashLookups'>): Instr[] {
  const { kernelData } = indexes;
  const block = (): Instr => {
    if (kernelData === undefined) throw new Error('internal: inlined code reads the kernel data block but it is not imported');
    return { op: 'global.get', index: kernelData };
  };
  if (call.kind === 'kernel-data') {
    if (call.read.kind === 'prandom') return [...prandomU32(block), op('i64.extend_i32_u'), set(0)];
    const load: MemoryOp = call.read.bytes === 8 ? 'i64.load' : 'i64.load32_u';
    return [block(), mem(load, call.read.offset, call.read.bytes === 8 ? 3 : 2), set(0)];
  }
  if (call.map.kind === 'hash') {
    const func = indexes.hashLookups.get(hashLayoutKey(call.map));
    if (func === undefined) throw new Error('internal: an inlined hash lookup without its function');
    return [get(2), { op: 'call', func }, set(0)];
  }
  return [...lookup(call.map, block), set(0)];
}

const op = plain;
const mem = (o: MemoryOp, offset: number, align: number): Instr => ({ op: o, offset, align });

/**
 * prandom_u32_state on the block's four words (kernel-data.ts): each word is stepped and stored
 * back, and the new words are xored together; leaves that u32 on the stack.
 */
function prandomU32(block: () => Instr): Instr[] {
  const out: Instr[] = [];
  TAUSWORTHE.forEach(([a, b, c, d], k) => {
    const offset = KernelDataOffset.PRANDOM + 4 * k;
    out.push(
      block(),
      block(),
      mem('i32.load', offset, 2),
      teeLocal(T32),
      i32(c),
      op('i32.and'),
      i32(d),
      op('i32.shl'),
      getLocal(T32),
      i32(a),
      op('i32.shl'),
      getLocal(T32),
      op('i32.xor'),
      i32(b),
      op('i32.shr_u'),
      op('i32.xor'),
      teeLocal(T32),
      mem('i32.store', offset, 2),
      getLocal(T32),
    );
    if (k > 0) out.push(op('i32.xor'));
  });
  return out;
}

/** key * n for a constant n: a shift when n is a power of two, as Linux emits it. */
function scale(n: number): Instr[] {
  if (n === 1) return [];
  return (n & (n - 1)) === 0 ? [i64(Math.log2(n)), op('i64.shl')] : [i64(n), op('i64.mul')];
}

/**
 * bpf_map_lookup_elem(map, key): the u32 key at r2; at or past maxEntries r0 = NULL, else the
 * element's address (array, per-CPU array: this CPU's copy) or the inner map pointer in the slot
 * (array of maps). Leaves r0's value on the stack.
 */
function lookup(map: Exclude<InlineMap, { kind: 'hash' }>, block: () => Instr): Instr[] {
  const key: Instr[] = [get(2), op('i32.wrap_i64'), mem('i32.load', 0, 0), setLocal(T32)];
  const inRange: Instr[] = [getLocal(T32), i32(map.maxEntries), op('i32.lt_u')];
  let element: Instr[];
  switch (map.kind) {
    case 'array':
      element = [getLocal(T32), op('i64.extend_i32_u'), ...scale(map.stride), i64(map.valuesBase), op('i64.add')];
      break;
    case 'percpu_array':
      element = [
        getLocal(T32),
        op('i64.extend_i32_u'),
        ...scale(map.stride),
        i64(map.valuesBase),
        op('i64.add'),
        block(),
        mem('i64.load32_u', KernelDataOffset.CPU, 2),
        ...scale(map.cpuStride),
        op('i64.add'),
      ];
      break;
    case 'array_of_maps':
      element = [getLocal(T32), i32(Math.log2(MAP_SLOT_BYTES)), op('i32.shl'), mem('i64.load32_u', map.slotsBase, 2)];
      break;
  }
  return [...key, ...inRange, { op: 'if', result: 'i64', then: element, else: [i64(0)] }];
}
