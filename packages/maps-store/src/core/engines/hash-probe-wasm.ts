/**
 * hash-probe.ts's word probe, hashing included, as a wasm function over the arena's own memory:
 * what HashMap.lookupAddress and lookupU32 call for keys of 1 to 4 bytes. The module is a few
 * hundred bytes, built here (no toolchain), compiled once per process and instantiated once per
 * memory (an Arena's WebAssembly memory, imported shared).
 *
 * Why: a lookup in a large table costs mostly its slot's cache and TLB miss, and the CPU overlaps
 * the misses of consecutive lookups only as far as the instructions between them fit its
 * out-of-order window; the wasm probe runs a third of the instructions V8 makes of the same loop
 * in JavaScript (no typed-array bounds and map checks, no deoptimisation guards).
 *
 *   probe(keyAddress, slots, mask, seedXorKeySize, tailMask) -> link
 *
 * `keyAddress` the key's bytes (any alignment; 4 bytes are read, then masked by `tailMask`),
 * `slots` slot 0's byte address (8-byte slots: link, key word), `mask` the slot count - 1,
 * `seedXorKeySize` the map's seed ^ key_size (key-hash.ts: the hash starts there). Returns the
 * element address (link) of the live slot holding the key word, or 0. Reads in hash-probe.ts's
 * order: a slot's link (atomically), then its key word. The hash is key-hash.ts's hashWord; the
 * two are checked against each other in hash-probe-wasm.test.ts.
 *
 * Also `probeU32(word, slots, mask, seedXorKeySize) -> link`: the same with the key word given.
 */
import { HASH_C1, HASH_C2, FMIX_M1, FMIX_M2 } from './key-hash.js';

/** (keyAddress, slots, mask, seedXorKeySize, tailMask) -> the element's address or 0. */
export type WasmWordProbe = (keyAddress: number, slots: number, mask: number, seedXorKeySize: number, tailMask: number) => number;
/** (word, slots, mask, seedXorKeySize) -> the element's address or 0. */
export type WasmWordProbeU32 = (word: number, slots: number, mask: number, seedXorKeySize: number) => number;

export interface WasmProbes {
  readonly probe: WasmWordProbe;
  readonly probeU32: WasmWordProbeU32;
}

// Opcodes used (wasm core spec, binary format).
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_LOAD = 0x28;
const I32_CONST = 0x41;
const I32_EQZ = 0x45;
const I32_EQ = 0x46;
const I32_GT_U = 0x4b;
const I32_ADD = 0x6a;
const I32_MUL = 0x6c;
const I32_AND = 0x71;
const I32_XOR = 0x73;
const I32_SHL = 0x74;
const I32_SHR_U = 0x76;
const I32_ROTL = 0x77;
const IF = 0x04;
const LOOP = 0x03;
const BR = 0x0c;
const RETURN = 0x0f;
const END = 0x0b;
const UNREACHABLE = 0x00;
const VOID = 0x40;
const I32 = 0x7f;
const ATOMIC_PREFIX = 0xfe;
const I32_ATOMIC_LOAD = 0x10;

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  n |= 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
};
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const get = (l: number): number[] => [LOCAL_GET, l];
const set = (l: number): number[] => [LOCAL_SET, l];
const konst = (n: number): number[] => [I32_CONST, ...sleb(n)];

/**
 * The probe's body after the key word is in local `w`: hash, then probe. Locals: `slots`, `mask`,
 * `h0` parameters; `w`, `h`, `i`, `s`, `link` i32 locals.
 */
