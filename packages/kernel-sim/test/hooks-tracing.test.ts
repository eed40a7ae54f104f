import { type NatsConnection, connect } from '@nats-io/transport-node';
import type { Service } from '@nats-io/services';
import { Arena, MapDirectory } from '@bpfhive/maps-store';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { HelperId as H, SimSubjects, Subjects } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessCompiler } from '../src/core/compile/in-process.js';
import { Kernel } from '../src/core/kernel.js';
import { LocalMapProvider } from '../src/core/maps/local-provider.js';
import { kernelTypeId } from '../src/kbtf/kernel-btf.js';
import { startKernelService } from '../src/service/kernel-service.js';
import { NatsVerifier } from '../src/service/nats-verifier.js';
import { DEFAULT_FILES, KALLSYMS } from '../src/world/index.js';
import { fakeVerifierService } from './support/services.js';
import { wireCalls } from './support/wire.js';
import { incrementKey } from '../src/testing/count-program.js';

/**
 * The tracing and cgroup sock_addr hooks over a real NATS server: programs loaded with
 * bpf.v1.prog_load (stand-in verifier service, in-process JIT), attached with bpf.v1.link_create,
 * driven by system calls made with bpf.v1.sim.proc.syscall (each reply comes after the call's
 * programs ran and their ring buffer records were published), observed through maps and ring
 * buffer messages. Programs in assembly, after examples/opensnoop and examples/syscount.
 */
let nats: NatsTestServer;
let nc: NatsConnection;
let service: Service;
let directory: MapDirectory;
let kernel: Kernel;

const { ok, fails, load, link } = wireCalls(() => nc);

const syscall = (pid: number, request: Record<string, unknown>) => ok<{ ret?: number; events: number }>(SimSubjects.procSyscall, { pid, ...request });

const key32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const u64s = (bytes: Uint8Array): bigint[] => Array.from({ length: bytes.length / 8 }, (_, i) => new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(i * 8, true));
const address = (name: string): bigint => KALLSYMS.find((s) => s.name === name)!.address;

/** Runs `stores` with r7 = array map `map`'s slot 0 and r6 = the context, then returns `ret`. */
const storeInSlot0 = (map: number, stores: string, ret = 0) => `
  r6 = r1
  *(u32 *)(r10 - 4) = 0
  ld_pseudo r1, 1, ${map}
  r2 = r10
  r2 += -4
  call ${H.map_lookup_elem}
  if r0 == 0 goto out
  r7 = r0
  ${stores}
  out:
  r0 = ${ret}
  exit`;

/** syscount: counts[syscall id]++ from a raw tracepoint's args[1]. */
const countById = (map: number) => `
  r2 = *(u64 *)(r1 + 8)
  *(u32 *)(r10 - 4) = r2
  ${incrementKey(map, 'out')}
  out:
  r0 = 0
  exit`;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
  fakeVerifierService(nc);
  const arena = new Arena();
  directory = new MapDirectory(arena, 2);
  kernel = new Kernel({ maps: new LocalMapProvider(directory), verifier: new NatsVerifier(nc), compiler: new InProcessCompiler() }, { arena, cpus: 2 });
  service = await startKernelService(nc, { version: '0.1.0', kernel });
  await nc.flush();
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await nc?.close();
  await nats?.stop();
});

