import { HelperId } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import type { CallEnv } from '../interp/env.js';
import { AddressSpace } from '../interp/memory.js';
import { type InlineMap, indexInlineMaps } from './inline-maps.js';
import { inlineMapsLookupHelper } from './inline-maps-helper.js';
import { KernelDataBlock } from './kernel-data.js';

const ARRAY: InlineMap = { kind: 'array', pointer: 0x100, valuesBase: 0x1000, stride: 24, maxEntries: 4 };
const PERCPU: InlineMap = { kind: 'percpu_array', pointer: 0x140, valuesBase: 0x2000, stride: 32, cpuStride: 8, maxEntries: 2 };
const OF_MAPS: InlineMap = { kind: 'array_of_maps', pointer: 0x180, slotsBase: 0x3000, maxEntries: 2 };

describe('inline maps', () => {
  it('indexInlineMaps - indexes descriptors by pointer', () => {
    const byPointer = indexInlineMaps([ARRAY, PERCPU, OF_MAPS]);
    expect(byPointer.get(0x140n)).toBe(PERCPU);
    expect(byPointer.size).toBe(3);
  });

  it.each<[string, InlineMap[], RegExp]>([
    ['a zero pointer', [{ ...ARRAY, pointer: 0 }], /pointer must be an integer/],
    ['no entries', [{ ...ARRAY, maxEntries: 0 }], /maxEntries/],
    ['a zero stride', [{ ...ARRAY, stride: 0 }], /stride/],
    ['a fractional base', [{ ...ARRAY, valuesBase: 1.5 }], /valuesBase/],
    ['a zero CPU stride', [{ ...PERCPU, cpuStride: 0 }], /cpuStride/],
    ['values past 4 GiB', [{ ...ARRAY, valuesBase: 0xffff_ff00, stride: 0x100 }], /past 4 GiB/],
    ['slots past 4 GiB', [{ ...OF_MAPS, slotsBase: 0xffff_fffc }], /past 4 GiB/],
    ['the same pointer twice', [ARRAY, { ...PERCPU, pointer: ARRAY.pointer }], /same pointer/],
  ])('indexInlineMaps - rejects %s', (_, maps, message) => {
    expect(() => indexInlineMaps(maps)).toThrow(message);
  });

  it('inlineMapsLookupHelper - element addresses, NULL past the end, this CPU, inner map pointers', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const view = new DataView(memory.buffer);
    new KernelDataBlock(memory, 0x4000).set({ cpu: 3 });
    view.setUint32(0x3000, 0x100, true); // slot 0: the array; slot 1 empty
    const env = { memory: new AddressSpace([{ name: 'kernel memory', base: 0n, bytes: new Uint8Array(memory.buffer), writable: true }]) } as unknown as CallEnv;
    const lookup = inlineMapsLookupHelper([ARRAY, PERCPU, OF_MAPS], 0x4000n).get(HelperId.map_lookup_elem)!;
    const call = (map: InlineMap, key: number): bigint => {
      view.setUint32(0x5000, key, true);
      return lookup.fn([BigInt(map.pointer), 0x5000n, 0n, 0n, 0n], env);
    };
    expect([0, 3, 4, 0xffff_ffff].map((k) => call(ARRAY, k))).toEqual([0x1000n, 0x1000n + 72n, 0n, 0n]);
    expect([0, 1, 2].map((k) => call(PERCPU, k))).toEqual([0x2000n + 24n, 0x2000n + 32n + 24n, 0n]);
    expect([0, 1, 2].map((k) => call(OF_MAPS, k))).toEqual([0x100n, 0n, 0n]);
    expect(() => lookup.fn([0x999n, 0x5000n, 0n, 0n, 0n], env)).toThrow(/not a described map/);
    const withoutBlock = inlineMapsLookupHelper([PERCPU]).get(HelperId.map_lookup_elem)!;
    view.setUint32(0x5000, 0, true);
    expect(() => withoutBlock.fn([BigInt(PERCPU.pointer), 0x5000n, 0n, 0n, 0n], env)).toThrow(/kernel data block/);
  });
});