function hashAndProbe(slots: number, mask: number, h0: number, w: number, h: number, i: number, s: number, link: number): number[] {
  const xorShift = (n: number): number[] => [...get(h), ...get(h), ...konst(n), I32_SHR_U, I32_XOR, ...set(h)];
  const times = (m: number): number[] => [...get(h), ...konst(m), I32_MUL, ...set(h)];
  return [
    // h = rotl32((h0 ^ (w * C1)) * C2, 13), then murmur3's finaliser.
    ...get(h0), ...get(w), ...konst(HASH_C1), I32_MUL, I32_XOR, ...konst(HASH_C2), I32_MUL, ...konst(13), I32_ROTL, ...set(h),
    ...xorShift(16), ...times(FMIX_M1), ...xorShift(13), ...times(FMIX_M2), ...xorShift(16),
    ...get(h), ...get(mask), I32_AND, ...set(i),
    LOOP, VOID,
    // s = slots + i * 8; link = atomic load of s
    ...get(slots), ...get(i), ...konst(3), I32_SHL, I32_ADD, LOCAL_TEE, s,
    ATOMIC_PREFIX, I32_ATOMIC_LOAD, 2, 0, LOCAL_TEE, link,
    // a live link whose slot holds w: the element
    ...konst(1), I32_GT_U, IF, VOID,
    ...get(s), I32_LOAD, 2, 4, ...get(w), I32_EQ, IF, VOID, ...get(link), RETURN, END,
    END,
    // an empty slot ends the probe
    ...get(link), I32_EQZ, IF, VOID, ...konst(0), RETURN, END,
    ...get(i), ...konst(1), I32_ADD, ...get(mask), I32_AND, ...set(i),
    BR, 0,
    END,
    UNREACHABLE,
    END,
  ];
}

/** The module's bytes: memory "m"."memory" (shared, up to 4 GiB; or not shared, any size), exports probe and probeU32. */
export function wasmProbeModuleBytes(shared = true): Uint8Array<ArrayBuffer> {
  const type5 = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([[I32]])];
  const type4 = [0x60, ...vec([[I32], [I32], [I32], [I32]]), ...vec([[I32]])];
  // probe: params key 0, slots 1, mask 2, h0 3, tail 4; locals w 5, h 6, i 7, s 8, link 9.
  const probe = [...vec([[5, I32]]), ...get(0), I32_LOAD, 0, 0, ...get(4), I32_AND, ...set(5), ...hashAndProbe(1, 2, 3, 5, 6, 7, 8, 9)];
  // probeU32: params w 0, slots 1, mask 2, h0 3; locals h 4, i 5, s 6, link 7.
  const probeU32 = [...vec([[4, I32]]), ...hashAndProbe(1, 2, 3, 0, 4, 5, 6, 7)];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type5, type4])),
    // memory import: limits flag 3 (shared, with a maximum), min 0, max 65536 pages; or flag 0, min 0
    ...section(2, vec([[...name('m'), ...name('memory'), 0x02, ...(shared ? [0x03, ...uleb(0), ...uleb(65536)] : [0x00, ...uleb(0)])]])),
    ...section(3, vec([[0], [1]])),
    ...section(7, vec([[...name('probe'), 0x00, 0], [...name('probeU32'), 0x00, 1]])),
    ...section(10, vec([[...uleb(probe.length), ...probe], [...uleb(probeU32.length), ...probeU32]])),
  ];
  return Uint8Array.from(bytes);
}

/** The compiled modules: for shared memories (an Arena's own) and for others (an Arena given a memory). */
const modules = new Map<boolean, WebAssembly.Module>();
const instances = new WeakMap<WebAssembly.Memory, WasmProbes>();

/** The probes over `memory`: one instance per memory, each module compiled on first use. */
export function wasmProbes(memory: WebAssembly.Memory): WasmProbes {
  let probes = instances.get(memory);
  if (probes === undefined) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    let module = modules.get(shared);
    if (module === undefined) modules.set(shared, (module = new WebAssembly.Module(wasmProbeModuleBytes(shared))));
    const exports = new WebAssembly.Instance(module, { m: { memory } }).exports as unknown as WasmProbes;
    probes = { probe: exports.probe, probeU32: exports.probeU32 };
    instances.set(memory, probes);
  }
  return probes;
}
