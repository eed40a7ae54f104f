import { FMIX_M1, FMIX_M2, HASH_C1, HASH_C2, HASH_ROTATE, type HashInlineMap, keyWords, slotWords } from '../kernel/hash-table.js';
import { KernelDataOffset } from '../kernel/kernel-data.js';
import type { Func, FuncType, Instr, Local, MemoryOp } from '../wasm/ir.js';
import { getLocal, i32, i64, plain, setLocal, teeLocal } from './locals.js';

/**
 * The wasm function that looks a key up in a hash map's table (kernel/hash-table.ts has the
 * layout and the contract): `(key: i64) -> i64`, the key's address in, the value's address or 0
 * out. One per layout in a module (maps that differ only in their pointer share it); an inlined
 * bpf_map_lookup_elem calls it with r2 (inline-codegen.ts). Only hashLookup in hash-table.ts,
 * the JavaScript form, must agree with it; the hash is written out here from the same constants.
 */
export const HASH_LOOKUP_TYPE: FuncType = { params: ['i64'], results: ['i64'] };

/** Maps with the same key make the same function. */
export const hashLayoutKey = (map: HashInlineMap): string => JSON.stringify({ ...map, pointer: 0 });

// Locals: the key parameter, then these i32s, then one per key word when the keys are in the slots.
const KEY = 0;
const A = 1; // the key's address
const H = 2; // the hash
const SLOTS = 3; // the slot array's address
const I = 4; // the slot index
const S = 5; // the slot's address
const LINK = 6;
const LEFT = 7; // slots left to probe
const OFF = 8; // byte offset in the key loops
const WORDS = 9; // k0, k1, … (keysInSlots)

const op = plain;
const mem = (o: MemoryOp, offset: number, align: number): Instr => ({ op: o, offset, align });

/** The function for `map`'s layout; `kernelData` is the global holding the CPU's block (per-CPU maps). */
export function hashLookupFunction(map: HashInlineMap, type: number, kernelData: number | undefined, name: string): Func {
  const words = keyWords(map);
  const full = map.keySize >> 2;
  const keyLocals = map.keysInSlots ? words : 0;
  const locals: Local[] = [
    ...['a', 'h', 'slots', 'i', 's', 'link', 'left', 'off'].map((n): Local => ({ type: 'i32', name: n })),
    ...Array.from({ length: keyLocals }, (_, k): Local => ({ type: 'i32', name: `k${k}` })),
  ];
  const body: Instr[] = [
    getLocal(KEY),
    op('i32.wrap_i64'),
    setLocal(A),
    i32(map.seed ^ map.keySize),
    setLocal(H),
    ...(map.keysInSlots ? hashFromLocals(map, words) : hashFromMemory(map, full)),
    ...finish(),
    i32(map.slotsCell),
    mem('i32.atomic.load', 0, 2),
    setLocal(SLOTS),
    getLocal(H),
    i32(map.capacity - 1),
    op('i32.and'),
    setLocal(I),
    i32(map.capacity),
    setLocal(LEFT),
    {
      op: 'block',
      label: 'miss',
      body: [
        {
          op: 'loop',
          label: 'probe',
          body: [
            getLocal(SLOTS),
            getLocal(I),
            i32(4 * slotWords(map)),
            op('i32.mul'),
            op('i32.add'),
            teeLocal(S),
            mem('i32.atomic.load', 0, 2),
            teeLocal(LINK),
            op('i32.eqz'),
            { op: 'br_if', depth: 1 },
            getLocal(LINK),
            i32(1),
            op('i32.gt_u'),
            { op: 'if', then: [{ op: 'block', label: 'next', body: [...(map.keysInSlots ? compareInSlot(words) : compareInElement(map, full)), ...found(map, kernelData)] }] },
            getLocal(I),
            i32(1),
            op('i32.add'),
            i32(map.capacity - 1),
            op('i32.and'),
            setLocal(I),
            getLocal(LEFT),
            i32(1),
            op('i32.sub'),
            teeLocal(LEFT),
            { op: 'br_if', depth: 0 },
          ],
        },
      ],
    },
    i64(0),
  ];
  return { type, name, paramNames: ['key'], locals, body };
}

/** h = mix(h, <word on the stack>): rotl32((h ^ (w * C1)) * C2, 13). */
function mixInto(word: Instr[]): Instr[] {
  return [getLocal(H), ...word, i32(HASH_C1), op('i32.mul'), op('i32.xor'), i32(HASH_C2), op('i32.mul'), i32(HASH_ROTATE), op('i32.rotl'), setLocal(H)];
}

