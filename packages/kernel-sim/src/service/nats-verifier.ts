import type { NatsConnection } from '@nats-io/transport-node';
import { Subjects, encode, toBase64 } from '@bpfhive/uapi';
import type { PrivilegedVerifyRequest } from '../core/load/privileges.js';
import type { ProgramVerifier, VerifyResult } from '../core/verify/types.js';
import { VERIFY_BUDGET_MS, policyFor, requestIdempotent } from './idempotent-request.js';
import { requestJson } from './request.js';

/**
 * The verifier port over `bpf.v1.internal.verify` (the verifier service, a queue group). The
 * request carries the program as submitted (base64), its license and type, the maps it names and
 * the loader's capabilities (`privileges`, absent for a loader with all of them), and from its
 * BTF the functions and lines (func_info, line_info) and the prototype it attaches to (attach_func);
 * the reply is the verifier's VerifyResult. An errno reply or a reply without a verdict is not an
 * acceptance: the kernel then refuses the program (see loadProgram). A request lost with a
 * replica is sent again, within the budget (idempotent-request.ts).
 */
export class NatsVerifier implements ProgramVerifier {
  constructor(
    private readonly nc: NatsConnection,
    /** The most one verification may take, retries included (idempotent-request.ts). */
    private readonly budgetMs = VERIFY_BUDGET_MS,
  ) {}

  async verify(request: PrivilegedVerifyRequest): Promise<VerifyResult> {
    const body = {
      prog_type: request.prog_type,
      ...(request.expected_attach_type !== undefined && { expected_attach_type: request.expected_attach_type }),
      insns: toBase64(encode(request.insns)),
      license: request.license,
      ...(request.log_level !== undefined && { log_level: request.log_level }),
      ...(request.log_size !== undefined && { log_size: request.log_size }),
      maps: request.maps,
      ...(request.privileges !== undefined && { privileges: request.privileges }),
      ...(request.func_info && { func_info: request.func_info }),
      ...(request.line_info && { line_info: request.line_info }),
      ...(request.attach_func && { attach_func: request.attach_func }),
      ...(request.kernel_btf && { kernel_btf: request.kernel_btf }),
    };
    const policy = policyFor(request.insns.length, this.budgetMs);
    return (await requestIdempotent(Subjects.internalVerify, (timeoutMs) => requestJson(this.nc, Subjects.internalVerify, body, timeoutMs), policy)) as VerifyResult;
  }
}
