import { AttachType, BpfError, LinkType } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness } from '../../testing/harness.js';
import { kernelTypeId } from '../../kbtf/kernel-btf.js';
import { KALLSYMS } from '../../world/index.js';
import { Simulation } from '../hooks/simulation.js';
import { worldTargets } from '../hooks/world-targets.js';
import type { LinkCreateAttr } from './attr.js';
import { AttachFlags, XdpFlags } from './flags.js';

/** A simulation with eth0 (ifindex 2) and loaders for the program types the tests attach; tracing programs are loaded for vfs_read. */
async function setup() {
  const h = kernelHarness();
  const sim = new Simulation(h.kernel);
  sim.createDevice({ name: 'eth0' });
  const load = async (prog_type: string, expected_attach_type?: string) =>
    (await h.load('r0 = 0\nexit', { prog_type, ...(expected_attach_type && { expected_attach_type }), ...(prog_type === 'tracing' && { attach_btf_id: kernelTypeId('vfs_read', 'FUNC') }) })).program.id;
  return { h, sim, links: sim.links, load };
}

/** The errno `create` fails with. */
function errnoOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    if (e instanceof BpfError) return e.code;
    throw e;
  }
  throw new Error('it did not fail');
}

describe('links - attach type checks (bpf_prog_attach_check_attach_type)', () => {
  it.each<[string, string, string | undefined, Partial<LinkCreateAttr>, string]>([
    ['an XDP program as tcx_ingress', 'xdp', undefined, { attach_type: 'tcx_ingress', target_ifindex: 2 }, 'EINVAL'],
    ['a tc program as xdp', 'sched_cls', undefined, { attach_type: 'xdp', target_ifindex: 2 }, 'EINVAL'],
    ['a sock_addr program loaded for connect4, as bind4', 'cgroup_sock_addr', 'cgroup_inet4_connect', { attach_type: 'cgroup_inet4_bind', target_fd: 1 }, 'EINVAL'],
    ['a cgroup skb program loaded for egress, as ingress', 'cgroup_skb', 'cgroup_inet_egress', { attach_type: 'cgroup_inet_ingress', target_fd: 1 }, 'EINVAL'],
    ['a tracepoint program as a kprobe_multi', 'tracepoint', undefined, { attach_type: 'trace_kprobe_multi' }, 'EINVAL'],
    ['a kprobe_multi program as perf_event', 'kprobe', 'trace_kprobe_multi', { attach_type: 'perf_event', target_name: 'vfs_read' }, 'EINVAL'],
    ['a tracing program loaded for fentry, as fexit', 'tracing', 'trace_fentry', { attach_type: 'trace_fexit', target_name: 'vfs_read' }, 'EINVAL'],
    ['an unknown attach type', 'xdp', undefined, { attach_type: 'no_such_hook' }, 'EINVAL'],
  ])('links - link_create refuses %s', async (_title, type, expected, attr, code) => {
    const { links, load } = await setup();
    const prog_id = await load(type, expected);
    expect(errnoOf(() => links.create({ prog_id, attach_type: 'xdp', ...attr }))).toBe(code);
  });

  it('links - a prog_id that names no program is EBADF, as a bad fd', async () => {
    const { links } = await setup();
    expect(errnoOf(() => links.create({ prog_id: 99, attach_type: 'xdp', target_ifindex: 2 }))).toBe('EBADF');
  });
});

describe('links - XDP (dev_xdp_attach)', () => {
  it.each<[string, Partial<LinkCreateAttr>, string]>([
    ['BPF_F_REPLACE', { flags: XdpFlags.REPLACE }, 'EINVAL'],
    ['two mode flags', { flags: XdpFlags.SKB_MODE | XdpFlags.DRV_MODE }, 'EINVAL'],
    ['an unknown device', { target_ifindex: 77 }, 'EINVAL'],
    ['hardware offload', { flags: XdpFlags.HW_MODE }, 'EOPNOTSUPP'],
    ['native mode on lo', { target_ifindex: 1, flags: XdpFlags.DRV_MODE }, 'EOPNOTSUPP'],
  ])('links - an XDP link with %s fails', async (_title, attr, code) => {
    const { links, load } = await setup();
    const prog_id = await load('xdp');
    expect(errnoOf(() => links.create({ prog_id, attach_type: 'xdp', target_ifindex: 2, ...attr }))).toBe(code);
  });

  it('links - one XDP link per device: a second is EBUSY, one in the other mode EEXIST; lo defaults to generic mode', async () => {
    const { links, load } = await setup();
    const [a, b] = [await load('xdp'), await load('xdp')];
    const link = links.create({ prog_id: a, attach_type: 'xdp', target_ifindex: 2 });
    expect(links.info(link.id).xdp).toEqual({ ifindex: 2, mode: 'drv' });
    expect(errnoOf(() => links.create({ prog_id: b, attach_type: 'xdp', target_ifindex: 2 }))).toBe('EBUSY');
    expect(errnoOf(() => links.create({ prog_id: b, attach_type: 'xdp', target_ifindex: 2, flags: XdpFlags.SKB_MODE }))).toBe('EEXIST');
    expect(links.info(links.create({ prog_id: b, attach_type: 'xdp', target_ifindex: 1 }).id).xdp).toEqual({ ifindex: 1, mode: 'skb' });
  });

  it('links - a DEVMAP program cannot attach to a device', async () => {
    const { links, load } = await setup();
    const prog_id = await load('xdp', 'xdp_devmap');
    expect(errnoOf(() => links.create({ prog_id, attach_type: 'xdp', target_ifindex: 2 }))).toBe('EINVAL');
  });
});

