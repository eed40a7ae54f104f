import { type NatsConnection, connect } from '@nats-io/transport-node';
import type { Service } from '@nats-io/services';
import { Arena, MapDirectory } from '@bpfhive/maps-store';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { BTF_VOID, BtfFuncLinkage, HelperId as H, QueueGroups, SimSubjects, Subjects, decode, encodeBtf, fromBase64, parseBtf, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessCompiler } from '../src/core/compile/in-process.js';
import { Kernel } from '../src/core/kernel.js';
import { LocalMapProvider } from '../src/core/maps/local-provider.js';
import { kernelTypeId } from '../src/kbtf/kernel-btf.js';
import { structLayout } from '../src/kbtf/struct-layout.js';
import { startKernelService } from '../src/service/kernel-service.js';
import { NatsVerifier } from '../src/service/nats-verifier.js';
import { wireCalls } from './support/wire.js';

/**
 * The BTF side of BPF_PROG_LOAD over a real NATS server: attach_btf_id checked against vmlinux
 * (BTF id 1) and reported by prog info, the attached function's prototype handed to the
 * verifier, prog_btf_id with func_info and line_info (the program holds its BTF object), and
 * programs reading `current`'s task_struct at the offsets vmlinux's BTF gives (what a CO-RE
 * relocation resolves to) seeing the simulated process. A stand-in verifier service accepts
 * every program and records the requests; the JIT is in-process.
 */
let nats: NatsTestServer;
let nc: NatsConnection;
let service: Service;
let directory: MapDirectory;
const verifyRequests: Record<string, unknown>[] = [];

const { call, ok, load, link } = wireCalls(() => nc);

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
  nc.subscribe(Subjects.internalVerify, {
    queue: QueueGroups.verifier,
    callback: (err, msg) => {
      if (err) return;
      const request = msg.json<Record<string, unknown> & { insns: string }>();
      verifyRequests.push(request);
      const processed = decode(fromBase64(request.insns, 'insns')).length;
      msg.respond(JSON.stringify({ verdict: 'accept', log: '', stats: { processed_insns: processed, total_states: 0, peak_states: 0 }, facts: {} }));
    },
  });
  const arena = new Arena();
  directory = new MapDirectory(arena, 1);
  const kernel = new Kernel({ maps: new LocalMapProvider(directory), verifier: new NatsVerifier(nc), compiler: new InProcessCompiler() }, { arena });
  service = await startKernelService(nc, { version: '0.1.0', kernel });
  await nc.flush();
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await nc?.close();
  await nats?.stop();
});

const vfsRead = kernelTypeId('vfs_read', 'FUNC');

describe('prog_load over NATS - attach_btf_id', () => {
  it('prog btf - an fentry program on vfs_read loads, its info names the FUNC in vmlinux, and the verifier got its prototype', async () => {
    const id = await load('tracing', 'r0 = *(u64 *)(r1 + 16)\nr0 = 0\nexit', { expected_attach_type: 'trace_fentry', attach_btf_id: vfsRead });
    expect(await ok(Subjects.prog(id, 'info'), {})).toMatchObject({ id, type_name: 'tracing', btf_id: 0, attach_btf_id: vfsRead, attach_btf_obj_id: 1 });
    // vfs_read(struct file *, char *, size_t, loff_t *) returns ssize_t.
    expect(verifyRequests.at(-1)).toMatchObject({ attach_func: { name: 'vfs_read', btf_id: vfsRead, nr_args: 4, ret_size: 8 } });
    // The link attaches where the program was loaded for; it need not name the function again.
    const linkId = await link({ prog_id: id, attach_type: 'trace_fentry' });
    expect(await ok(Subjects.link(linkId, 'info'), {})).toMatchObject({ tracing: { target_btf_id: vfsRead, target_name: 'vfs_read' } });
    await ok(Subjects.link(linkId, 'close'), {});
    await ok(Subjects.prog(id, 'close'), {});
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['no attach_btf_id', { expected_attach_type: 'trace_fentry' }, 'EINVAL', 'Tracing programs must provide btf_id'],
    ['a struct', { expected_attach_type: 'trace_fentry', attach_btf_id: kernelTypeId('task_struct', 'STRUCT') }, 'EINVAL', `attach_btf_id ${kernelTypeId('task_struct', 'STRUCT')} is not a function`],
    ['an id beyond vmlinux', { expected_attach_type: 'trace_fexit', attach_btf_id: 999_999 }, 'EINVAL', 'attach_btf_id 999999 is invalid'],
    ['a FUNC as tp_btf', { expected_attach_type: 'trace_raw_tp', attach_btf_id: vfsRead }, 'EINVAL', `attach_btf_id ${vfsRead} is not a typedef`],
    ['a program BTF as attach_btf_obj_id', { expected_attach_type: 'trace_fentry', attach_btf_id: vfsRead, attach_btf_obj_id: 77 }, 'EBADF', 'attach_btf_obj_id 77: no such BTF object'],
  ])('prog btf - an fentry program with %s is refused, the log says why', async (_title, extra, code, line) => {
    const before = verifyRequests.length;
    const reply = await call(Subjects.progLoad, { prog_type: 'tracing', insns: toBase64(new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0])), license: 'GPL', ...extra });
    expect(reply.body.code).toBe(code);
    expect(reply.body.message).toContain(line);
    if (code === 'EINVAL') expect(reply.body.log).toBe(`${line}\n`);
    // Refused before the verifier is asked.
    expect(verifyRequests.length).toBe(before);
  });

  it('prog btf - tp_btf on btf_trace_sched_switch attaches to the sched_switch raw tracepoint', async () => {
    const id = await load('tracing', 'r0 = 0\nexit', { expected_attach_type: 'trace_raw_tp', attach_btf_id: kernelTypeId('btf_trace_sched_switch', 'TYPEDEF') });
    expect(verifyRequests.at(-1)).toMatchObject({ attach_func: { name: 'sched_switch', nr_args: 4 } });
    const linkId = await link({ prog_id: id, attach_type: 'trace_raw_tp' });
    await ok(Subjects.link(linkId, 'close'), {});
    await ok(Subjects.prog(id, 'close'), {});
  });
});

