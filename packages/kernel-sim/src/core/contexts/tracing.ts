import type { Arena } from '@bpfhive/maps-store';
import { BpfError, MAX_BPF_FUNC_ARGS } from '@bpfhive/uapi';
import { ArenaBlock } from '../memory/regions.js';

/**
 * Contexts of the tracing program types. The simulated world encodes pt_regs (kprobes, as uapi's
 * PT_REGS lays it out) and tracepoint records (their format files) as bytes; the kernel places
 * those bytes in the arena as they are. Raw tracepoint and fentry/fexit contexts are arrays of
 * u64 arguments (RAW_TP_ARGS), built here.
 */

/** A context given as bytes (pt_regs, a tracepoint record, a SYSCALL program's buffer), copied into the arena. */
export function placeContext(arena: Arena, bytes: Uint8Array): ArenaBlock {
  const block = ArenaBlock.alloc(arena, bytes.length);
  block.bytes.set(bytes);
  return block;
}

/** u64 args[n], n ≤ 12 (MAX_BPF_FUNC_ARGS), plus fexit's return value after them. */
export function buildArgsContext(arena: Arena, args: readonly bigint[]): ArenaBlock {
  if (args.length > MAX_BPF_FUNC_ARGS + 1) throw new BpfError('EINVAL', `a tracing context holds at most ${MAX_BPF_FUNC_ARGS} arguments and a return value, got ${args.length}`);
  const bytes = new Uint8Array(8 * args.length);
  const view = new DataView(bytes.buffer);
  args.forEach((value, i) => view.setBigUint64(i * 8, BigInt.asUintN(64, value), true));
  return placeContext(arena, bytes);
}