describe('links - TCX (bpf_mprog)', () => {
  it('links - BPF_F_BEFORE puts a program first, BPF_F_AFTER with a relative id right after it', async () => {
    const { links, load } = await setup();
    const [a, b, c] = [await load('sched_cls'), await load('sched_cls'), await load('sched_cls')];
    const tcx = { attach_type: 'tcx_ingress', target_ifindex: 2 } as const;
    links.create({ prog_id: a, ...tcx });
    links.create({ prog_id: b, ...tcx, flags: AttachFlags.BEFORE });
    links.create({ prog_id: c, ...tcx, flags: AttachFlags.AFTER | AttachFlags.ID, tcx: { relative_id: b } });
    const point = [...links.points.keys()].find((k) => k.startsWith('tc:2:ingress'))!;
    expect(links.points.list(point).map((l) => l.program.id)).toEqual([b, c, a]);
    expect(links.points.revision(point)).toBe(4);
  });

  it.each<[string, (ids: { a: number; b: number }) => Partial<LinkCreateAttr>, string]>([
    ['an expected revision that is not the hook’s', () => ({ tcx: { expected_revision: 7 } }), 'ESTALE'],
    ['a relative program not on the hook', () => ({ flags: AttachFlags.BEFORE, tcx: { relative_id: 99 } }), 'ENOENT'],
    ['a relative id without BEFORE or AFTER', ({ a }) => ({ tcx: { relative_id: a } }), 'EINVAL'],
    ['BEFORE and AFTER together', () => ({ flags: AttachFlags.BEFORE | AttachFlags.AFTER }), 'EINVAL'],
    ['BPF_F_REPLACE', () => ({ flags: AttachFlags.REPLACE }), 'EINVAL'],
    ['the same program again', ({ a }) => ({ prog_id: a }), 'EEXIST'],
    ['an unknown device', () => ({ target_ifindex: 77 }), 'ENODEV'],
  ])('links - a TCX link with %s fails', async (_title, attr, code) => {
    const { links, load } = await setup();
    const [a, b] = [await load('sched_cls'), await load('sched_cls')];
    links.create({ prog_id: a, attach_type: 'tcx_egress', target_ifindex: 2 });
    expect(errnoOf(() => links.create({ prog_id: b, attach_type: 'tcx_egress', target_ifindex: 2, ...attr({ a, b }) }))).toBe(code);
  });
});

