import { type JitReply, type JitRequest, decode, fromBase64, toBase64 } from '@bpfhive/uapi';
import { compile } from '../compiler/compile.js';
import type { InlineMap } from '../kernel/inline-maps.js';

type WireInlineMap = NonNullable<JitRequest['maps']>[number];

/** A wire map descriptor (snake_case) as the compile option `maps` takes it. */
function inlineMap(m: WireInlineMap): InlineMap {
  switch (m.kind) {
    case 'array':
      return { kind: 'array', pointer: m.pointer, valuesBase: m.values_base, stride: m.stride, maxEntries: m.max_entries };
    case 'percpu_array':
      return { kind: 'percpu_array', pointer: m.pointer, valuesBase: m.values_base, stride: m.stride, cpuStride: m.cpu_stride, maxEntries: m.max_entries };
    case 'array_of_maps':
      return { kind: 'array_of_maps', pointer: m.pointer, slotsBase: m.slots_base, maxEntries: m.max_entries };
    case 'hash':
      return {
        kind: 'hash',
        pointer: m.pointer,
        keySize: m.key_size,
        seed: m.seed,
        capacity: m.capacity,
        slotsCell: m.slots_cell,
        keysInSlots: m.keys_in_slots,
        valueOffset: m.value_offset,
        ...(m.cpu_stride !== undefined && { cpuStride: m.cpu_stride }),
        ...(m.ref_offset !== undefined && { refOffset: m.ref_offset }),
      };
  }
}

/**
 * The jit service's core: a validated request in, the reply out. Pure (no NATS): decode the
 * instructions (EINVAL on malformed bytes), compile (EINVAL on what cannot be compiled) with the
 * request's `maps`, `inline_kernel_data`, `typed_helpers` and `probe_loads` as the compile options of those names.
 */
export function compileRequest(request: JitRequest): JitReply {
  const insns = decode(fromBase64(request.insns, 'insns'));
  const memory = request.memory ?? {};
  const compiled = compile(insns, {
    memory: {
      ...(memory.initial !== undefined && { initial: memory.initial }),
      ...(memory.maximum !== undefined && { maximum: memory.maximum }),
      ...(memory.shared !== undefined && { shared: memory.shared }),
    },
    ...(request.maps !== undefined && { maps: request.maps.map(inlineMap) }),
    ...(request.inline_kernel_data !== undefined && { inlineKernelData: request.inline_kernel_data }),
    ...(request.typed_helpers !== undefined && { typedHelpers: request.typed_helpers }),
    ...(request.probe_loads !== undefined && { probeLoads: request.probe_loads }),
  });
  const { stats, needs } = compiled;
  return {
    module: toBase64(compiled.bytes),
    stats: {
      compile_ms: stats.compileMs,
      module_bytes: stats.moduleBytes,
      functions: stats.functions,
      instructions: stats.instructions,
      structured: stats.structured,
      vectorized_loops: stats.vectorizedLoops,
    },
    imports: {
      helpers: [...needs.helpers],
      kfuncs: [...needs.kfuncs],
      ld_packet: needs.ldPacket,
      callx: needs.callx,
      tail_call: needs.tailCall,
    },
  };
}
