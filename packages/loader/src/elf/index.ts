/**
 * The ELF64 reader for eBPF objects: readElf(bytes) → sections, symbols, relocations, or an
 * ElfError saying what is malformed.
 */
export { readElf, findSection } from './reader.js';
export { ElfError } from './errors.js';
export { sectionLabel } from './sections.js';
export * from './constants.js';
export type * from './types.js';
