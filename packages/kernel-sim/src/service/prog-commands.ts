import {
  type CallerIdentity,
  type GetNextIdReply,
  type GetNextIdRequest,
  type ProgInfoReply,
  type ProgLoadReply,
  type ProgLoadRequest,
  type ProgTestRunReply,
  type ProgTestRunRequest,
  fromBase64,
  requireCapability,
  toBase64,
} from '@bpfhive/uapi';
import type { Kernel } from '../core/kernel.js';
import type { LoadedProgram } from '../core/programs/program.js';
import { progBtfAttr } from './prog-btf-attr.js';
import { progInfoReply } from './prog-info.js';
import type { ObjectOwners } from './object-owners.js';

/**
 * The program commands between their wire form (uapi's prog schemas: base64 bytes, bpf_attr
 * names) and the kernel's calls, for a caller the NATS server named (`who`, wire/identity.ts).
 * Requests arrive validated; errors are the kernel's BpfErrors, and EPERM where Linux checks a
 * capability: prog_load's checks are the kernel's (load/privileges.ts); a command on a program
 * by id needs its loader's account or CAP_SYS_ADMIN (ObjectOwners); get_next_id CAP_SYS_ADMIN.
 */

/** What the program commands work on. */
export interface ProgCommandContext {
  readonly kernel: Kernel;
  readonly owners: ObjectOwners;
  /** After a test_run, with the program still held: its ring buffer records go out (Hooks.afterTestRun). */
  readonly afterTestRun?: (program: LoadedProgram) => void;
}

export async function progLoad({ kernel, owners }: ProgCommandContext, who: CallerIdentity, r: ProgLoadRequest): Promise<ProgLoadReply> {
  const { program, log, logTrueSize, stats } = await kernel.load({
    caller: who,
    prog_type: r.prog_type,
    insns: fromBase64(r.insns, 'insns'),
    license: r.license,
    ...(r.prog_name !== undefined && { prog_name: r.prog_name }),
    ...(r.log_level !== undefined && { log_level: r.log_level }),
    ...(r.log_size !== undefined && { log_size: r.log_size }),
    ...(r.expected_attach_type !== undefined && { expected_attach_type: r.expected_attach_type }),
    ...(r.prog_flags !== undefined && { prog_flags: r.prog_flags }),
    ...progBtfAttr(r),
  });
  owners.record(program.id, who);
  return { prog_id: program.id, verified_insns: stats.processed_insns, stats: { ...stats }, ...(log !== undefined && { log }), ...(logTrueSize !== undefined && { log_true_size: logTrueSize }) };
}

/** test_run in slices (Kernel.testRunSliced): the kernel-sim answers other requests during a long `repeat`. */
export async function progTestRun({ kernel, owners, afterTestRun }: ProgCommandContext, who: CallerIdentity, id: number, r: ProgTestRunRequest): Promise<ProgTestRunReply> {
  owners.check(id, who, 'prog test_run');
  const program = kernel.hold(id);
  try {
    return await testRunReply(kernel, id, r);
  } finally {
    afterTestRun?.(program);
    kernel.close(id);
  }
}

async function testRunReply(kernel: Kernel, id: number, r: ProgTestRunRequest): Promise<ProgTestRunReply> {
  const result = await kernel.testRunSliced(id, {
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

export function progInfo({ kernel, owners }: ProgCommandContext, who: CallerIdentity, id: number): ProgInfoReply {
  owners.check(id, who, 'prog info');
  return progInfoReply(kernel, id, who);
}

export function progClose({ kernel, owners }: ProgCommandContext, who: CallerIdentity, id: number): Record<string, never> {
  owners.check(id, who, 'prog close');
  // The loader's handle alone: a pin or a link may keep the program (EBADF for a second close).
  kernel.closeHandle(id);
  owners.forget(id);
  return {};
}

export function progGetNextId({ kernel }: ProgCommandContext, who: CallerIdentity, r: GetNextIdRequest): GetNextIdReply {
  requireCapability(who, 'CAP_SYS_ADMIN', 'prog_get_next_id');
  return { next_id: kernel.nextId(r.start_id) };
}
