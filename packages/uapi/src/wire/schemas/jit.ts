import type { FromSchema } from 'json-schema-to-ts';
import { base64, u32 } from './common.js';

/**
 * `bpf.v1.internal.jit`: a verified program in, a WebAssembly module out. The kernel-sim sends
 * programs whose pseudo 64-bit loads (map fds, map values, BTF ids) it has already rewritten to
 * plain constants (src 0), as Linux rewrites them before its JIT runs.
 */
const pointer = { ...u32, minimum: 1, description: "the map's pointer: what `lddw rX, map` loads once rewritten" } as const;

/**
 * A map whose bpf_map_lookup_elem the JIT may do in wasm itself (@bpfhive/jit InlineMap, in the
 * wire's snake_case): array, percpu_array, array_of_maps, or a hash map in the maps-store's layout.
 */
const InlineMapSchema = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'pointer', 'values_base', 'stride', 'max_entries'],
      properties: { kind: { const: 'array' }, pointer, values_base: u32, stride: { ...u32, minimum: 1 }, max_entries: { ...u32, minimum: 1 } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'pointer', 'values_base', 'stride', 'cpu_stride', 'max_entries'],
      properties: {
        kind: { const: 'percpu_array' },
        pointer,
        values_base: u32,
        stride: { ...u32, minimum: 1 },
        cpu_stride: { ...u32, minimum: 1 },
        max_entries: { ...u32, minimum: 1 },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'pointer', 'slots_base', 'max_entries'],
      properties: { kind: { const: 'array_of_maps' }, pointer, slots_base: u32, max_entries: { ...u32, minimum: 1 } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'pointer', 'key_size', 'seed', 'capacity', 'slots_cell', 'keys_in_slots', 'value_offset'],
      properties: {
        kind: { const: 'hash' },
        pointer,
        key_size: { type: 'integer', minimum: 1, maximum: 512 },
        seed: u32,
        capacity: { ...u32, minimum: 1, description: 'slots, a power of two' },
        slots_cell: { ...u32, description: "address of the u32 holding the slot array's address" },
        keys_in_slots: { type: 'boolean' },
        value_offset: u32,
        cpu_stride: { ...u32, minimum: 1, description: 'PERCPU_HASH only' },
        ref_offset: { ...u32, description: 'LRU only: the ref byte in an element' },
      },
    },
  ],
} as const;

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
    maps: { type: 'array', items: InlineMapSchema, maxItems: 64, description: 'maps whose lookups may be inlined (the JIT compile option `maps`)' },
    inline_kernel_data: { type: 'boolean', description: 'read clocks, CPU, prandom and current from the per-CPU kernel data block (env.kernel_data) instead of calling helpers (default false)' },
    typed_helpers: { type: 'boolean', description: "import helpers with Linux prototypes under the typed ABI, h.<id>:<params>:<result> (default false)" },
    probe_loads: {
      type: 'array',
      items: { type: 'integer', minimum: 0 },
      description: 'instruction indices (an lddw counts once) of BPF_PROBE_MEM loads, from the verifier: they read 0 from an address outside the memory or in its NULL guard instead of trapping (the compile option `probeLoads`)',
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
        vectorized_loops: { ...u32, description: 'reduction loops compiled to WebAssembly SIMD' },
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
