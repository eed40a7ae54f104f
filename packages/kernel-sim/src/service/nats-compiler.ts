import type { NatsConnection } from '@nats-io/transport-node';
import { type InlineMap, compile } from '@bpfhive/jit';
import { type JitReply, JitReplySchema, type JitRequest, Subjects, encode, fromBase64, toBase64, validateWire } from '@bpfhive/uapi';
import { withCallbackDispatcher } from '../core/compile/callbacks.js';
import { type CompileInput, type CompiledModule, KERNEL_COMPILE_OPTIONS, type ProgramCompiler } from '../core/compile/types.js';
import { JIT_BUDGET_MS, policyFor, requestIdempotent } from './idempotent-request.js';
import { requestJson } from './request.js';

const MEMORY = { initial: 1, maximum: 65536, shared: true } as const;

/**
 * The compiler port over `bpf.v1.internal.jit` (the jit service, a queue group): the rewritten
 * program goes out, the module bytes and what they import come back (validated against the
 * reply schema). The service sends no IR, so the module's `wat()` compiles the same program in
 * this process (the same compiler, the same input: the same module) when first asked. A request
 * lost with a replica is sent again, within the budget (idempotent-request.ts).
 */
export class NatsCompiler implements ProgramCompiler {
  constructor(
    private readonly nc: NatsConnection,
    /** The most one compilation may take, retries included (idempotent-request.ts). */
    private readonly budgetMs = JIT_BUDGET_MS,
  ) {}

  async compile(input: CompileInput): Promise<CompiledModule> {
    const maps = input.maps ?? [];
    const body: JitRequest = {
      insns: toBase64(encode(withCallbackDispatcher(input.insns))),
      ...(input.name && { prog_name: input.name }),
      memory: MEMORY,
      ...(maps.length > 0 && { maps: maps.map(wireInlineMap) }),
      inline_kernel_data: KERNEL_COMPILE_OPTIONS.inlineKernelData,
      typed_helpers: KERNEL_COMPILE_OPTIONS.typedHelpers,
      ...(input.probeLoads && input.probeLoads.length > 0 && { probe_loads: [...input.probeLoads] }),
    };
    const policy = policyFor(input.insns.length, this.budgetMs);
    const raw = await requestIdempotent(Subjects.internalJit, (timeoutMs) => requestJson(this.nc, Subjects.internalJit, body, timeoutMs), policy);
    const reply = validateWire<JitReply>(JitReplySchema, raw);
    const insns = withCallbackDispatcher(input.insns);
    return compiledFromReply(reply, () => compile(insns, { memory: MEMORY, ...KERNEL_COMPILE_OPTIONS, maps, ...(input.probeLoads && { probeLoads: input.probeLoads }) }).wat());
  }
}

/** A `maps` descriptor as `bpf.v1.internal.jit` carries it (snake_case). */
function wireInlineMap(m: InlineMap): NonNullable<JitRequest['maps']>[number] {
  switch (m.kind) {
    case 'array':
      return { kind: 'array', pointer: m.pointer, values_base: m.valuesBase, stride: m.stride, max_entries: m.maxEntries };
    case 'percpu_array':
      return { kind: 'percpu_array', pointer: m.pointer, values_base: m.valuesBase, stride: m.stride, cpu_stride: m.cpuStride, max_entries: m.maxEntries };
    case 'array_of_maps':
      return { kind: 'array_of_maps', pointer: m.pointer, slots_base: m.slotsBase, max_entries: m.maxEntries };
    case 'hash':
      return {
        kind: 'hash',
        pointer: m.pointer,
        key_size: m.keySize,
        seed: m.seed,
        capacity: m.capacity,
        slots_cell: m.slotsCell,
        keys_in_slots: m.keysInSlots,
        value_offset: m.valueOffset,
        ...(m.cpuStride !== undefined && { cpu_stride: m.cpuStride }),
        ...(m.refOffset !== undefined && { ref_offset: m.refOffset }),
      };
  }
}

/**
 * The module as the kernel instantiates it, from a jit service reply. `wat` prints its text
 * (absent: `wat()` throws, saying the text is not available).
 */
export function compiledFromReply(reply: JitReply, wat?: () => string): CompiledModule {
  const bytes = fromBase64(reply.module, 'module');
  const { stats, imports } = reply;
  return {
    module: { types: [], imports: [], funcs: [], exports: [] },
    bytes,
    needs: { helpers: imports.helpers, kfuncs: imports.kfuncs, ldPacket: imports.ld_packet, callx: imports.callx, tailCall: imports.tail_call },
    memory: MEMORY,
    stats: { compileMs: stats.compile_ms, moduleBytes: stats.module_bytes, functions: stats.functions, instructions: stats.instructions, structured: stats.structured, vectorizedLoops: stats.vectorized_loops ?? 0 },
    wat:
      wat ??
      (() => {
        throw new Error('the WAT of a module compiled by the jit service is not available; compile in process to print it');
      }),
  };
}
