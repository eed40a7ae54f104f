import { type JitReply, type JitRequest, decode, fromBase64, toBase64 } from '@bpfhive/uapi';
import { compile } from '../compiler/compile.js';

/**
 * The jit service's core: a validated request in, the reply out. Pure (no NATS): decode the
 * instructions (EINVAL on malformed bytes), compile (EINVAL on what cannot be compiled).
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
