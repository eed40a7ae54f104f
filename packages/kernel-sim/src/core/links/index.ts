/**
 * Links (BPF_LINK_CREATE and friends): the link table, Linux's attach checks per hook kind, the
 * attach points hooks read, and bpf_link_info.
 */
export { LinkTable, type LinkPrograms } from './link-table.js';
export type { AttachTargets, LinkCreateAttr, LinkUpdateAttr } from './attr.js';
export { BpfLink, type LinkTarget, type ProbedFunction } from './link.js';
export { HookKeys, HookPoints, type HookKey } from './hook-points.js';
export { type LinkInfo, linkInfo } from './info.js';
export { checkAttachType, progTypeOfAttachType } from './attach-check.js';
export { ROOT_CGROUP } from './attach-cgroup.js';
export { AttachFlags, BPF_F_KPROBE_MULTI_RETURN, MAX_HOOK_PROGS, PerfEventType, XDP_FLAGS_MODES, XdpFlags } from './flags.js';