/** A program's BTF: int prog(int ctx), and the strings of one source line. */
function programBtf(): { bytes: Uint8Array; funcId: number; file: number; line: number } {
  const strings = Buffer.from('\0prog.c\0int prog(int ctx) { return 0; }\0');
  const bytes = encodeBtf(
    {
      types: [
        BTF_VOID,
        { kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 },
        { kind: 'FUNC_PROTO', name: '', returnType: 1, params: [{ name: 'ctx', type: 1 }] },
        { kind: 'FUNC', name: 'prog', type: 2, linkage: BtfFuncLinkage.GLOBAL },
      ],
    },
    { strings: { bytes: new Uint8Array(strings) } },
  );
  const table = Buffer.from(parseBtf(bytes).strings.bytes);
  return { bytes, funcId: 3, file: table.indexOf('prog.c'), line: table.indexOf('int prog') };
}

const words = (...w: number[]): string => toBase64(new Uint8Array(new Uint32Array(w).buffer));

describe('prog_load over NATS - prog_btf_id, func_info, line_info', () => {
  it('prog btf - the program holds its BTF object: info reports btf_id, the object outlives its handle until the program goes', async () => {
    const btf = programBtf();
    const { btf_id } = await ok<{ btf_id: number }>(Subjects.btfLoad, { btf: toBase64(btf.bytes) });
    const id = await load('socket_filter', 'r0 = 0\nexit', {
      prog_btf_id: btf_id,
      func_info: words(0, btf.funcId),
      func_info_rec_size: 8,
      line_info: words(0, btf.file, btf.line, (1 << 10) | 5),
      line_info_rec_size: 16,
      line_info_cnt: 1,
    });
    expect(await ok(Subjects.prog(id, 'info'), {})).toMatchObject({ btf_id, attach_btf_id: 0, attach_btf_obj_id: 0 });
    expect(verifyRequests.at(-1)).toMatchObject({
      func_info: [{ insn_off: 0, type_id: btf.funcId, name: 'prog' }],
      line_info: [{ insn_off: 0, file_name: 'prog.c', line: 'int prog(int ctx) { return 0; }', line_num: 1, line_col: 5 }],
    });
    await ok(Subjects.btf(btf_id, 'close'), {});
    expect(await ok(Subjects.btf(btf_id, 'info'), {})).toMatchObject({ id: btf_id });
    await ok(Subjects.prog(id, 'close'), {});
    expect((await call(Subjects.btf(btf_id, 'info'), {})).body.code).toBe('ENOENT');
  });

  it.each<[string, (btfId: number, funcId: number) => Record<string, unknown>, string]>([
    ['func_info without prog_btf_id', (_b, f) => ({ func_info: words(0, f), func_info_rec_size: 8 }), 'EBADF'],
    ['a func_info record size of 0', (b, f) => ({ prog_btf_id: b, func_info: words(0, f) }), 'EINVAL'],
    ['func_info naming the INT', (b) => ({ prog_btf_id: b, func_info: words(0, 1), func_info_rec_size: 8 }), 'EINVAL'],
    ["the kernel's BTF as prog_btf_id", (_b, f) => ({ prog_btf_id: 1, func_info: words(0, f), func_info_rec_size: 8 }), 'EACCES'],
  ])('prog btf - %s is refused and holds nothing', async (_title, extra, code) => {
    const btf = programBtf();
    const { btf_id } = await ok<{ btf_id: number }>(Subjects.btfLoad, { btf: toBase64(btf.bytes) });
    const reply = await call(Subjects.progLoad, { prog_type: 'socket_filter', insns: toBase64(new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0])), license: 'GPL', ...extra(btf_id, btf.funcId) });
    expect(reply.body.code).toBe(code);
    await ok(Subjects.btf(btf_id, 'close'), {});
    expect((await call(Subjects.btf(btf_id, 'info'), {})).body.code).toBe('ENOENT');
  });
});

