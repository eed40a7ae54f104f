/**
 * What the JIT inlines needs from the kernel, as data: the per-CPU kernel data block (layout,
 * writer, the helpers that read it in JavaScript) and the descriptors of maps whose lookups the JIT
 * does itself: address arithmetic for arrays, a probe of the table for hash maps (with their
 * lookups in JavaScript).
 */
export {
  KERNEL_DATA_ALIGN,
  KERNEL_DATA_HELPERS,
  KERNEL_DATA_SIZE,
  KernelDataBlock,
  type KernelDataField,
  KernelDataOffset,
  type KernelDataRead,
  type KernelDataValues,
  type PrandomState,
  prandomStep,
  seedPrandom,
} from './kernel-data.js';
export { type KernelDataAddress, kernelDataHelpers } from './kernel-data-helpers.js';
export { type ArrayInlineMap, type ArrayOfMapsInlineMap, type InlineMap, MAP_SLOT_BYTES, type PercpuArrayInlineMap, indexInlineMaps } from './inline-maps.js';
export { type HashInlineMap, type HashTableMemory, hashKeyWords, hashLookup } from './hash-table.js';
export { inlineMapsLookupHelper } from './inline-maps-helper.js';
