import { HelperId } from '@bpfhive/uapi';
import type { CallEnv } from '../interp/env.js';
import { HelperRegistry } from '../interp/registry.js';
import { type HashTableMemory, hashLookup } from './hash-table.js';
import { type InlineMap, MAP_SLOT_BYTES, indexInlineMaps } from './inline-maps.js';
import type { KernelDataAddress } from './kernel-data-helpers.js';
import { KernelDataOffset } from './kernel-data.js';

/**
 * `bpf_map_lookup_elem` over described maps (inline-maps.ts), in JavaScript: the semantics the
 * JIT inlines, for the interpreter, for the lookups the JIT could not prove, and for tests and
 * benches that have no map engine. A per-CPU lookup takes the CPU from the kernel data block at
 * `kernelData` (a per-CPU map without it fails the call), as the inlined code does. A map pointer
 * no descriptor names fails the call. Registered into `registry` (a new one by default).
 */
export function inlineMapsLookupHelper(maps: readonly InlineMap[], kernelData?: KernelDataAddress, registry: HelperRegistry = new HelperRegistry()): HelperRegistry {
  const byPointer = indexInlineMaps(maps);
  const block = typeof kernelData === 'bigint' ? () => kernelData : kernelData;
  return registry.register(HelperId.map_lookup_elem, 'bpf_map_lookup_elem', ([r1, r2], env) => {
    const map = byPointer.get(r1);
    if (!map) throw new Error(`0x${r1.toString(16)} is not a described map`);
    const cpu = (): bigint => {
      if (!block) throw new Error('a per-CPU lookup needs the kernel data block (its CPU)');
      return env.memory.load(block(env) + BigInt(KernelDataOffset.CPU), 4);
    };
    if (map.kind === 'hash') return BigInt(hashLookup(memoryOf(env), map, Number(r2), map.cpuStride === undefined ? 0 : Number(cpu())));
    const key = env.memory.load(r2, 4);
    if (key >= BigInt(map.maxEntries)) return 0n;
    switch (map.kind) {
      case 'array':
        return BigInt(map.valuesBase) + key * BigInt(map.stride);
      case 'percpu_array':
        return BigInt(map.valuesBase) + key * BigInt(map.stride) + cpu() * BigInt(map.cpuStride);
      case 'array_of_maps':
        return env.memory.load(BigInt(map.slotsBase) + key * BigInt(MAP_SLOT_BYTES), 4);
    }
  });
}

/** The program's memory as the hash lookup reads it (checked accesses: a bad address faults). */
function memoryOf(env: CallEnv): HashTableMemory {
  return {
    u32: (address) => Number(env.memory.load(BigInt(address), 4)),
    u8: (address) => Number(env.memory.load(BigInt(address), 1)),
    setU8: (address, value) => env.memory.store(BigInt(address), 1, BigInt(value)),
  };
}
