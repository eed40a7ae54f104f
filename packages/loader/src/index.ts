/**
 * @bpfhive/loader — user space.
 *
 * - runCli(argv, io): the `bpfhive` command line, in-process (the `bpfhive` bin wraps it)
 * - readObject(bytes, {name?}): an eBPF object file read the way libbpf opens it (object/), over readElf (elf/)
 * - loadCollection(spec, client, options): the object loaded as libbpf loads it (loader/)
 * - CoreRelocator: CO-RE relocations applied against a kernel's BTF (corerelo/)
 */
export { runCli, COMMANDS } from './cli/main.js';
export type { CliIo } from './cli/io.js';
export type { Command } from './cli/command.js';
export * from './client/index.js';
export * from './object/index.js';
export * from './loader/index.js';
export * from './corerelo/index.js';
export { readElf, ElfError, type ElfFile } from './elf/index.js';
export { EXAMPLES, EXAMPLES_DIR, runExample, attachAttr, type Example, type ExampleRun, type RunOptions } from './examples/index.js';