describe('hooks over NATS - tracepoints', () => {
  it('hooks tracepoint - opensnoop: sys_enter_openat sends pid and filename through a ring buffer; closed, it sends nothing', async () => {
    const ring = directory.create({ map_type: 'ringbuf', key_size: 0, value_size: 0, max_entries: 4096 });
    // event { u32 pid; char filename[64]; } at r10 - 72; the filename pointer is args[1] of the record (offset 24).
    const prog = await load('tracepoint', `
      r6 = r1
      call ${H.get_current_pid_tgid}
      r0 >>= 32
      *(u32 *)(r10 - 72) = r0
      r1 = r10
      r1 += -68
      r2 = 64
      r3 = *(u64 *)(r6 + 24)
      call ${H.probe_read_user_str}
      ld_pseudo r1, 1, ${ring}
      r2 = r10
      r2 += -72
      r3 = 68
      r4 = 0
      call ${H.ringbuf_output}
      r0 = 0
      exit`, { prog_name: 'opensnoop' });
    const id = await link({ prog_id: prog, attach_type: 'perf_event', target_name: 'syscalls/sys_enter_openat' });
    expect(await ok(Subjects.link(id, 'info'), {})).toMatchObject({ type_name: 'perf_event', perf_event: { type: 5, tracepoint: { tp_name: 'sys_enter_openat' } } });
    await ok(SimSubjects.procSpawn, { pid: 400, comm: 'cat' });
    const records: Uint8Array[] = [];
    const sub = nc.subscribe(SimSubjects.ringbuf(ring), { callback: (_e, m) => void records.push(Buffer.from(m.json<{ data: string }>().data, 'base64')) });
    expect(await syscall(400, { syscall: 'openat', path: '/etc/passwd' })).toMatchObject({ ret: 3 });
    expect(records).toHaveLength(1);
    const event = records[0]!;
    expect(new DataView(event.buffer, event.byteOffset).getUint32(0, true)).toBe(400);
    expect(Buffer.from(event.subarray(4, 4 + '/etc/passwd'.length)).toString()).toBe('/etc/passwd');

    expect(await fails(Subjects.link(id, 'detach'), {})).toBe('EOPNOTSUPP');
    await ok(Subjects.link(id, 'close'), {});
    await syscall(400, { syscall: 'openat', path: '/etc/hosts' });
    await nc.flush();
    expect(records).toHaveLength(1);
    sub.unsubscribe();
  });

  it('hooks raw tracepoint - syscount: sys_enter counts calls by number', async () => {
    const counts = directory.create({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 64 });
    const id = await link({ prog_id: await load('raw_tracepoint', countById(counts)), attach_type: 'trace_raw_tp', target_name: 'sys_enter' });
    await ok(SimSubjects.procSpawn, { pid: 410, comm: 'worker' });
    await syscall(410, { syscall: 'openat', path: '/etc/hosts' });
    await syscall(410, { syscall: 'read', fd: 3, count: 16 });
    await syscall(410, { syscall: 'read', fd: 3, count: 16 });
    await syscall(410, { syscall: 'close', fd: 3 });
    const count = (nr: number) => u64s(directory.lookup(counts, key32(nr)))[0];
    expect([count(257), count(0), count(3)]).toEqual([1n, 2n, 1n]);
    expect(await ok(Subjects.link(id, 'info'), {})).toMatchObject({ type_name: 'raw_tracepoint', raw_tracepoint: { tp_name: 'sys_enter' } });
    await ok(Subjects.link(id, 'close'), {});
    await syscall(410, { syscall: 'close', fd: 0 });
    expect(count(3)).toBe(1n);
    expect(await fails(Subjects.linkCreate, { prog_id: 1, attach_type: 'perf_event', target_name: 'syscalls/sys_enter_nothing' })).toBe('ENOENT');
  });
});

describe('hooks over NATS - stacks', () => {
  it('kprobe stacks - bpf_get_stackid files the kernel and user stacks of do_sys_openat2; bpf_get_stack copies them', async () => {
    const stacks = directory.create({ map_type: 'stack_trace', key_size: 4, value_size: 8 * 8, max_entries: 16 });
    const out = directory.create({ map_type: 'array', key_size: 4, value_size: 56, max_entries: 1 });
    const prog = await load('kprobe', storeInSlot0(out, `
      r1 = r6
      ld_pseudo r2, 1, ${stacks}
      r3 = 0
      call ${H.get_stackid}
      *(u64 *)(r7 + 0) = r0
      r1 = r6
      ld_pseudo r2, 1, ${stacks}
      r3 = 256
      call ${H.get_stackid}
      *(u64 *)(r7 + 8) = r0
      r1 = r6
      r2 = r7
      r2 += 16
      r3 = 32
      r4 = 1
      call ${H.get_stack}
      *(u64 *)(r7 + 48) = r0`));
    const id = await link({ prog_id: prog, attach_type: 'perf_event', target_name: 'do_sys_openat2' });
    await ok(SimSubjects.procSpawn, { pid: 435, comm: 'stackcount' });
    await syscall(435, { syscall: 'openat', path: '/etc/hosts' });
    const [kernelId, userId, , , , , got] = u64s(directory.lookup(out, key32(0)));
    const site = (name: string): bigint => address(name) + 0x2an;
    const kernelStack = [address('do_sys_openat2'), site('__x64_sys_openat'), site('do_syscall_64')];
    expect(u64s(directory.lookup(stacks, key32(Number(kernelId))))).toEqual([...kernelStack, 0n, 0n, 0n, 0n, 0n]);
    // The user stack: libc's syscall instruction for openat (257), then the program's call site.
    expect(u64s(directory.lookup(stacks, key32(Number(userId))))).toEqual([0x7f3a5c000000n + 0x11a000n + 257n * 0x10n, 0x555555555189n, 0n, 0n, 0n, 0n, 0n, 0n]);
    // bpf_get_stack with one frame skipped: the two callers, then zeros; 16 bytes copied.
    expect(got).toBe(16n);
    expect(u64s(directory.lookup(out, key32(0))).slice(2, 6)).toEqual([kernelStack[1], kernelStack[2], 0n, 0n]);
    // The same stack again files under the same id.
    await syscall(435, { syscall: 'openat', path: '/etc/passwd' });
    expect(u64s(directory.lookup(out, key32(0)))[0]).toBe(kernelId);
    await ok(Subjects.link(id, 'close'), {});
  });
});

