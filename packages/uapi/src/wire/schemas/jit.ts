import type { FromSchema } from 'json-schema-to-ts';
import { base64, u32 } from './common.js';

/**
 * `bpf.v1.internal.jit`: a verified program in, a WebAssembly module out. The kernel-sim sends
 * programs whose pseudo 64-bit loads (map fds, map values, BTF ids) it has already rewritten to
 * plain constants (src 0), as Linux rewrites them before its JIT runs.
 */
export const JitRequestSchema = {
  $id: 'bpf.v1.internal.jit.request',
  title: 'JIT compile request',
  type: 'object',
  additionalProperties: false,
  required: ['insns'],
  properties: {
    insns: { ...base64, description: 'the verified instructions, 8 bytes per slot, little-endian' },
    prog_name: { type: 'string', maxLength: 15, description: 'for messages only' },
    memory: {
      type: 'object',
      description: "the limits of the kernel memory the module imports as env.memory",
      additionalProperties: false,
      properties: {
        initial: { type: 'integer', minimum: 1, maximum: 65536, description: 'pages of 64 KiB (default 1)' },
        maximum: { type: 'integer', minimum: 1, maximum: 65536, description: 'pages (default 65536)' },
        shared: { type: 'boolean', description: 'a SharedArrayBuffer memory, for worker-thread CPUs (default true)' },
      },
    },
  },
} as const;
export type JitRequest = FromSchema<typeof JitRequestSchema>;

export const JitReplySchema = {
  $id: 'bpf.v1.internal.jit.reply',
  title: 'JIT compile reply',
  type: 'object',
  additionalProperties: false,
  required: ['module', 'stats', 'imports'],
  properties: {
    module: { ...base64, description: 'the WebAssembly module' },
    stats: {
      type: 'object',
      additionalProperties: false,
      required: ['compile_ms', 'module_bytes', 'functions', 'instructions', 'structured'],
      properties: {
        compile_ms: { type: 'number', minimum: 0, description: 'time spent compiling' },
        module_bytes: u32,
        functions: { ...u32, description: 'eBPF functions: the entry and its bpf-to-bpf callees' },
        instructions: u32,
        structured: { type: 'boolean', description: 'false when irreducible control flow needed the dispatch loop' },
      },
    },
    imports: {
      type: 'object',
      description: 'what the module imports besides env.memory',
      additionalProperties: false,
      required: ['helpers', 'kfuncs', 'ld_packet', 'callx', 'tail_call'],
      properties: {
        helpers: { type: 'array', items: u32, description: 'helper ids, imported as h.<id>' },
        kfuncs: { type: 'array', items: { type: 'string', pattern: '^[0-9]+:[0-9]+$' }, description: '"<btf object>:<btf id>", imported as k.<obj>.<id>' },
        ld_packet: { type: 'boolean', description: 'env.ld_packet, for LD_ABS/LD_IND' },
        callx: { type: 'boolean', description: 'env.call_helper, for callx to a helper id' },
        tail_call: { type: 'boolean', description: 'env.tail_call and the env.programs table' },
      },
    },
  },
} as const;
export type JitReply = FromSchema<typeof JitReplySchema>;
