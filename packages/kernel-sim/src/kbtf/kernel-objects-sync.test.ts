/**
 * The incremental sync of the kernel objects against the full one: after random system calls
 * (each followed by the incremental sync the world makes), a full sync must find nothing to do —
 * not a byte of the arena written differently, nothing allocated or freed. Anything an
 * incremental sync missed (a thread count, a closed file, an orphan's parent) shows as a diff.
 */
import { Arena } from '@bpfhive/maps-store';
import { describe, expect, it } from 'vitest';
import type { UserMemory } from '../world/ports.js';
import { Processes } from '../world/proc/processes.js';
import { CLONE_THREAD, type SyscallRequest } from '../world/proc/syscall-request.js';
import { BtfKernelObjects } from './kernel-objects.js';

/** mulberry32: a small seeded generator, so a failing seed replays. */
function random(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const PATHS = ['/etc/passwd', '/etc/hosts', '/var/www/html/index.html', '/dev/null', '/etc/missing'];
const EXES = ['/usr/bin/curl', '/usr/bin/cat', '/usr/sbin/nginx', '/bin/sh'];

function world() {
  const arena = new Arena();
  const objects = new BtfKernelObjects(arena);
  const memory: UserMemory = { alloc: (n) => arena.alloc(n), write: (a, b) => arena.bytes.set(b, a), free: (a, n) => arena.free(a, n) };
  const procs = new Processes({ cpus: 2, memory, objects });
  procs.spawn({ pid: 100, comm: 'bash', uid: 1000, gid: 1000, cgroupId: 7n, exe: '/bin/bash' });
  procs.spawn({ pid: 200, comm: 'nginx', uid: 33, gid: 33, cgroupId: 9n, exe: '/usr/sbin/nginx' });
  procs.syncObjects(true);
  return { arena, objects, procs };
}

/** A random system call of a random live task. */
function randomCall(procs: Processes, pick: (n: number) => number): [number, SyscallRequest] {
  const tasks = procs.tasks.list();
  const task = tasks[pick(tasks.length)]!;
  const fds = [...task.fds.keys()];
  const fd = fds.length > 0 && pick(4) > 0 ? fds[pick(fds.length)]! : 3 + pick(4);
  const calls: (() => SyscallRequest)[] = [
    () => ({ syscall: 'openat', path: PATHS[pick(PATHS.length)]! }),
    () => ({ syscall: 'openat', path: PATHS[pick(PATHS.length)]! }),
    () => ({ syscall: 'read', fd, count: 1 + pick(16) }),
    () => ({ syscall: 'write', fd, data: 'x' }),
    () => ({ syscall: 'close', fd }),
    () => ({ syscall: 'socket', family: pick(2) ? 'inet' : 'inet6', type: pick(2) ? 'stream' : 'dgram' }),
    () => ({ syscall: 'connect', fd, addr: '10.0.0.2:80' }),
    () => ({ syscall: 'bind', fd, addr: '0.0.0.0:8080' }),
    () => ({ syscall: 'listen', fd }),
    () => ({ syscall: 'accept', fd, peer: '10.0.0.9:40000' }),
    () => ({ syscall: 'execve', path: EXES[pick(EXES.length)]! }),
    () => ({ syscall: 'fork' }),
    () => ({ syscall: 'clone', flags: CLONE_THREAD }),
    () => ({ syscall: 'kill', target: tasks[pick(tasks.length)]!.pid, signal: tasks.length > 3 && pick(3) === 0 ? 'SIGKILL' : 'SIGUSR1' }),
  ];
  // Deaths only while several tasks live, so the world seldom runs dry.
  if (tasks.length > 3) calls.push(() => ({ syscall: 'exit' }), () => ({ syscall: 'exit_group' }));
  return [task.pid, calls[pick(calls.length)]!()];
}

describe('kernel objects - incremental sync', () => {
  it('kernel objects - after random system calls and incremental syncs, a full sync changes nothing', () => {
    let calls = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const { arena, objects, procs } = world();
      const pick = random(seed);
      for (let step = 0; step < 120; step++) {
        if (procs.tasks.list().length === 0) procs.spawn({ pid: procs.tasks.nextPid(), comm: 'sh', exe: '/bin/sh' });
        const [pid, req] = randomCall(procs, pick);
        procs.syscall(step * 1000, pid, req);
        calls++;
        procs.syncObjects(); // what the kernel-sim does before a batch's programs run
        const before = arena.bytes.slice();
        const allocated = arena.allocated;
        objects.sync(procs.tasks.list(), procs.vfs);
        const context = `seed ${seed} step ${step}: ${pid} ${JSON.stringify(req)}`;
        expect(arena.allocated, context).toBe(allocated);
        const after = arena.bytes;
        let diff = -1;
        for (let i = 0; i < before.length && diff < 0; i++) if (before[i] !== after[i]) diff = i;
        expect(diff, `${context}: first differing byte`).toBe(-1);
      }
    }
    expect(calls).toBe(8 * 120);
  });

  it('kernel objects - an incremental sync writes only the tasks a call touched', () => {
    const { objects, procs } = world();
    for (let i = 0; i < 50; i++) procs.syscall(i, 100, { syscall: 'fork', child: 1000 + i });
    procs.syncObjects();
    const written: number[] = [];
    const views = procs.tasks.list();
    const spy = views.map((v) => new Proxy(v, { get: (t, k) => (k === 'fds' && written.push(t.pid), Reflect.get(t, k)) }));
    objects.sync(spy, procs.vfs, new Set([1010]));
    expect([...new Set(written)]).toEqual([1010]);
  });
});
