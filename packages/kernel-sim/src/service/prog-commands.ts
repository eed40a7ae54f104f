import {
  type ProgInfoReply,
  type ProgLoadReply,
  type ProgLoadRequest,
  type ProgTestRunReply,
  type ProgTestRunRequest,
  fromBase64,
  toBase64,
} from '@bpfhive/uapi';
import type { Kernel } from '../core/kernel.js';

/**
 * The program commands between their wire form (uapi's prog schemas: base64 bytes, bpf_attr
 * names) and the kernel's calls. Requests arrive validated; errors are the kernel's BpfErrors.
 */

export async function progLoad(kernel: Kernel, r: ProgLoadRequest): Promise<ProgLoadReply> {
  const { program, log, stats } = await kernel.load({
    prog_type: r.prog_type,
    insns: fromBase64(r.insns, 'insns'),
    license: r.license,
    ...(r.prog_name !== undefined && { prog_name: r.prog_name }),
    ...(r.log_level !== undefined && { log_level: r.log_level }),
    ...(r.expected_attach_type !== undefined && { expected_attach_type: r.expected_attach_type }),
    ...(r.prog_flags !== undefined && { prog_flags: r.prog_flags }),
  });
  return { prog_id: program.id, verified_insns: stats.processed_insns, stats: { ...stats }, ...(log !== undefined && { log }) };
}

export function progTestRun(kernel: Kernel, id: number, r: ProgTestRunRequest): ProgTestRunReply {
  const result = kernel.testRun(id, {
    ...(r.data_in !== undefined && { data_in: fromBase64(r.data_in, 'data_in') }),
    ...(r.ctx_in !== undefined && { ctx_in: fromBase64(r.ctx_in, 'ctx_in') }),
    ...(r.data_size_out !== undefined && { data_size_out: r.data_size_out }),
    ...(r.ctx_size_out !== undefined && { ctx_size_out: r.ctx_size_out }),
    ...(r.repeat !== undefined && { repeat: r.repeat }),
    ...(r.flags !== undefined && { flags: r.flags }),
    ...(r.cpu !== undefined && { cpu: r.cpu }),
    ...(r.batch_size !== undefined && { batch_size: r.batch_size }),
  });
  return {
    retval: result.retval,
    duration: result.duration,
    ...(result.data_out && { data_out: toBase64(result.data_out), data_size_out: result.data_out.length }),
    ...(result.ctx_out && { ctx_out: toBase64(result.ctx_out), ctx_size_out: result.ctx_out.length }),
  };
}

export function progInfo(kernel: Kernel, id: number): ProgInfoReply {
  return kernel.info(id);
}

export function progClose(kernel: Kernel, id: number): Record<string, never> {
  kernel.close(id);
  return {};
}