describe('links - cgroups, tracepoints, probes, fentry', () => {
  it.each<[string, string, string | undefined, Partial<LinkCreateAttr>, string]>([
    ['cgroup links with flags', 'cgroup_skb', undefined, { attach_type: 'cgroup_inet_ingress', target_fd: 1, flags: AttachFlags.ALLOW_MULTI }, 'EINVAL'],
    ['a cgroup link without a cgroup', 'cgroup_skb', undefined, { attach_type: 'cgroup_inet_ingress' }, 'EBADF'],
    ['an unknown tracepoint', 'tracepoint', undefined, { attach_type: 'perf_event', target_name: 'syscalls/sys_enter_nope' }, 'ENOENT'],
    ['a tracepoint name without a category', 'tracepoint', undefined, { attach_type: 'perf_event', target_name: 'sys_enter_openat' }, 'EINVAL'],
    ['a kprobe on a function kallsyms lacks', 'kprobe', undefined, { attach_type: 'perf_event', target_name: 'do_nothing' }, 'ENOENT'],
    ['an unknown raw tracepoint', 'raw_tracepoint', undefined, { attach_type: 'trace_raw_tp', target_name: 'sys_enter_openat' }, 'ENOENT'],
    ['fentry on a BTF id that is not a FUNC', 'tracing', 'trace_fentry', { attach_type: 'trace_fentry', tracing: { target_btf_id: 1 } }, 'EINVAL'],
    ['fentry naming another function than the one it was loaded for', 'tracing', 'trace_fentry', { attach_type: 'trace_fentry', target_name: 'vfs_write' }, 'EINVAL'],
    ['kprobe_multi cookies not one per symbol', 'kprobe', 'trace_kprobe_multi', { attach_type: 'trace_kprobe_multi', kprobe_multi: { syms: ['vfs_read', 'vfs_write'], cookies: [1] } }, 'EINVAL'],
    ['fmod_ret', 'tracing', 'modify_return', { attach_type: 'modify_return', target_name: 'vfs_read' }, 'EOPNOTSUPP'],
  ])('links - %s fail', async (_title, type, expected, attr, code) => {
    const { links, load } = await setup();
    const prog_id = await load(type, expected);
    expect(errnoOf(() => links.create({ prog_id, attach_type: 'xdp', ...attr }))).toBe(code);
  });

  it('links - fentry by BTF id and fexit by name name the same kallsyms function; info says which', async () => {
    const { links, load, sim } = await setup();
    const vfsRead = KALLSYMS.find((s) => s.name === 'vfs_read')!;
    const btfId = worldTargets(sim.world).btfFunctionId('vfs_read');
    expect(btfId).toBeGreaterThan(0);
    const entry = links.create({ prog_id: await load('tracing', 'trace_fentry'), attach_type: 'trace_fentry', tracing: { target_btf_id: btfId, cookie: 5 } });
    const exit = links.create({ prog_id: await load('tracing', 'trace_fexit'), attach_type: 'trace_fexit', target_name: 'vfs_read' });
    expect(links.info(entry.id)).toMatchObject({ type: LinkType.TRACING, tracing: { attach_type: AttachType.TRACE_FENTRY, target_btf_id: btfId, target_name: 'vfs_read', cookie: 5 } });
    expect(links.info(exit.id).tracing).toMatchObject({ target_btf_id: btfId, attach_type: AttachType.TRACE_FEXIT });
    expect(entry.target).toMatchObject({ func: { address: vfsRead.address } });
  });

  it('links - perf_event info names the tracepoint, or the kprobe and whether it fires on return', async () => {
    const { links, load } = await setup();
    const tp = links.create({ prog_id: await load('tracepoint'), attach_type: 'perf_event', target_name: 'syscalls:sys_enter_openat', perf_event: { bpf_cookie: 3 } });
    const kretprobe = links.create({ prog_id: await load('kprobe'), attach_type: 'perf_event', target_name: 'do_sys_openat2', retprobe: true });
    expect(links.info(tp.id)).toMatchObject({ type: LinkType.PERF_EVENT, perf_event: { type: 5, tracepoint: { tp_name: 'sys_enter_openat', cookie: 3 } } });
    expect(links.info(kretprobe.id).perf_event).toMatchObject({ type: 4, kprobe: { func_name: 'do_sys_openat2', addr: `0x${KALLSYMS.find((s) => s.name === 'do_sys_openat2')!.address.toString(16)}` } });
  });
});