describe('hooks over NATS - test_run', () => {
  it('test_run - the ring buffer records of a program that is attached nowhere go out after its run, each once', async () => {
    const ring = directory.create({ map_type: 'ringbuf', key_size: 0, value_size: 0, max_entries: 4096 });
    // Submits the u64 (0xb0f + its run's r1 == ctx) and returns 7.
    const prog = await load('socket_filter', `
      r1 = 0xb0f
      *(u64 *)(r10 - 8) = r1
      ld_pseudo r1, 1, ${ring}
      r2 = r10
      r2 += -8
      r3 = 8
      r4 = 0
      call ${H.ringbuf_output}
      r0 = 7
      exit`, { prog_name: 'ring_test_run' });
    const records: Uint8Array[] = [];
    const sub = nc.subscribe(SimSubjects.ringbuf(ring), { callback: (_e, m) => void records.push(Buffer.from(m.json<{ data: string }>().data, 'base64')) });
    await nc.flush();
    const frame = Buffer.alloc(64).toString('base64');
    expect(await ok(Subjects.prog(prog, 'test_run'), { data_in: frame, repeat: 3 })).toMatchObject({ retval: 7 });
    await nc.flush();
    expect(records.map((r) => u64s(r)[0])).toEqual([0xb0fn, 0xb0fn, 0xb0fn]);
    expect(await ok(Subjects.prog(prog, 'test_run'), { data_in: frame })).toMatchObject({ retval: 7 });
    await nc.flush();
    expect(records).toHaveLength(4);
    sub.unsubscribe();
  });
});

describe('hooks over NATS - kernel functions', () => {
  it('hooks kprobe - do_sys_openat2 sees the filename pointer in pt_regs and its own address; the kretprobe the fd and its cookie', async () => {
    const slots = directory.create({ map_type: 'array', key_size: 4, value_size: 32, max_entries: 1 });
    // pt_regs: si at 104, ax at 80.
    const entry = await load('kprobe', storeInSlot0(slots, `
      r1 = *(u64 *)(r6 + 104)
      *(u64 *)(r7 + 0) = r1
      r1 = r6
      call ${H.get_func_ip}
      *(u64 *)(r7 + 8) = r0`));
    const exit = await load('kprobe', storeInSlot0(slots, `
      r1 = *(u64 *)(r6 + 80)
      *(u64 *)(r7 + 16) = r1
      r1 = r6
      call ${H.get_attach_cookie}
      *(u64 *)(r7 + 24) = r0`));
    const links = [
      await link({ prog_id: entry, attach_type: 'perf_event', target_name: 'do_sys_openat2' }),
      await link({ prog_id: exit, attach_type: 'perf_event', target_name: 'do_sys_openat2', retprobe: true, perf_event: { bpf_cookie: 77 } }),
    ];
    await ok(SimSubjects.procSpawn, { pid: 420, comm: 'less' });
    await syscall(420, { syscall: 'openat', path: '/etc/resolv.conf' });
    const [filename, ip, ret, cookie] = u64s(directory.lookup(slots, key32(0)));
    expect(Buffer.from(kernel.arena.bytes.subarray(Number(filename), Number(filename) + 16)).toString('latin1')).toBe('/etc/resolv.conf');
    expect([ip, ret, cookie]).toEqual([address('do_sys_openat2'), 3n, 77n]);
    for (const id of links) await ok(Subjects.link(id, 'close'), {});
    expect(await syscall(420, { syscall: 'openat', path: '/etc/hosts' })).toMatchObject({ ret: 4 });
    expect(u64s(directory.lookup(slots, key32(0)))[2]).toBe(3n);
    expect(await fails(Subjects.linkCreate, { prog_id: entry, attach_type: 'perf_event', target_name: 'do_nothing' })).toBe('ENOENT');
  });

  it('hooks fentry/fexit - vfs_read by BTF id and by name: the count it was asked for, and what it returned', async () => {
    const slots = directory.create({ map_type: 'array', key_size: 4, value_size: 32, max_entries: 1 });
    // vfs_read(file, buf, count, pos): count is args[2]; fexit's return value follows the 4 arguments.
    const btfId = kernelTypeId('vfs_read', 'FUNC');
    const fentry = await load('tracing', storeInSlot0(slots, 'r1 = *(u64 *)(r6 + 16)\n*(u64 *)(r7 + 0) = r1'), { expected_attach_type: 'trace_fentry', attach_btf_id: btfId });
    const fexit = await load('tracing', storeInSlot0(slots, 'r1 = *(u64 *)(r6 + 32)\n*(u64 *)(r7 + 8) = r1'), { expected_attach_type: 'trace_fexit', attach_btf_id: btfId });
    const links = [
      await link({ prog_id: fentry, attach_type: 'trace_fentry', tracing: { target_btf_id: btfId } }),
      await link({ prog_id: fexit, attach_type: 'trace_fexit', target_name: 'vfs_read' }),
    ];
    expect(await ok(Subjects.link(links[0]!, 'info'), {})).toMatchObject({ type_name: 'tracing', tracing: { target_btf_id: btfId, target_name: 'vfs_read' } });
    await ok(SimSubjects.procSpawn, { pid: 430, comm: 'reader' });
    await syscall(430, { syscall: 'openat', path: '/etc/passwd' });
    expect(await syscall(430, { syscall: 'read', fd: 3, count: 1000 })).toMatchObject({ ret: DEFAULT_FILES['/etc/passwd']!.length });
    expect(u64s(directory.lookup(slots, key32(0))).slice(0, 2)).toEqual([1000n, BigInt(DEFAULT_FILES['/etc/passwd']!.length)]);
    for (const id of links) await ok(Subjects.link(id, 'close'), {});
    await syscall(430, { syscall: 'read', fd: 3, count: 5 });
    expect(u64s(directory.lookup(slots, key32(0)))[0]).toBe(1000n);
  });

  it('hooks kprobe_multi - one link on ksys_read and ksys_write, a cookie each', async () => {
    const slots = directory.create({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 1 });
    const prog = await load('kprobe', storeInSlot0(slots, `
      r1 = r6
      call ${H.get_attach_cookie}
      lock *(u64 *)(r7 + 0) += r0`), { expected_attach_type: 'trace_kprobe_multi' });
    const id = await link({ prog_id: prog, attach_type: 'trace_kprobe_multi', kprobe_multi: { syms: ['ksys_read', 'ksys_write'], cookies: [1, 100] } });
    await ok(SimSubjects.procSpawn, { pid: 440, comm: 'tee' });
    await syscall(440, { syscall: 'read', fd: 0, count: 8 });
    await syscall(440, { syscall: 'write', fd: 1, data: 'x' });
    await syscall(440, { syscall: 'write', fd: 1, data: 'y' });
    expect(u64s(directory.lookup(slots, key32(0)))).toEqual([201n]);
    expect(await ok(Subjects.link(id, 'info'), {})).toMatchObject({ kprobe_multi: { count: 2, syms: ['ksys_read', 'ksys_write'], cookies: [1, 100] } });
    await ok(Subjects.link(id, 'close'), {});
    await syscall(440, { syscall: 'write', fd: 1, data: 'z' });
    expect(u64s(directory.lookup(slots, key32(0)))).toEqual([201n]);
  });
});