describe('kernel objects over NATS - task_struct as vmlinux lays it out', () => {
  it("prog btf - a tracepoint program reads current's pid, tgid, comm and real_parent->tgid at vmlinux's offsets and sees the process", async () => {
    const task = structLayout('task_struct');
    const [pid, tgid, comm, parent] = ['pid', 'tgid', 'comm', 'real_parent'].map((f) => task.field(f).offset);
    const slots = directory.create({ map_type: 'array', key_size: 4, value_size: 32, max_entries: 1 });
    // value { u32 pid; u32 tgid; char comm[16]; u32 parent_tgid; }
    const id = await load('tracepoint', `
      *(u32 *)(r10 - 4) = 0
      ld_pseudo r1, 1, ${slots}
      r2 = r10
      r2 += -4
      call ${H.map_lookup_elem}
      if r0 == 0 goto out
      r7 = r0
      call ${H.get_current_task}
      r8 = r0
      r1 = r7
      r2 = 4
      r3 = r8
      r3 += ${pid}
      call ${H.probe_read_kernel}
      r1 = r7
      r1 += 4
      r2 = 4
      r3 = r8
      r3 += ${tgid}
      call ${H.probe_read_kernel}
      r1 = r7
      r1 += 8
      r2 = 16
      r3 = r8
      r3 += ${comm}
      call ${H.probe_read_kernel}
      r1 = r10
      r1 += -16
      r2 = 8
      r3 = r8
      r3 += ${parent}
      call ${H.probe_read_kernel}
      r3 = *(u64 *)(r10 - 16)
      r3 += ${tgid}
      r1 = r7
      r1 += 24
      r2 = 4
      call ${H.probe_read_kernel}
      out:
      r0 = 0
      exit`);
    const linkId = await link({ prog_id: id, attach_type: 'perf_event', target_name: 'syscalls/sys_enter_close' });
    await ok(SimSubjects.procSpawn, { pid: 700, comm: 'bash' });
    await ok(SimSubjects.procSpawn, { pid: 701, tgid: 700, ppid: 1, comm: 'worker' });
    await ok(SimSubjects.procSpawn, { pid: 702, ppid: 700, comm: 'curl' });
    await ok(SimSubjects.procSyscall, { pid: 701, syscall: 'close', fd: 2 });
    const thread = directory.lookup(slots, new Uint8Array(4));
    const view = (v: Uint8Array) => new DataView(v.buffer, v.byteOffset);
    const text = (v: Uint8Array) => Buffer.from(v.subarray(8, 24)).toString('latin1').replace(/\0+$/, '');
    expect([view(thread).getUint32(0, true), view(thread).getUint32(4, true), text(thread), view(thread).getUint32(24, true)]).toEqual([701, 700, 'worker', 1]);
    await ok(SimSubjects.procSyscall, { pid: 702, syscall: 'close', fd: 2 });
    const child = directory.lookup(slots, new Uint8Array(4));
    expect([view(child).getUint32(0, true), view(child).getUint32(4, true), text(child), view(child).getUint32(24, true)]).toEqual([702, 702, 'curl', 700]);
    await ok(Subjects.link(linkId, 'close'), {});
    await ok(Subjects.prog(id, 'close'), {});
  });
});
