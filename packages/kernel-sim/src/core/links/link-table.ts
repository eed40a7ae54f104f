import { AttachType, BpfError, LinkType, ProgType, parseAttachType, progTypeName } from '@bpfhive/uapi';
import { PinRefs } from '../programs/pin-refs.js';
import type { LoadedProgram } from '../programs/program.js';
import { checkAttachType } from './attach-check.js';
import { attachCgroup } from './attach-cgroup.js';
import { attachTcx } from './attach-tcx.js';
import { tracingAttach } from './attach-tracing.js';
import { attachXdp } from './attach-xdp.js';
import { type AttachFunction, type Attachment, linkError } from './attachment.js';
import type { AttachTargets, LinkCreateAttr, LinkUpdateAttr } from './attr.js';
import { AttachFlags } from './flags.js';
import { HookKeys, type HookKey, HookPoints } from './hook-points.js';
import { type LinkInfo, linkInfo } from './info.js';
import { BpfLink, type LinkTarget } from './link.js';

/** What links need of the kernel's program table (the Kernel has these). */
export interface LinkPrograms {
  /** Takes a reference on program `id`; ENOENT when there is none. */
  hold(id: number): LoadedProgram;
  /** Drops a reference. */
  close(id: number): void;
  /** The program with this id; ENOENT when there is none. */
  program(id: number): LoadedProgram;
}

/** The program types link_create attaches to cgroups (cgroup_bpf_link_attach). */
const CGROUP_TYPES = new Set<number>([
  ProgType.CGROUP_SKB, ProgType.CGROUP_SOCK, ProgType.CGROUP_SOCK_ADDR, ProgType.SOCK_OPS, ProgType.CGROUP_DEVICE, ProgType.CGROUP_SYSCTL, ProgType.CGROUP_SOCKOPT,
]);

/** Link types Linux can detach (their ops have .detach); the perf, raw tracepoint and tracing links cannot. */
const DETACHABLE = new Set<number>([LinkType.XDP, LinkType.TCX, LinkType.CGROUP, LinkType.NETNS, LinkType.NETKIT]);
/** Link types whose program link_update may replace (their ops have .update_prog). */
const UPDATABLE = new Set<number>([LinkType.XDP, LinkType.TCX, LinkType.CGROUP, LinkType.NETNS, LinkType.NETKIT, LinkType.ITER]);

/** The attach points a link occupies (kprobe_multi: one per function). */
function pointsOf(target: LinkTarget): HookKey[] {
  switch (target.kind) {
    case 'xdp':
      return [HookKeys.xdp(target.ifindex, target.mode)];
    case 'tcx':
      return [HookKeys.tc(target.ifindex, target.direction)];
    case 'cgroup':
      return [HookKeys.cgroup(target.cgroupId, target.attachType)];
    case 'tracepoint':
      return [HookKeys.tracepoint(target.category, target.name)];
    case 'kprobe':
      return [HookKeys.kprobe(target.func.name, target.retprobe)];
    case 'kprobe_multi':
      return target.funcs.map((f) => HookKeys.kprobe(f.name, target.retprobe));
    case 'raw_tracepoint':
      return [HookKeys.rawTracepoint(target.name)];
    case 'tracing':
      return [HookKeys.fentry(target.func.name, target.exit)];
    case 'perf_event':
      return [HookKeys.perfEvent(target.event.id)];
  }
}

/**
 * The kernel's links (BPF_LINK_CREATE, BPF_LINK_UPDATE, BPF_LINK_DETACH, link info and
 * get_next_id): ids from 1, never reused; each link holds its program. Creation runs Linux's
 * checks (bpf_prog_attach_check_attach_type, then the hook kind's attach function) and changes
 * nothing unless all pass. The attach points hooks read are `points`.
 *
 * Lifetime: a link lives while its creator's handle is open or it is pinned (each pin a
 * reference, as bpf_obj_pin takes one). `detach` takes a link off its hook and drops its program,
 * leaving a defunct link that info still describes; `close` (close(2) of the creator's handle)
 * and the last `unpin` free it once the other is gone too: detached if needed, and forgotten.
 */
