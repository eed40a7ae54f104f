import type { NatsConnection } from '@nats-io/transport-node';
import { Subjects, encode, toBase64 } from '@bpfhive/uapi';
import type { PrivilegedVerifyRequest } from '../core/load/privileges.js';
import type { ProgramVerifier, VerifyResult } from '../core/verify/types.js';
import { requestJson } from './request.js';

/**
 * The verifier port over `bpf.v1.internal.verify` (the verifier service, a queue group). The
 * request carries the program as submitted (base64), its license and type, the maps it names and
 * the loader's capabilities (`privileges`, absent for a loader with all of them);
 * the reply is the verifier's VerifyResult. An errno reply or a reply without a verdict is not an
 * acceptance: the kernel then refuses the program (see loadProgram).
 */
export class NatsVerifier implements ProgramVerifier {
  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs = 30_000,
  ) {}

  async verify(request: PrivilegedVerifyRequest): Promise<VerifyResult> {
    const body = {
      prog_type: request.prog_type,
      ...(request.expected_attach_type !== undefined && { expected_attach_type: request.expected_attach_type }),
      insns: toBase64(encode(request.insns)),
      license: request.license,
      ...(request.log_level !== undefined && { log_level: request.log_level }),
      maps: request.maps,
      ...(request.privileges !== undefined && { privileges: request.privileges }),
    };
    return (await requestJson(this.nc, Subjects.internalVerify, body, this.timeoutMs)) as VerifyResult;
  }
}
