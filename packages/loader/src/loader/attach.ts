import { AttachType, ProgType } from '@bpfhive/uapi';
import type { ProgramSpec } from '../object/index.js';

/** BPF_LINK_CREATE's attributes (the wire's field names). */
export type LinkCreateAttr = Record<string, unknown>;

/** Program types whose section names their hook, so libbpf's bpf_program__attach needs nothing more. */
const SECTION_DRIVEN = new Set<number>([ProgType.TRACEPOINT, ProgType.RAW_TRACEPOINT, ProgType.KPROBE, ProgType.TRACING, ProgType.LSM]);

/**
 * What libbpf's bpf_program__attach (auto-attach) links a program to, from its section alone:
 * `tracepoint/CAT/NAME` (`tp/`), `raw_tp/NAME` (`raw_tracepoint/`), `kprobe/FN`, `kretprobe/FN`,
 * `ksyscall/NAME`, `kretsyscall/NAME`, `fentry/FN`, `fexit/FN`, `fmod_ret/FN`, `tp_btf/NAME`,
 * `lsm/HOOK`. Undefined where libbpf returns EOPNOTSUPP: a hook that needs a target the section
 * does not name (XDP and TC a device, cgroup programs a cgroup, socket filters a socket) or a bare
 * section (`SEC("kprobe")`); and for user-space probes, which bpfhive does not simulate (probeAttr).
 */
export function autoAttachAttr(program: ProgramSpec, progId: number): LinkCreateAttr | undefined {
  if (!SECTION_DRIVEN.has(program.type)) return undefined;
  const section = program.sectionName;
  const slash = section.indexOf('/');
  const to = program.attachTo ?? (slash < 0 ? '' : section.slice(slash + 1));
  if (to === '') return undefined;
  switch (program.type) {
    case ProgType.TRACEPOINT:
      return { prog_id: progId, attach_type: AttachType.PERF_EVENT, target_name: to };
    case ProgType.RAW_TRACEPOINT:
      return { prog_id: progId, attach_type: AttachType.TRACE_RAW_TP, target_name: to };
    case ProgType.KPROBE:
      return probeAttr(section.slice(0, slash), to, progId);
    default:
      return { prog_id: progId, attach_type: program.expectedAttachType, target_name: to };
  }
}

/**
 * KPROBE programs by their section's kind, as libbpf's attach_kprobe and attach_ksyscall link
 * them: `kprobe/FN`, `kretprobe/FN` on the kernel function; `ksyscall/NAME`, `kretsyscall/NAME`
 * on the system call's entry `__x64_sys_NAME` (bpfhive's kernel is x86-64 with syscall
 * wrappers). Undefined for the others: `uprobe/`, `uretprobe/` and `usdt/` probe user-space
 * binaries, which bpfhive does not simulate, and `kprobe.multi/`, `uprobe.multi/` take patterns.
 */
function probeAttr(kind: string, to: string, progId: number): LinkCreateAttr | undefined {
  const perfEvent = (target: string, retprobe: boolean): LinkCreateAttr => ({ prog_id: progId, attach_type: AttachType.PERF_EVENT, target_name: target, ...(retprobe && { retprobe: true }) });
  switch (kind) {
    case 'kprobe':
    case 'kretprobe':
      return perfEvent(to, kind === 'kretprobe');
    case 'ksyscall':
    case 'kretsyscall':
      return perfEvent(`__x64_sys_${to}`, kind === 'kretsyscall');
    default:
      return undefined;
  }
}

/**
 * BPF_LINK_CREATE's attributes for a program where its section says, as `autoAttachAttr`, and
 * beyond libbpf's auto-attach: `xdp` on the device `target.ifindex`, `tc`/`tcx/*` on that
 * device's TCX hook (ingress unless the section says egress), cgroup hooks on the root cgroup.
 * Throws when a device program is given no device.
 */
export function attachAttr(program: ProgramSpec, progId: number, target: { readonly ifindex?: number } = {}): LinkCreateAttr {
  const section = program.sectionName;
  const device = (): number => {
    if (target.ifindex === undefined) throw new Error(`program '${program.name}' (${section}) attaches to a device: give one`);
    return target.ifindex;
  };
  switch (program.type) {
    case ProgType.XDP:
      return { prog_id: progId, attach_type: AttachType.XDP, target_ifindex: device() };
    case ProgType.SCHED_CLS:
      return { prog_id: progId, attach_type: section.includes('egress') ? AttachType.TCX_EGRESS : AttachType.TCX_INGRESS, target_ifindex: device() };
    case ProgType.CGROUP_SOCK_ADDR:
    case ProgType.CGROUP_SKB:
    case ProgType.CGROUP_SOCK:
      return { prog_id: progId, attach_type: program.expectedAttachType, target_fd: 1 };
    default:
      return autoAttachAttr(program, progId) ?? { prog_id: progId, attach_type: program.expectedAttachType, target_name: program.attachTo ?? section.slice(section.indexOf('/') + 1) };
  }
}