export class LinkTable {
  readonly points: HookPoints;
  readonly #links = new Map<number, BpfLink>();
  /** Links whose creator's handle is still open. */
  readonly #handles = new Set<number>();
  readonly #pins = new PinRefs('link');
  #nextId = 1;

  constructor(
    private readonly programs: LinkPrograms,
    private readonly targets: AttachTargets,
    points = new HookPoints(),
  ) {
    this.points = points;
  }

  /** BPF_LINK_CREATE: the new link (its id is the attach handle). */
  create(attr: LinkCreateAttr): BpfLink {
    const attachType = parseAttachType(attr.attach_type);
    if (attachType === undefined) throw linkError('EINVAL', `unknown attach_type ${JSON.stringify(attr.attach_type)}`);
    if (attachType === AttachType.STRUCT_OPS) throw linkError('EOPNOTSUPP', 'struct_ops links are not simulated');
    const program = this.#hold(attr.prog_id, 'prog_id');
    try {
      checkAttachType(program, attachType);
      const attach = this.#attachFunction(program, attachType);
      const attachment: Attachment = attach({ targets: this.targets, points: this.points, link: (id) => this.#links.get(id) }, program, attr, attachType);
      const link = new BpfLink(this.#nextId++, attachment.type, attachType, program, attachment.target);
      for (const { point, index } of attachment.places) this.points.insert(point, link, index);
      this.#links.set(link.id, link);
      this.#handles.add(link.id);
      return link;
    } catch (e) {
      this.programs.close(program.id);
      throw e;
    }
  }

  #attachFunction(program: LoadedProgram, attachType: number): AttachFunction {
    switch (program.type) {
      case ProgType.XDP:
        return attachXdp;
      case ProgType.SCHED_CLS:
        if (attachType === AttachType.TCX_INGRESS || attachType === AttachType.TCX_EGRESS) return attachTcx;
        throw linkError('EOPNOTSUPP', 'netkit devices are not simulated');
      case ProgType.LSM:
      case ProgType.EXT:
        throw linkError('EOPNOTSUPP', 'LSM and freplace programs are not simulated');
      case ProgType.SK_LOOKUP:
      case ProgType.FLOW_DISSECTOR:
        throw linkError('EOPNOTSUPP', 'netns links are not simulated');
      default: {
        if (CGROUP_TYPES.has(program.type)) return attachCgroup;
        const tracing = tracingAttach(program, attachType);
        if (tracing) return tracing;
        throw linkError('EINVAL', `${progTypeName(program.type) ?? program.type} programs cannot be linked`);
      }
    }
  }

  /** The program with this id, or undefined (for privilege checks before create and update). */
  programOf(id: number): LoadedProgram | undefined {
    try {
      return this.programs.program(id);
    } catch {
      return undefined;
    }
  }

  /** The link with this id; ENOENT when there is none. */
  get(id: number): BpfLink {
    const link = this.#links.get(id);
    if (!link) throw new BpfError('ENOENT', `link ${id}: no such link`);
    return link;
  }

  /**
   * BPF_LINK_UPDATE: replaces the link's program atomically. flags other than BPF_F_REPLACE, or an
   * old_prog_id without it, EINVAL; a link kind without update_prog (perf, raw tracepoint,
   * tracing) EINVAL; a detached link ENOLINK; with BPF_F_REPLACE, a link no longer running
   * old_prog_id EPERM; a new program of another type (or, for XDP, another expected_attach_type)
   * EINVAL. Program ids naming nothing are EBADF, as bad fds are.
   */
  update(id: number, attr: LinkUpdateAttr): void {
    const flags = attr.flags ?? 0;
    if ((flags & ~AttachFlags.REPLACE) !== 0) throw new BpfError('EINVAL', `link_update: flags 0x${flags.toString(16)}: only BPF_F_REPLACE`);
    const replace = (flags & AttachFlags.REPLACE) !== 0;
    if (!replace && attr.old_prog_id) throw new BpfError('EINVAL', 'link_update: old_prog_id needs BPF_F_REPLACE');
    const link = this.get(id);
    const next = this.#hold(attr.new_prog_id, 'new_prog_id');
    try {
      if (replace) this.#exists(attr.old_prog_id ?? 0, 'old_prog_id');
      if (!UPDATABLE.has(link.type)) throw new BpfError('EINVAL', `link_update: ${linkInfo(link).type_name} links cannot change their program`);
      if (link.detached) throw new BpfError('ENOLINK', `link_update: link ${id} is detached`);
      if (replace && link.program.id !== attr.old_prog_id) throw new BpfError('EPERM', `link_update: link ${id} runs program ${link.program.id}, not ${attr.old_prog_id}`);
      const old = link.program;
      if (next.type !== old.type || (link.type === LinkType.XDP && next.expectedAttachType !== old.expectedAttachType)) {
        throw new BpfError('EINVAL', `link_update: program ${next.id} is not of the type (and expected attach type) of program ${old.id}`);
      }
      if (next === old) {
        this.programs.close(next.id);
        return;
      }
      link.program = next;
      this.programs.close(old.id);
    } catch (e) {
      this.programs.close(next.id);
      throw e;
    }
  }

  /** BPF_LINK_DETACH: off the hook, program dropped; the link stays (defunct) until closed. EOPNOTSUPP for kinds Linux cannot detach. */
  detach(id: number): void {
    const link = this.get(id);
    if (!DETACHABLE.has(link.type)) throw new BpfError('EOPNOTSUPP', `link_detach: ${linkInfo(link).type_name} links cannot be detached; close them`);
    this.#unhook(link);
  }

  /**
   * Closes the creator's handle: the link is detached if it is not, and forgotten, unless it is
   * pinned. EBADF when the handle is closed already (the link lives on through its pins).
   */
  close(id: number): void {
    const link = this.get(id);
    if (!this.#handles.delete(id)) throw new BpfError('EBADF', `close: the handle of link ${id} is closed already; it lives on through its pins (${this.#pins.of(id).join(', ')})`);
    this.#freeIfUnused(link);
  }

  /** A pin of the link at `path` keeps it alive; ENOENT for no such link, EEXIST when pinned there already. */
  pin(id: number, path: string): void {
    this.get(id);
    this.#pins.add(id, path);
  }

  /** Drops the pin at `path`; a link with no pin and no open handle is freed. ENOENT when it is not pinned there. */
  unpin(id: number, path: string): void {
    const link = this.get(id);
    this.#pins.remove(id, path);
    this.#freeIfUnused(link);
  }

  /** The paths link `id` is pinned at. */
  pinsOf(id: number): string[] {
    return this.#pins.of(id);
  }

  #freeIfUnused(link: BpfLink): void {
    if (this.#handles.has(link.id) || this.#pins.of(link.id).length > 0) return;
    this.#unhook(link);
    this.#links.delete(link.id);
  }

  /** Detaches every link on device `ifindex` (it was deleted), as unregister_netdevice does. */
  deviceGone(ifindex: number): void {
    for (const link of this.#links.values()) {
      const t = link.target;
      if ((t.kind === 'xdp' || t.kind === 'tcx') && t.ifindex === ifindex) this.#unhook(link);
    }
  }

  info(id: number): LinkInfo {
    return linkInfo(this.get(id));
  }

  /** BPF_LINK_GET_NEXT_ID: the smallest link id above `start`; ENOENT when there is none. */
  nextId(start: number): number {
    let next: number | undefined;
    for (const id of this.#links.keys()) if (id > start && (next === undefined || id < next)) next = id;
    if (next === undefined) throw new BpfError('ENOENT', `link_get_next_id: no link id above ${start}`);
    return next;
  }

  /** Every link, by id. */
  all(): BpfLink[] {
    return [...this.#links.values()];
  }

  #unhook(link: BpfLink): void {
    if (!link.detached) {
      for (const point of pointsOf(link.target)) this.points.remove(point, link);
      link.detached = true;
    }
    if (link.holdsProgram) {
      link.holdsProgram = false;
      this.programs.close(link.program.id);
    }
  }

  #hold(id: number, field: string): LoadedProgram {
    this.#exists(id, field);
    return this.programs.hold(id);
  }

  /** EBADF unless `id` names a program (a bad program fd, in Linux). */
  #exists(id: number, field: string): void {
    try {
      this.programs.program(id);
    } catch (e) {
      if (e instanceof BpfError && e.code === 'ENOENT') throw new BpfError('EBADF', `${field} ${id} names no program`, { cause: e });
      throw e;
    }
  }
}