describe('hooks over NATS - cgroup sock_addr', () => {
  it('hooks cgroup connect4 - a task of cgroup 9 connecting shows the program the address; another cgroup runs nothing', async () => {
    const slots = directory.create({ map_type: 'array', key_size: 4, value_size: 16, max_entries: 1 });
    // bpf_sock_addr: user_ip4 at 4, user_port at 24 (both in network byte order).
    const prog = await load('cgroup_sock_addr', storeInSlot0(slots, `
      r1 = *(u32 *)(r6 + 4)
      *(u64 *)(r7 + 0) = r1
      r1 = *(u32 *)(r6 + 24)
      *(u64 *)(r7 + 8) = r1`, 1), { expected_attach_type: 'cgroup_inet4_connect' });
    const id = await link({ prog_id: prog, attach_type: 'cgroup_inet4_connect', target_fd: 9 });
    for (const [pid, cgroup] of [[450, 9], [451, 10]] as const) {
      await ok(SimSubjects.procSpawn, { pid, comm: 'curl', cgroup_id: cgroup });
      await syscall(pid, { syscall: 'socket' });
    }
    await syscall(451, { syscall: 'connect', fd: 3, addr: '10.0.0.7:443' });
    expect(u64s(directory.lookup(slots, key32(0)))).toEqual([0n, 0n]);
    await syscall(450, { syscall: 'connect', fd: 3, addr: '10.0.0.9:8080' });
    expect(u64s(directory.lookup(slots, key32(0)))).toEqual([0x0900000an, 0x901fn]);
    const counters = await ok<{ hooks: { hook: string; target: string; runs: number; actions: Record<string, number> }[] }>(SimSubjects.counters, {});
    expect(counters.hooks.find((h) => h.hook === 'sock_addr')).toMatchObject({ target: 'cgroup 9 cgroup_inet4_connect', runs: 1, actions: { ALLOW: 1 } });
    await ok(Subjects.link(id, 'detach'), {});
    await syscall(450, { syscall: 'socket' });
    await syscall(450, { syscall: 'connect', fd: 4, addr: '10.0.0.10:9090' });
    expect(u64s(directory.lookup(slots, key32(0)))).toEqual([0x0900000an, 0x901fn]);
  });
});
