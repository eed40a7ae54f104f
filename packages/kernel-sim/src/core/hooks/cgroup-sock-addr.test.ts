import { describe, expect, it } from 'vitest';
import { type SocketDesc, decodeSockaddr, parseScenario } from '../../world/index.js';
import { kernelHarness } from '../../testing/harness.js';
import { serviceRewrite } from '../../testing/sock-addr-programs.js';
import { Simulation } from './simulation.js';

/**
 * A kube-proxy-like sock_addr program: 10.96.0.10:80 becomes 10.0.0.2:8080, 10.0.0.99 is refused
 * (return 0), anything else goes through untouched.
 */
const KUBEPROXY = serviceRewrite('10.96.0.10:80', '10.0.0.2:8080', '10.0.0.99');

/** A simulation with KUBEPROXY attached for `attachType` to cgroup 9, and task 40 in that cgroup. */
async function setup(attachType: 'cgroup_inet4_connect' | 'cgroup_inet4_bind') {
  const h = kernelHarness();
  const sim = new Simulation(h.kernel);
  const { program } = await h.load(KUBEPROXY, { prog_type: 'cgroup_sock_addr', expected_attach_type: attachType });
  sim.links.create({ prog_id: program.id, attach_type: attachType, target_fd: 9 });
  const task = sim.spawn({ pid: 40, comm: 'curl', cgroupId: 9n });
  const socket = (type: 'stream' | 'dgram' = 'stream'): { fd: number; desc: () => SocketDesc } => {
    const fd = sim.syscall(40, { syscall: 'socket', type }).ret!;
    return { fd, desc: () => task.fds.get(fd) as SocketDesc };
  };
  return { h, sim, task, socket };
}

/** The connect4 hook's runs and verdicts on cgroup 9. */
function verdicts(sim: Simulation): Record<string, number> {
  const counter = sim.hooks.counters.of('sock_addr', 'cgroup 9 cgroup_inet4_connect');
  return { runs: counter.runs, ...Object.fromEntries(counter.actions) };
}

