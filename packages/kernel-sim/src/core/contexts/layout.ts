import { BpfError, type CtxLayout, type CtxMember } from '@bpfhive/uapi';

/**
 * Context layouts come from @bpfhive/uapi (progtypes/context.ts: XDP_MD, SK_BUFF, PT_REGS,
 * RAW_TP_ARGS, SOCK_ADDR, …), the one table the verifier reads too, so what the verifier
 * assumes is what the kernel builds. Pointer members (xdp_md.data, __sk_buff.data, …) hold arena
 * addresses, so programs read them without load rewriting (DESIGN.md §5).
 */

/** The part of a member the context writers need. */
export type FieldPlace = Pick<CtxMember, 'name' | 'offset' | 'size'>;

/** A member of a layout by name; a missing one is a bug in the caller (EFAULT). */
export function member(ctx: CtxLayout, name: string): CtxMember {
  const m = ctx.members.find((x) => x.name === name);
  if (!m) throw new BpfError('EFAULT', `context ${ctx.struct} has no member ${name}`);
  return m;
}

/** True when the layout has a member of that name. */
export const hasMember = (ctx: CtxLayout, name: string): boolean => ctx.members.some((x) => x.name === name);
