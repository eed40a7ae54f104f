import { StackIdFlag, StackTraceMap } from '@bpfhive/maps-store';
import { HelperId } from '@bpfhive/uapi';
import { type HelperDef, type KernelServices, mapArg, negErrno, ptr, runOf, u32 } from './common.js';

/** BPF_F_USER_BUILD_ID: bpf_get_stack fills struct bpf_stack_build_id entries (user stacks only). */
const BPF_F_USER_BUILD_ID = 1 << 11;
const GET_STACK_FLAGS = StackIdFlag.SKIP_FIELD_MASK | StackIdFlag.USER_STACK | BPF_F_USER_BUILD_ID;
/** sizeof(struct bpf_stack_build_id) and its status for an entry without a build id: the ip stands alone. */
const BUILD_ID_SIZE = 32;
const BPF_STACK_BUILD_ID_IP = 2;
/** sysctl kernel.perf_event_max_stack's default. */
const MAX_STACK = 127;

/**
 * bpf_get_stackid and bpf_get_stack (kernel/bpf/stackmap.c) over the stacks the hook recorded
 * where it fired (RunState.stacks: a tracing event's kernel functions and its task's user
 * addresses, a perf sample's): the kernel stack, or with BPF_F_USER_STACK the user one, after
 * skipping `flags & 0xff` frames. Without a recorded stack (a test run) there is nothing to walk:
 * -EFAULT, as when get_perf_callchain has no trace. Build ids are not known, so a build-id entry
 * carries the ip with status BPF_STACK_BUILD_ID_IP, as the kernel's fallback does.
 */
export function stackHelpers(kernel: KernelServices): HelperDef[] {
  return [
    {
      id: HelperId.get_stackid,
      fn: ([, m, flags], env) => {
        const { map } = mapArg(kernel, m);
        if (!(map instanceof StackTraceMap)) throw new Error('bpf_get_stackid: the map is not a stack trace map');
        const bits = BigInt.asUintN(64, flags);
        if (bits > 0xffffffffn) return negErrno('EINVAL');
        const stacks = runOf(env).stacks;
        if (!stacks) return negErrno('EFAULT');
        const f = Number(bits);
        const ips = BigUint64Array.from((f & StackIdFlag.USER_STACK) !== 0 ? stacks.user : stacks.kernel);
        const buildIds = map.entrySize === BUILD_ID_SIZE ? buildIdEntries(ips.subarray(Math.min(ips.length, f & StackIdFlag.SKIP_FIELD_MASK))) : undefined;
        return BigInt(map.getStackId(ips, f, buildIds));
      },
    },
    {
      id: HelperId.get_stack,
      fn: ([, buf, size, flagsArg], env) => {
        const out = kernel.memory.bytes(ptr(buf), u32(size));
        const flags = Number(BigInt.asUintN(64, flagsArg) & 0xffffffffn);
        const buildId = (flags & BPF_F_USER_BUILD_ID) !== 0;
        const user = (flags & StackIdFlag.USER_STACK) !== 0;
        const elem = buildId ? BUILD_ID_SIZE : 8;
        const fail = (code: 'EINVAL' | 'EFAULT'): bigint => (out.fill(0), negErrno(code));
        if (BigInt.asUintN(64, flagsArg) !== BigInt(flags) || (flags & ~GET_STACK_FLAGS) !== 0 || (buildId && !user) || out.length % elem !== 0) return fail('EINVAL');
        const stacks = runOf(env).stacks;
        const all = stacks ? (user ? stacks.user : stacks.kernel) : [];
        const skip = flags & StackIdFlag.SKIP_FIELD_MASK;
        if (all.length <= skip) return fail('EFAULT');
        const ips = BigUint64Array.from(all.slice(skip, Math.min(all.length, MAX_STACK + skip, skip + out.length / elem)));
        const bytes = buildId ? buildIdEntries(ips) : new Uint8Array(ips.buffer);
        out.set(bytes);
        out.fill(0, bytes.length);
        return BigInt(bytes.length);
      },
    },
  ];
}

/** struct bpf_stack_build_id per ip, each BPF_STACK_BUILD_ID_IP with the ip (no build id known). */
function buildIdEntries(ips: BigUint64Array): Uint8Array {
  const out = new Uint8Array(ips.length * BUILD_ID_SIZE);
  const view = new DataView(out.buffer);
  ips.forEach((ip, i) => {
    view.setInt32(i * BUILD_ID_SIZE, BPF_STACK_BUILD_ID_IP, true);
    view.setBigUint64(i * BUILD_ID_SIZE + 24, ip, true);
  });
  return out;
}
