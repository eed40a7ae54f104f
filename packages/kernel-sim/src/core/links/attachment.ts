import { BpfError } from '@bpfhive/uapi';
import type { LoadedProgram } from '../programs/program.js';
import type { AttachTargets, LinkCreateAttr } from './attr.js';
import type { HookKey, HookPoints } from './hook-points.js';
import type { BpfLink, LinkTarget } from './link.js';

/** Where a new link goes: its type and target, and the attach points it joins (at `index`, default last). */
export interface Attachment {
  /** enum bpf_link_type. */
  readonly type: number;
  readonly target: LinkTarget;
  readonly places: readonly { readonly point: HookKey; readonly index?: number }[];
}

/** What a hook kind's attach function may consult. */
export interface AttachContext {
  readonly targets: AttachTargets;
  readonly points: HookPoints;
  /** The live link with this id. */
  readonly link: (id: number) => BpfLink | undefined;
}

/**
 * One hook kind's link_create: checks the attributes and the target the way Linux's attach
 * function for that kind does, and says where the link goes, without changing anything
 * (the link table attaches only once every check passed).
 */
export type AttachFunction = (context: AttachContext, program: LoadedProgram, attr: LinkCreateAttr, attachType: number) => Attachment;

/** An errno error with link_create's prefix. */
export const linkError = (code: string, reason: string): BpfError => new BpfError(code, `link_create: ${reason}`);

/** EINVAL unless `flags` is 0 (the kinds that take no flags). */
export function noFlags(attr: LinkCreateAttr, what: string): void {
  if (attr.flags) throw linkError('EINVAL', `${what} links take no flags, got 0x${attr.flags.toString(16)}`);
}

/** u64 cookie from a JSON-safe integer. */
export const cookieOf = (value: number | undefined): bigint => BigInt(value ?? 0);