/** murmur3's finaliser on h. */
function finish(): Instr[] {
  const xorShift = (n: number): Instr[] => [getLocal(H), getLocal(H), i32(n), op('i32.shr_u'), op('i32.xor'), setLocal(H)];
  const times = (m: number): Instr[] => [getLocal(H), i32(m), op('i32.mul'), setLocal(H)];
  return [...xorShift(16), ...times(FMIX_M1), ...xorShift(13), ...times(FMIX_M2), ...xorShift(16)];
}

/** The key's last, partial word at `base` + `offset` (keySize % 4 bytes, zero-padded): no byte past the key is read. */
function tailWord(base: Instr, offset: number, bytes: number): Instr[] {
  if (bytes === 1) return [base, mem('i32.load8_u', offset, 0)];
  if (bytes === 2) return [base, mem('i32.load16_u', offset, 0)];
  return [base, mem('i32.load16_u', offset, 0), base, mem('i32.load8_u', offset + 2, 0), i32(16), op('i32.shl'), op('i32.or')];
}

/** The key's word k at address local A. */
function keyWord(map: HashInlineMap, k: number): Instr[] {
  const tail = map.keySize & 3;
  return k < map.keySize >> 2 || tail === 0 ? [getLocal(A), mem('i32.load', 4 * k, 0)] : tailWord(getLocal(A), 4 * k, tail);
}

/** Keys in the slots: the key's words into locals k0.., hashed from them. */
function hashFromLocals(map: HashInlineMap, words: number): Instr[] {
  const out: Instr[] = [];
  for (let k = 0; k < words; k++) out.push(...keyWord(map, k), setLocal(WORDS + k), ...mixInto([getLocal(WORDS + k)]));
  return out;
}

/** Keys in the elements: hashed straight from memory, the full words in a loop. */
function hashFromMemory(map: HashInlineMap, full: number): Instr[] {
  const out: Instr[] = [];
  if (full > 0) {
    out.push(...keyWordLoop(full, mixInto([getLocal(A), getLocal(OFF), op('i32.add'), mem('i32.load', 0, 0)])));
  }
  if ((map.keySize & 3) !== 0) out.push(...mixInto(keyWord(map, full)));
  return out;
}

/** `body` once per whole key word: OFF = 0, 4, … below 4 * full (`body` reads OFF; depth 0 is this loop). */
function keyWordLoop(full: number, body: readonly Instr[]): Instr[] {
  return [
    i32(0),
    setLocal(OFF),
    { op: 'loop', body: [...body, getLocal(OFF), i32(4), op('i32.add'), teeLocal(OFF), i32(4 * full), op('i32.lt_u'), { op: 'br_if', depth: 0 }] },
  ];
}

/** Inside block `next`: leaves it unless the slot at S holds the key in k0... */
function compareInSlot(words: number): Instr[] {
  return Array.from({ length: words }, (_, k): Instr[] => [getLocal(WORDS + k), getLocal(S), mem('i32.load', 4 + 4 * k, 2), op('i32.ne'), { op: 'br_if', depth: 0 }]).flat();
}

/** Inside block `next`: leaves it unless the slot's hash is h and the element at LINK holds the key at A. */
function compareInElement(map: HashInlineMap, full: number): Instr[] {
  const out: Instr[] = [getLocal(H), getLocal(S), mem('i32.load', 4, 2), op('i32.ne'), { op: 'br_if', depth: 0 }];
  if (full > 0) {
    out.push(
      ...keyWordLoop(full, [
        getLocal(A),
        getLocal(OFF),
        op('i32.add'),
        mem('i32.load', 0, 0),
        getLocal(LINK),
        getLocal(OFF),
        op('i32.add'),
        mem('i32.load', 0, 2),
        op('i32.ne'),
        { op: 'br_if', depth: 1 },
      ]),
    );
  }
  if ((map.keySize & 3) !== 0) out.push(...keyWord(map, full), getLocal(LINK), mem('i32.load', 4 * full, 2), op('i32.ne'), { op: 'br_if', depth: 0 });
  return out;
}

/** A hit at element LINK: the LRU ref byte set when clear, then return the value's address. */
function found(map: HashInlineMap, kernelData: number | undefined): Instr[] {
  const out: Instr[] = [];
  if (map.refOffset !== undefined) {
    out.push(getLocal(LINK), mem('i32.load8_u', map.refOffset, 0), op('i32.eqz'), {
      op: 'if',
      then: [getLocal(LINK), i32(1), mem('i32.store8', map.refOffset, 0)],
    });
  }
  out.push(getLocal(LINK), op('i64.extend_i32_u'), i64(map.valueOffset), op('i64.add'));
  if (map.cpuStride !== undefined) {
    if (kernelData === undefined) throw new Error('internal: a per-CPU hash lookup without the kernel data block');
    out.push({ op: 'global.get', index: kernelData }, mem('i64.load32_u', KernelDataOffset.CPU, 2), i64(map.cpuStride), op('i64.mul'), op('i64.add'));
  }
  out.push(op('return'));
  return out;
}
