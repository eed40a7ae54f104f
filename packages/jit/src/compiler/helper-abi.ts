import { type ArgKind, type RetKind, helperById } from '@bpfhive/uapi';
import type { FuncType, ValType } from '../wasm/ir.js';

/**
 * How compiled code passes a helper its arguments and takes its result: the wasm signature of the
 * import `h.<name>` (module-layout.ts). Crossing from wasm into JavaScript costs per argument: an
 * i64 becomes a freshly allocated BigInt (about 5–10 ns each here), an i32 a plain number (about
 * 1 ns), so a helper should be given only what it reads, and as numbers where they fit.
 *
 * - classic (the default): every helper is `(r1, r2, r3, r4, r5: i64) -> i64`, imported as
 *   `h.<id>`. Nothing about the helper is assumed, so it suits any registry (the conformance
 *   suite's helper 5 is not Linux's bpf_ktime_get_ns).
 * - typed (compile option `typedHelpers`): a helper with a Linux prototype (uapi's table) takes its
 *   prototype's arguments only, each
 *     'u32'  for pointers into the kernel's memory (map, key, value, memory, context, stack, string,
 *            spin lock, timer, ring buffer record and dynptr arguments) and sizes (ARG_CONST_SIZE,
 *            _OR_ZERO, ARG_CONST_ALLOC_SIZE_OR_ZERO): an i32 holding the register when it is below
 *            2^32, else 0xffffffff — an address no access can use unless the memory is a full
 *            4 GiB (every pointer a verified program passes lies inside a memory below 4 GiB, and
 *            every size it passes is bounded below 2^29);
 *     'i64'  for everything else (ARG_ANYTHING, callbacks, BTF objects, sockets: values that can
 *            need 64 bits);
 *   a variadic helper (bpf_trace_printk) gets r1..r5 all the same. The result is 'u32' (an i32,
 *   zero-extended into r0) for map value and ring buffer record pointers, else 'i64'. Imported as
 *   `h.<id>:<params>:<result>` with one letter per type (`i` i64, `u` u32): `h.1:uu:u` is
 *   bpf_map_lookup_elem, `h.5::i` bpf_ktime_get_ns. Helpers without a prototype (ids outside the
 *   table) stay classic.
 *
 * The import name says the ABI, so the runtime reads it from the module alone (parseHelperImport).
 */
export type AbiType = 'i64' | 'u32';

export interface HelperAbi {
  readonly params: readonly AbiType[];
  readonly result: AbiType;
}

export const CLASSIC_ABI: HelperAbi = { params: ['i64', 'i64', 'i64', 'i64', 'i64'], result: 'i64' };

/** Argument kinds that are addresses in the kernel's memory or bounded sizes: 'u32'. */
const U32_ARGS: ReadonlySet<ArgKind> = new Set<ArgKind>([
  'ARG_CONST_MAP_PTR',
  'ARG_PTR_TO_MAP_KEY',
  'ARG_PTR_TO_MAP_VALUE',
  'ARG_PTR_TO_MEM',
  'ARG_PTR_TO_CTX',
  'ARG_PTR_TO_STACK',
  'ARG_PTR_TO_CONST_STR',
  'ARG_PTR_TO_SPIN_LOCK',
  'ARG_PTR_TO_TIMER',
  'ARG_PTR_TO_RINGBUF_MEM',
  'ARG_PTR_TO_DYNPTR',
  'ARG_CONST_SIZE',
  'ARG_CONST_SIZE_OR_ZERO',
  'ARG_CONST_ALLOC_SIZE_OR_ZERO',
]);

/** Return kinds that are addresses in the kernel's memory (or NULL): 'u32'. */
const U32_RESULTS: ReadonlySet<RetKind> = new Set<RetKind>(['RET_PTR_TO_MAP_VALUE', 'RET_PTR_TO_MAP_VALUE_OR_NULL', 'RET_PTR_TO_RINGBUF_MEM_OR_NULL']);

/** The typed ABI of helper `id` (CLASSIC_ABI for an id without a prototype). */
export function typedHelperAbi(id: number): HelperAbi {
  const proto = helperById(id);
  if (!proto) return CLASSIC_ABI;
  if (proto.signature.includes('...')) return CLASSIC_ABI;
  return {
    params: proto.args.map((arg) => (U32_ARGS.has(arg.kind) ? 'u32' : 'i64')),
    result: U32_RESULTS.has(proto.ret) ? 'u32' : 'i64',
  };
}

const LETTER: Readonly<Record<AbiType, string>> = { i64: 'i', u32: 'u' };
/** Whether `abi` is the classic five i64s to an i64. */
export const isClassicAbi = (abi: HelperAbi): boolean => abi.result === 'i64' && abi.params.length === 5 && abi.params.every((p) => p === 'i64');

/** The name of helper `id`'s import (in module `h`) under `abi`. */
export function helperImportName(id: number, abi: HelperAbi): string {
  if (isClassicAbi(abi)) return String(id);
  return `${id}:${abi.params.map((p) => LETTER[p]).join('')}:${LETTER[abi.result]}`;
}

/** The helper id and ABI an import name of module `h` says, or undefined for a name no compiler wrote. */
export function parseHelperImport(name: string): { readonly id: number; readonly abi: HelperAbi } | undefined {
  const m = /^(\d+)(?::([iu]{0,5}):([iu]))?$/.exec(name);
  if (!m) return undefined;
  const type = (letter: string): AbiType => (letter === 'u' ? 'u32' : 'i64');
  const abi = m[3] === undefined ? CLASSIC_ABI : { params: [...m[2]!].map(type), result: type(m[3]) };
  return { id: Number(m[1]), abi };
}

const valType = (t: AbiType): ValType => (t === 'u32' ? 'i32' : 'i64');

/** The wasm function type of an import under `abi`. */
export function abiFuncType(abi: HelperAbi): FuncType {
  return { params: abi.params.map(valType), results: [valType(abi.result)] };
}
