/**
 * Program loading (libbpf's bpf_object_load_prog): BPF_PROG_LOAD's attributes from a linked,
 * relocated ProgramSpec. The BTF ones (prog_btf_id, func_info, line_info, attach_btf_id) come
 * from prog-btf.ts.
 */
import { BpfError, type Instruction, LOG_SIZE_DEFAULT, LOG_SIZE_MAX, type ProgLoadRequest, ProgType, encode } from '@bpfhive/uapi';
import { type BpfClient, BpfSyscallError, BpfTimeoutError, BpfUnavailableError, VerifierError } from '../client/index.js';
import type { ProgramSpec } from '../object/index.js';
import { OBJ_NAME_MAX } from './maps.js';
import type { LoadOptions } from './types.js';

/** The most license text BPF_PROG_LOAD takes (the schema's limit). */
const LICENSE_MAX = 127;

/** BPF_PROG_LOAD's attributes, the instructions as bytes (the client sends them as base64). */
export type ProgLoadAttr = Omit<ProgLoadRequest, 'insns'> & { readonly insns: Uint8Array };

/** What the kernel-sim answered. */
export interface ProgLoadResult {
  readonly id: number;
  readonly log: string | undefined;
  readonly verifiedInsns: number;
}

/**
 * The log_size to retry with after ENOSPC, as libbpf grows its own buffer: at least twice the
 * last, at least the log_true_size the kernel reported, at most LOG_SIZE_MAX (what the wire
 * carries); undefined when it cannot grow any more.
 */
export function grownLogSize(last: number, trueSize: number | undefined): number | undefined {
  const next = Math.min(LOG_SIZE_MAX, Math.max(last * 2, trueSize ?? 0));
  return next > last ? next : undefined;
}

/**
 * BPF_PROG_LOAD's attributes: the program type (options.programType over the section's),
 * the instructions (little-endian, as the simulated kernel runs them), the license, the name
 * cut to 15 characters, kern_version and prog_flags when set, log_level when asked for.
 * Throws BpfError EINVAL for a program whose section names no type, as libbpf does.
 */
export function progLoadAttr(program: ProgramSpec, insns: readonly Instruction[], options: LoadOptions): ProgLoadAttr {
  const type = options.programType?.type ?? program.type;
  const expectedAttachType = options.programType ? options.programType.expectedAttachType : program.expectedAttachType;
  if (type === ProgType.UNSPEC) throw new BpfError('EINVAL', `missing BPF prog type, check ELF section name '${program.sectionName}'`);
  return {
    prog_type: type,
    insns: encode(insns),
    license: program.license.slice(0, LICENSE_MAX),
    prog_name: program.name.slice(0, OBJ_NAME_MAX),
    ...(expectedAttachType !== 0 && { expected_attach_type: expectedAttachType }),
    ...(program.flags !== 0 && { prog_flags: program.flags }),
    ...(program.kernelVersion !== undefined && { kern_version: program.kernelVersion }),
    ...(options.logLevel !== undefined && options.logLevel !== 0 && { log_level: options.logLevel, ...(options.logSize !== undefined && { log_size: options.logSize }) }),
  };
}

/**
 * BPF_PROG_LOAD; rejects with the kernel-sim's error (VerifierError with the log when refused).
 * A load without a log_level that the kernel refuses is loaded once more at log_level 1, so the
 * error carries the verifier's log, as libbpf's bpf_object_load_prog does (not after a timeout or
 * with no service: nothing refused it). With a log_level, a log that did not fit (ENOSPC) is
 * loaded again with a bigger log_size (grownLogSize); past LOG_SIZE_MAX the ENOSPC stands, with
 * the part of the log that fitted.
 */
export async function loadProgram(client: BpfClient, attr: ProgLoadAttr): Promise<ProgLoadResult> {
  let request = attr;
  let reply: Record<string, unknown>;
  for (;;) {
    try {
      reply = await client.bpf('PROG_LOAD', request);
      break;
    } catch (e) {
      if (!request.log_level && refusedWithoutLog(e)) {
        request = { ...request, log_level: 1 };
        continue;
      }
      if (!request.log_level || !(e instanceof VerifierError) || e.code !== 'ENOSPC') throw e;
      const size = grownLogSize(request.log_size || LOG_SIZE_DEFAULT, e.logTrueSize);
      if (size === undefined) throw e;
      request = { ...request, log_size: size };
    }
  }
  return {
    id: Number(reply.prog_id),
    log: typeof reply.log === 'string' ? reply.log : undefined,
    verifiedInsns: Number(reply.verified_insns ?? 0),
  };
}

/** A refusal of the kernel that came without a verifier log (not a timeout, not a missing service). */
function refusedWithoutLog(e: unknown): boolean {
  return e instanceof BpfSyscallError && !(e instanceof VerifierError) && !(e instanceof BpfTimeoutError) && !(e instanceof BpfUnavailableError);
}
