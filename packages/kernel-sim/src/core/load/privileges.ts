import { BpfError, type CallerIdentity, type Capability, type Instruction, progTypeName, progTypeSpec, requireCapability, slotIndex } from '@bpfhive/uapi';
import type { VerifyRequest } from '../verify/types.js';

/** BPF_MAXINSNS: the most instructions (8-byte slots) a loader without CAP_BPF may submit. */
export const BPF_MAXINSNS = 4096;

/**
 * A verify request with the loader's capabilities: the verifier's `privileges` (the wire's
 * bpf.v1.internal.verify field). Absent: a loader with every capability (an in-process embedder).
 */
export interface PrivilegedVerifyRequest extends VerifyRequest {
  readonly privileges?: readonly Capability[];
}

/**
 * bpf_prog_load's capability checks (kernel/bpf/syscall.c), in its order, for a caller the NATS
 * server named (wire/identity.ts): without CAP_BPF more than 4,096 instructions is E2BIG and any
 * type but socket_filter and cgroup_skb is EPERM; then the type's own capability (CAP_NET_ADMIN
 * for XDP, TC and most cgroup and socket types, CAP_PERFMON for tracing) is EPERM when missing.
 * CAP_SYS_ADMIN counts as every capability because callerIdentity widens it to all four.
 * Returns the capabilities the verifier applies its rules for.
 */
export function checkLoadPrivileges(caller: CallerIdentity, progType: number, insns: readonly Instruction[]): Capability[] {
  const caps = caller.capabilities;
  const name = progTypeName(progType) ?? String(progType);
  const slots = slotIndex(insns).at(-1)!;
  if (!caps.has('CAP_BPF') && slots > BPF_MAXINSNS) {
    throw new BpfError('E2BIG', `load program: ${slots} instructions is more than ${BPF_MAXINSNS}, the limit without CAP_BPF`);
  }
  const spec = progTypeSpec(progType);
  if (!spec?.unprivileged) requireCapability(caller, 'CAP_BPF', `load program (${name})`);
  if (spec?.capability) requireCapability(caller, spec.capability, `load program (${name})`);
  return [...caps].sort();
}
