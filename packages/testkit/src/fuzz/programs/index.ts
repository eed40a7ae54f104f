/**
 * eBPF programs for verifier soundness fuzzing: random XDP programs made of the fragments real
 * programs are made of, some subtly wrong (generate.ts), and mutations of any instruction stream
 * (mutate.ts), random or taken from an object file.
 */
export { GENERATED_ARRAY_MAP, GENERATED_HELPERS, randomXdpProgram, randomXdpText } from './generate.js';
export { mutateInsns } from './mutate.js';
