/**
 * References a program holds (the kernel's acquire_reference / release_reference): a ring
 * buffer record or a socket must be released on every path before the program exits
 * ("Unreleased reference id=N alloc_insn=M"), and every copy of a released pointer becomes
 * unusable.
 */
import type { Env } from './env.js';
import { VerifierError } from './errors.js';
import { forEachReg } from './packet.js';
import { markRegInvalid } from './reg-access.js';
import type { VerifierState } from './state.js';

/** A new reference acquired at the current instruction; returns its id. */
export function acquireReference(env: Env): number {
  const id = env.nextId();
  env.cur.refs = [...env.cur.refs, { id, insn: env.insnIdx }];
  return id;
}

/** Forgets reference `id` (a NULL check proved there is none); false when it is not held. */
export function releaseReferenceState(state: VerifierState, id: number): boolean {
  const i = state.refs.findIndex((r) => r.id === id);
  if (i < 0) return false;
  state.refs = state.refs.filter((_, j) => j !== i);
  return true;
}

/** Releases `refObjId`: the pointers holding it are invalid from now on; false when it was not held. */
export function releaseReference(env: Env, refObjId: number): boolean {
  if (!releaseReferenceState(env.cur, refObjId)) return false;
  forEachReg(env.cur, (r) => {
    if (r.refObjId === refObjId) markRegInvalid(env, r);
  });
  return true;
}

/**
 * Fails when references are still held or a lock is still taken where the program may leave
 * (check_resource_leak). `what` names the place: "BPF_EXIT instruction in main prog", "tail_call".
 */
export function checkResourceLeak(env: Env, checkLock: boolean, what: string): void {
  if (env.cur.activeRcuLock) {
    env.fail('EINVAL', what.startsWith('BPF_EXIT') ? 'bpf_rcu_read_unlock is missing' : `${what} cannot be used inside bpf_rcu_read_lock-ed region`);
  }
  if (checkLock && env.cur.lock) env.fail('EINVAL', `${what} cannot be used inside bpf_spin_lock-ed region`);
  // References held in a subprogram are checked when the main program exits.
  if (env.cur.curframe > 0) return;
  const refs = env.cur.refs;
  if (refs.length === 0) return;
  let first: string | undefined;
  for (const r of refs) {
    const line = `Unreleased reference id=${r.id} alloc_insn=${r.insn}`;
    first ??= line;
    env.verbose(`${line}\n`);
  }
  env.verbose(`${what} would lead to reference leak\n`);
  throw new VerifierError('EINVAL', first!);
}