describe('cgroup sock_addr hooks', () => {
  it('sock_addr connect4 - a rewritten address is where the socket connects, and what tcp_v4_connect gets', async () => {
    const { h, sim, socket } = await setup('cgroup_inet4_connect');
    const s = socket();
    const outcome = sim.syscall(40, { syscall: 'connect', fd: s.fd, addr: '10.96.0.10:80' });
    expect(outcome.ret).toBe(0);
    expect(s.desc().remote).toEqual({ address: '10.0.0.2', port: 8080 });
    const entry = outcome.events.find((e) => e.kind === 'func_entry' && e.func === 'tcp_v4_connect');
    expect(entry?.kind).toBe('func_entry');
    const [, kaddr, len] = entry!.kind === 'func_entry' ? entry!.args : [];
    expect(decodeSockaddr(h.kernel.arena.bytes.slice(Number(kaddr), Number(kaddr) + Number(len)))).toEqual({ family: 4, address: '10.0.0.2', port: 8080 });
    // The caller's own sockaddr (what __sys_connect's uservaddr points to) is left as it was.
    const sysEntry = outcome.events.find((e) => e.kind === 'func_entry' && e.func === '__sys_connect');
    const [, uaddr] = sysEntry!.kind === 'func_entry' ? sysEntry!.args : [];
    expect(decodeSockaddr(h.kernel.arena.bytes.slice(Number(uaddr), Number(uaddr) + 16)).address).toBe('10.96.0.10');
    expect(verdicts(sim)).toEqual({ runs: 1, ALLOW: 1 });
  });

  it('sock_addr connect4 - a program returning 0 fails the connect with EPERM before any port is taken or tcp_v4_connect runs', async () => {
    const { sim, socket } = await setup('cgroup_inet4_connect');
    const s = socket();
    const outcome = sim.syscall(40, { syscall: 'connect', fd: s.fd, addr: '10.0.0.99:443' });
    expect(outcome.ret).toBe(-1);
    expect(s.desc().remote).toBeUndefined();
    expect(s.desc().local).toBeUndefined();
    expect(outcome.events.some((e) => e.kind === 'func_entry' && e.func === 'tcp_v4_connect')).toBe(false);
    expect(verdicts(sim)).toEqual({ runs: 1, DENY: 1 });
    // The refused socket can still connect elsewhere.
    expect(sim.syscall(40, { syscall: 'connect', fd: s.fd, addr: '10.0.0.5:443' }).ret).toBe(0);
    expect(s.desc().remote).toEqual({ address: '10.0.0.5', port: 443 });
  });

  it('sock_addr connect4 - UDP connects are rewritten too; a task of another cgroup runs nothing', async () => {
    const { sim, socket } = await setup('cgroup_inet4_connect');
    const udp = socket('dgram');
    expect(sim.syscall(40, { syscall: 'connect', fd: udp.fd, addr: '10.96.0.10:80' }).ret).toBe(0);
    expect(udp.desc().remote).toEqual({ address: '10.0.0.2', port: 8080 });
    const other = sim.spawn({ pid: 41, comm: 'wget', cgroupId: 10n });
    const fd = sim.syscall(41, { syscall: 'socket' }).ret!;
    expect(sim.syscall(41, { syscall: 'connect', fd, addr: '10.0.0.99:443' }).ret).toBe(0);
    expect((other.fds.get(fd) as SocketDesc).remote).toEqual({ address: '10.0.0.99', port: 443 });
  });

  it('sock_addr connect4 - the root cgroup’s program runs after the task cgroup’s and sees its rewrite; its 0 is EPERM', async () => {
    const { h, sim, socket } = await setup('cgroup_inet4_connect');
    // On the root cgroup: refuse 10.0.0.2, the backend the first program rewrites to.
    const { program } = await h.load('r2 = *(u32 *)(r1 + 4)\nr0 = 1\nif r2 != 0x0200000a goto out\nr0 = 0\nout:\nexit', { prog_type: 'cgroup_sock_addr', expected_attach_type: 'cgroup_inet4_connect' });
    sim.links.create({ prog_id: program.id, attach_type: 'cgroup_inet4_connect', target_fd: 1 });
    const s = socket();
    expect(sim.syscall(40, { syscall: 'connect', fd: s.fd, addr: '10.96.0.10:80' }).ret).toBe(-1);
    expect(s.desc().remote).toBeUndefined();
    expect(sim.syscall(40, { syscall: 'connect', fd: s.fd, addr: '10.0.0.5:80' }).ret).toBe(0);
  });

  it('sock_addr bind4 - the socket binds to the rewritten address; a refused bind is EPERM and leaves it unbound', async () => {
    const { sim, socket } = await setup('cgroup_inet4_bind');
    const a = socket();
    expect(sim.syscall(40, { syscall: 'bind', fd: a.fd, addr: '10.96.0.10:80' }).ret).toBe(0);
    expect(a.desc().local).toEqual({ address: '10.0.0.2', port: 8080 });
    const b = socket();
    expect(sim.syscall(40, { syscall: 'bind', fd: b.fd, addr: '10.0.0.99:80' }).ret).toBe(-1);
    expect(b.desc().local).toBeUndefined();
  });

  it('sock_addr connect4 - a scenario’s connects go through the hook too (it stays with the world the scenario brings)', async () => {
    const { sim } = await setup('cgroup_inet4_connect');
    sim.runScenario(parseScenario(`
name: connects
processes:
  - { pid: 70, comm: curl, cgroup: 9 }
timeline:
  - { at: 1ms, pid: 70, syscall: socket }
  - { at: 1ms, pid: 70, syscall: connect, fd: 3, addr: 10.96.0.10:80 }
  - { at: 2ms, pid: 70, syscall: socket }
  - { at: 2ms, pid: 70, syscall: connect, fd: 4, addr: 10.0.0.99:80 }
`));
    const fds = sim.world.processes.tasks.get(70).fds;
    expect((fds.get(3) as SocketDesc).remote).toEqual({ address: '10.0.0.2', port: 8080 });
    expect((fds.get(4) as SocketDesc).remote).toBeUndefined();
    expect(verdicts(sim)).toEqual({ runs: 2, ALLOW: 1, DENY: 1 });
  });
});
