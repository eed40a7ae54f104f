/**
 * The ABI tables: `bpf_cmd`, map, program, attach and link types, helper prototypes, errno.
 *
 * The data is generated from tables/bpf-abi.json into src/generated/ (scripts/gen-tables.mjs);
 * this module re-exports it with the lookups that parse and print it.
 */
export * from '../generated/index.js';
export * from './enums.js';
export * from './helpers.js';
export * from './errno.js';
