import type { CallEnv, FastFunction } from '@bpfhive/jit';
import type { BpfMap } from '@bpfhive/maps-store';
import { BpfError, HelperId, MapType } from '@bpfhive/uapi';
import { ArenaBlock } from '../memory/regions.js';
import { type HelperDef, type KernelServices, cpuOf, mapArg, negErrno, ptr, u32 } from './common.js';

/** A map with bpf_map_push_elem / pop_elem / peek_elem (QUEUE, STACK, BLOOM_FILTER engines). */
interface PushPopMap extends BpfMap {
  push(valueAddress: number, flags: number): number;
  pop(valueAddress: number): number;
  peek(valueAddress: number): number;
}

const isPushPop = (map: BpfMap): map is PushPopMap => 'push' in map && 'pop' in map && 'peek' in map;

/** The engine under a map pointer passed as a typed-ABI int32 (mapArg's rule: anything else stops the run). */
function fastMapArg(kernel: KernelServices, m: number): BpfMap {
  const found = kernel.maps.at(m >>> 0);
  if (!found) throw new Error(`0x${(m >>> 0).toString(16)} is not a map`);
  return found.map;
}

/** An update's flags (a signed i64 from wasm) as the number the engines check: -1 for anything they must reject. */
const flagsNumber = (flags: bigint): number => (flags >= 0n && flags <= 0xffff_ffffn ? Number(flags) : -1);

/** Map types without keys: for_each_map_elem has nothing to walk. */
const KEYLESS = new Set<number>([MapType.QUEUE, MapType.STACK, MapType.BLOOM_FILTER, MapType.RINGBUF, MapType.USER_RINGBUF]);

/**
 * The map helpers (kernel/bpf/helpers.c): lookup gives the value's address (0 when absent),
 * update and delete 0 or a negative errno, with the current CPU's slot of per-CPU maps;
 * push/pop/peek for queues, stacks and bloom filters (-EINVAL on other maps); for_each_map_elem
 * calls a bpf callback per element.
 */
export function mapHelpers(kernel: KernelServices): HelperDef[] {
  const pushPop = (handle: bigint, op: (map: PushPopMap) => number): bigint => {
    const { map } = mapArg(kernel, handle);
    return isPushPop(map) ? BigInt(op(map)) : negErrno('EINVAL');
  };
  return [
    {
      id: HelperId.map_lookup_elem,
      fn: ([m, key], env) => BigInt(mapArg(kernel, m).map.lookupAddress(ptr(key), cpuOf(env).index)),
      // Typed ABI `h.1:uu:u`: the map pointer and key address as int32s, the value's address back.
      fast: (env) => {
        const cpu = cpuOf(env);
        return ((m: number, key: number): number => fastMapArg(kernel, m).lookupAddress(key >>> 0, cpu.index)) as FastFunction;
      },
    },
    {
      id: HelperId.map_update_elem,
      fn: ([m, key, value, flags], env) => BigInt(mapArg(kernel, m).map.updateAt(ptr(key), ptr(value), Number(flags), cpuOf(env).index)),
      // `h.2:uuui:i`: flags is an i64 (ARG_ANYTHING); a flags value past 2^53 is as invalid as the engine finds it.
      fast: (env) => {
        const cpu = cpuOf(env);
        return ((m: number, key: number, value: number, flags: bigint): bigint =>
          BigInt(fastMapArg(kernel, m).updateAt(key >>> 0, value >>> 0, flagsNumber(flags), cpu.index))) as FastFunction;
      },
    },
    {
      id: HelperId.map_delete_elem,
      fn: ([m, key]) => BigInt(mapArg(kernel, m).map.deleteAt(ptr(key))),
      fast: () => ((m: number, key: number): bigint => BigInt(fastMapArg(kernel, m).deleteAt(key >>> 0))) as FastFunction,
    },
    { id: HelperId.map_push_elem, fn: ([m, value, flags]) => pushPop(m, (map) => map.push(ptr(value), Number(flags))) },
    { id: HelperId.map_pop_elem, fn: ([m, value]) => pushPop(m, (map) => map.pop(ptr(value))) },
    { id: HelperId.map_peek_elem, fn: ([m, value]) => pushPop(m, (map) => map.peek(ptr(value))) },
    {
      // bpf_map_lookup_percpu_elem: another CPU's slot; NULL past the last CPU.
      id: HelperId.map_lookup_percpu_elem,
      fn: ([m, key, cpu]) => {
        const { map } = mapArg(kernel, m);
        return u32(cpu) >= map.cpus ? 0n : BigInt(map.lookupAddress(ptr(key), u32(cpu)));
      },
    },
    { id: HelperId.for_each_map_elem, fn: (args, env) => forEachMapElem(kernel, args, env) },
  ];
}

/**
 * bpf_for_each_map_elem(map, callback, ctx, flags): calls `callback(map, &key, &value, ctx)` for
 * each element in the map's order, this CPU's value for per-CPU maps, until it returns non-zero;
 * returns how many elements it was called for. -EINVAL for flags. The keys are snapshotted first,
 * so the callback may delete elements; one deleted before its turn is skipped.
 */
function forEachMapElem(kernel: KernelServices, [m, callback, ctx, flags]: readonly bigint[], env: CallEnv): bigint {
  if (flags !== 0n) return negErrno('EINVAL');
  const held = mapArg(kernel, m!);
  const { map } = held;
  if (KEYLESS.has(map.spec.map_type)) return negErrno('ENOTSUPP');
  const keys = snapshotKeys(map);
  const key = ArenaBlock.alloc(kernel.arena, map.spec.key_size);
  const cpu = cpuOf(env).index;
  let calls = 0;
  try {
    for (const bytes of keys) {
      key.bytes.set(bytes);
      const value = map.lookupAddress(key.address, cpu);
      if (value === 0) continue;
      calls++;
      if (env.callFunction(callback!, [BigInt(held.handle), BigInt(key.address), BigInt(value), ctx!]) !== 0n) break;
    }
  } finally {
    key.free();
  }
  return BigInt(calls);
}

function snapshotKeys(map: BpfMap): Uint8Array[] {
  const keys: Uint8Array[] = [];
  let key: Uint8Array | undefined;
  for (;;) {
    try {
      key = map.getNextKey(key);
    } catch (e) {
      if (e instanceof BpfError && e.code === 'ENOENT') return keys;
      throw e;
    }
    keys.push(key);
  }
}
