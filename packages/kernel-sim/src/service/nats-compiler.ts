import type { NatsConnection } from '@nats-io/transport-node';
import { compile } from '@bpfhive/jit';
import { type JitReply, JitReplySchema, Subjects, encode, fromBase64, toBase64, validateWire } from '@bpfhive/uapi';
import { withCallbackDispatcher } from '../core/compile/callbacks.js';
import type { CompileInput, CompiledModule, ProgramCompiler } from '../core/compile/types.js';
import { requestJson } from './request.js';

const MEMORY = { initial: 1, maximum: 65536, shared: true } as const;

/**
 * The compiler port over `bpf.v1.internal.jit` (the jit service, a queue group): the rewritten
 * program goes out, the module bytes and what they import come back (validated against the
 * reply schema). The service sends no IR, so the module's `wat()` compiles the same program in
 * this process (the same compiler, the same input: the same module) when first asked.
 */
export class NatsCompiler implements ProgramCompiler {
  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs = 30_000,
  ) {}

  async compile(input: CompileInput): Promise<CompiledModule> {
    const body = { insns: toBase64(encode(withCallbackDispatcher(input.insns))), ...(input.name && { prog_name: input.name }), memory: MEMORY };
    const reply = validateWire<JitReply>(JitReplySchema, await requestJson(this.nc, Subjects.internalJit, body, this.timeoutMs));
    const insns = withCallbackDispatcher(input.insns);
    return compiledFromReply(reply, () => compile(insns, { memory: MEMORY }).wat());
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
    stats: { compileMs: stats.compile_ms, moduleBytes: stats.module_bytes, functions: stats.functions, instructions: stats.instructions, structured: stats.structured },
    wat:
      wat ??
      (() => {
        throw new Error('the WAT of a module compiled by the jit service is not available; compile in process to print it');
      }),
  };
}
