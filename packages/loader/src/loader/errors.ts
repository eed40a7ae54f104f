import { errnoNumber } from '@bpfhive/uapi';
import { BpfSyscallError, VerifierError } from '../client/index.js';

/** What a load step was working on when it failed. */
export type LoadTarget =
  | { readonly kind: 'object' }
  | { readonly kind: 'map'; readonly name: string }
  | { readonly kind: 'program'; readonly name: string }
  | { readonly kind: 'extern'; readonly name: string };

/** An object the loader created and could not release (close, or unpin) while cleaning up. */
export interface Unreleased {
  readonly kind: 'map' | 'program';
  readonly name: string;
  readonly id: number;
  /** Why: the failed close, or "pinned at PATH" (the wire has no unpin). */
  readonly reason: string;
}

const ERRNO_EINVAL = errnoNumber('EINVAL')!;

function prefix(target: LoadTarget): string {
  switch (target.kind) {
    case 'object':
      return 'load object';
    case 'map':
      return `load map '${target.name}'`;
    case 'program':
      return `load program '${target.name}'`;
    case 'extern':
      return `resolve extern '${target.name}'`;
  }
}

/**
 * A collection failed to load: `load program 'xdp_prog': <why>`, `load map 'flows': <why>`.
 * The errno is the cause's (EINVAL when the cause carries none); `log` is the whole verifier
 * log when the kernel refused a program (the cause is then the VerifierError). Everything the
 * loader had created was released before this was thrown, except what `unreleased` lists.
 */
export class LoadError extends BpfSyscallError {
  /** The verifier log, when a program was refused with one. */
  readonly log: string | undefined;
  /** Objects the clean-up could not release (empty when everything was). */
  unreleased: readonly Unreleased[] = [];

  constructor(
    readonly target: LoadTarget,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const code = cause instanceof BpfSyscallError || hasCode(cause) ? cause.code : 'EINVAL';
    const errno = cause instanceof BpfSyscallError ? cause.errno : (errnoNumber(code) ?? ERRNO_EINVAL);
    super(code, `${prefix(target)}: ${reason}`, { cause, errno, ...(cause instanceof BpfSyscallError && cause.subject !== undefined && { subject: cause.subject }) });
    // A CO-RE relocation error explaining a refusal keeps the verifier's error as its cause.
    const verifier = cause instanceof VerifierError ? cause : cause instanceof Error && cause.cause instanceof VerifierError ? cause.cause : undefined;
    // An unresolved kfunc's refusal keeps the log as libbpf rewrites it.
    this.log = cause instanceof UnresolvedKfuncError && cause.log !== undefined ? cause.log : verifier?.log;
  }
}

/**
 * The kernel refused a program at the poisoned call of a weak kfunc nothing resolved
 * (kfunc-poison.ts): `kfunc 'NAME' is referenced but wasn't resolved (insn N)`, with the
 * refusal's errno, the refusal as its cause and the verifier log rewritten as libbpf rewrites it.
 */
export class UnresolvedKfuncError extends BpfSyscallError {
  constructor(
    readonly kfunc: string,
    reason: string,
    readonly log: string | undefined,
    refusal: BpfSyscallError,
  ) {
    super(refusal.code, reason, { cause: refusal, errno: refusal.errno, ...(refusal.subject !== undefined && { subject: refusal.subject }) });
  }
}

/** Collection.close() could not release some objects; `unreleased` says which and why. */
export class CloseError extends BpfSyscallError {
  constructor(readonly unreleased: readonly Unreleased[]) {
    super('EIO', `close: ${unreleased.length} object(s) not released: ${unreleased.map((u) => `${u.kind} '${u.name}' (id ${u.id}): ${u.reason}`).join('; ')}`);
  }
}

/** A BpfError-like value with an errno name (ObjectError, ElfError, BpfError). */
function hasCode(e: unknown): e is { code: string } {
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && errnoNumber(code) !== undefined;
}