describe('links - update, detach, close, lifetimes', () => {
  it('links - a link holds its program: closing the program leaves it loaded until the link closes', async () => {
    const { h, links, load } = await setup();
    const prog_id = await load('xdp');
    const link = links.create({ prog_id, attach_type: 'xdp', target_ifindex: 2 });
    h.kernel.close(prog_id);
    expect(h.kernel.program(prog_id).id).toBe(prog_id);
    links.close(link.id);
    expect(() => h.kernel.program(prog_id)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => links.info(link.id)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('links - detach takes the link off its hook and drops its program; the link stays, defunct, until closed', async () => {
    const { h, links, load } = await setup();
    const prog_id = await load('xdp');
    const link = links.create({ prog_id, attach_type: 'xdp', target_ifindex: 2 });
    h.kernel.close(prog_id);
    links.detach(link.id);
    expect(() => h.kernel.program(prog_id)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(links.info(link.id)).toMatchObject({ detached: true, prog_id, xdp: { ifindex: 0 } });
    expect(errnoOf(() => links.update(link.id, { new_prog_id: prog_id }))).toBe('EBADF');
    const other = await load('xdp');
    expect(errnoOf(() => links.update(link.id, { new_prog_id: other }))).toBe('ENOLINK');
    // The hook is free again.
    links.create({ prog_id: other, attach_type: 'xdp', target_ifindex: 2 });
  });

  it('links - update swaps the program; BPF_F_REPLACE with a stale old program is EPERM; another type EINVAL', async () => {
    const { h, links, load } = await setup();
    const [a, b, tc] = [await load('xdp'), await load('xdp'), await load('sched_cls')];
    const link = links.create({ prog_id: a, attach_type: 'xdp', target_ifindex: 2 });
    expect(errnoOf(() => links.update(link.id, { new_prog_id: b, flags: AttachFlags.REPLACE, old_prog_id: b }))).toBe('EPERM');
    expect(errnoOf(() => links.update(link.id, { new_prog_id: tc }))).toBe('EINVAL');
    expect(errnoOf(() => links.update(link.id, { new_prog_id: b, old_prog_id: a }))).toBe('EINVAL');
    links.update(link.id, { new_prog_id: b, flags: AttachFlags.REPLACE, old_prog_id: a });
    expect(link.program.id).toBe(b);
    h.kernel.close(a);
    expect(() => h.kernel.program(a)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('links - perf_event, raw tracepoint and tracing links cannot be detached or updated (EOPNOTSUPP, EINVAL), only closed', async () => {
    const { links, load } = await setup();
    const prog_id = await load('tracepoint');
    const link = links.create({ prog_id, attach_type: 'perf_event', target_name: 'sched/sched_switch' });
    expect(errnoOf(() => links.detach(link.id))).toBe('EOPNOTSUPP');
    expect(errnoOf(() => links.update(link.id, { new_prog_id: prog_id }))).toBe('EINVAL');
    links.close(link.id);
    expect([...links.points.keys()]).toEqual([]);
  });

  it('links - deleting a device detaches its links; link_get_next_id walks the ids', async () => {
    const { sim, links, load } = await setup();
    const xdp = links.create({ prog_id: await load('xdp'), attach_type: 'xdp', target_ifindex: 2 });
    const tc = links.create({ prog_id: await load('sched_cls'), attach_type: 'tcx_egress', target_ifindex: 2 });
    sim.deleteDevice('eth0');
    expect([links.info(xdp.id).detached, links.info(tc.id).detached]).toEqual([true, true]);
    expect([links.nextId(0), links.nextId(xdp.id)]).toEqual([xdp.id, tc.id]);
    expect(errnoOf(() => links.nextId(tc.id))).toBe('ENOENT');
  });
});

describe('links - pins', () => {
  it('links - a pinned link outlives its creator: closing link and program handles leaves it on its hook; the last unpin frees both', async () => {
    const { h, links, load } = await setup();
    const prog_id = await load('xdp');
    const link = links.create({ prog_id, attach_type: 'xdp', target_ifindex: 2 });
    links.pin(link.id, '/sys/fs/bpf/l1');
    links.pin(link.id, '/sys/fs/bpf/l2');
    h.kernel.closeHandle(prog_id);
    links.close(link.id);
    expect(links.info(link.id)).toMatchObject({ detached: false, prog_id });
    expect([...links.points.keys()]).toHaveLength(1);
    expect(links.pinsOf(link.id)).toEqual(['/sys/fs/bpf/l1', '/sys/fs/bpf/l2']);
    links.unpin(link.id, '/sys/fs/bpf/l1');
    expect(links.info(link.id).detached).toBe(false);
    links.unpin(link.id, '/sys/fs/bpf/l2');
    expect(errnoOf(() => links.info(link.id))).toBe('ENOENT');
    expect([...links.points.keys()]).toEqual([]);
    expect(errnoOf(() => h.kernel.program(prog_id))).toBe('ENOENT');
  });

  it('links - a second close of a pinned link is EBADF; a path twice is EEXIST; an unknown pin ENOENT; unpinning with the handle open keeps the link', async () => {
    const { links, load } = await setup();
    const link = links.create({ prog_id: await load('xdp'), attach_type: 'xdp', target_ifindex: 2 });
    links.pin(link.id, '/sys/fs/bpf/l');
    expect(errnoOf(() => links.pin(link.id, '/sys/fs/bpf/l'))).toBe('EEXIST');
    expect(errnoOf(() => links.unpin(link.id, '/sys/fs/bpf/other'))).toBe('ENOENT');
    expect(errnoOf(() => links.pin(99, '/sys/fs/bpf/x'))).toBe('ENOENT');
    links.unpin(link.id, '/sys/fs/bpf/l');
    expect(links.info(link.id).detached).toBe(false);
    links.pin(link.id, '/sys/fs/bpf/l');
    links.close(link.id);
    expect(errnoOf(() => links.close(link.id))).toBe('EBADF');
  });
});
