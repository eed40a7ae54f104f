import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Msg, type NatsConnection, connect, headers } from '@nats-io/transport-node';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { BpfError, type ReplyableMessage, SUBJECT_PREFIX, dumpBtfRaw, encodeBtf, parseBtf, respond, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/test-io.js';
import { CoreRelocator } from '../src/corerelo/index.js';
import { findSection, readElf } from '../src/elf/index.js';
import { readObject } from '../src/object/index.js';
import { OBJECTS_DIR } from './objects/fixtures.js';

/**
 * `bpfhive btf …` as bpftool's users type it, in-process through runCli: dumps of object files
 * and of the kernel-sim's vmlinux.btf (raw, bpftool's JSON, C — compiled with clang when it is
 * installed), and the id, show and list commands over a real NATS server, both where nothing
 * serves BTF objects (the kernel-sim today) and against a stand-in that does.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const VMLINUX_BTF = `${ROOT}packages/kernel-sim/btf/vmlinux.btf`;
const TRACING_O = join(OBJECTS_DIR, 'tracing.o');
const hasClang = ((): boolean => {
  try {
    execFileSync('clang', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function bpfhive(line: string | string[]): Promise<{ status: number; out: string; err: string }> {
  const io = memoryIo();
  const status = await runCli(typeof line === 'string' ? line.split(' ') : line, io);
  return { status, out: io.out(), err: io.err() };
}

/** tracing.o's .BTF as compiled. */
const tracingBtf = () => parseBtf(findSection(readElf(new Uint8Array(readFileSync(TRACING_O))), '.BTF')!.data);

describe('bpfhive btf dump file - an object', () => {
  it("prints bpftool's raw lines for the object's .BTF", async () => {
    const { status, out, err } = await bpfhive(`btf dump file ${TRACING_O}`);
    expect({ status, err }).toEqual({ status: 0, err: '' });
    expect(out).toBe(dumpBtfRaw(tracingBtf()));
    expect(out).toContain(
      "\n[28] STRUCT 'task_struct' size=56 vlen=7\n\t'pid' type_id=2 bits_offset=0\n\t'tgid' type_id=2 bits_offset=32\n\t'flags' type_id=13 bits_offset=64\n",
    );
  });

  it('-j is {"types":[…]} in bpftool\'s field names and order', async () => {
    const { status, out } = await bpfhive(`btf dump file ${TRACING_O} -j`);
    expect(status).toBe(0);
    const { types } = JSON.parse(out) as { types: Record<string, unknown>[] };
    expect(types).toHaveLength(tracingBtf().types.length - 1);
    expect(types.slice(0, 2)).toEqual([
      { id: 1, kind: 'PTR', name: '(anon)', type_id: 3 },
      { id: 2, kind: 'INT', name: 'int', size: 4, bits_offset: 0, nr_bits: 32, encoding: 'SIGNED' },
    ]);
    const task = types.find((t) => t.name === 'task_struct')!;
    expect(Object.keys(task)).toEqual(['id', 'kind', 'name', 'size', 'vlen', 'members']);
    expect((task.members as unknown[])[0]).toEqual({ name: 'pid', type_id: 2, bits_offset: 0 });
    const states = types.find((t) => t.name === 'task_state')!;
    expect(states).toMatchObject({ kind: 'ENUM', encoding: 'UNSIGNED', size: 4, vlen: 3, values: [{ name: 'TASK_RUNNING', val: 0 }, { name: 'TASK_INTERRUPTIBLE', val: 1 }, { name: 'TASK_UNINTERRUPTIBLE', val: 2 }] });
    const proto = types.find((t) => t.kind === 'FUNC_PROTO')!;
    expect(Object.keys(proto)).toEqual(['id', 'kind', 'name', 'ret_type_id', 'vlen', 'params']);
    expect(proto.name).toBe('(anon)');
    const datasec = types.find((t) => t.kind === 'DATASEC')!;
    expect(Object.keys((datasec.vars as Record<string, unknown>[])[0]!)).toEqual(['type_id', 'offset', 'size']);
  });

  it('-p lays the same document out as bpftool does', async () => {
    const { out } = await bpfhive(`btf dump file ${TRACING_O} -p`);
    expect(out.startsWith('{\n    "types": [{\n            "id": 1,\n            "kind": "PTR",\n            "name": "(anon)",\n            "type_id": 3\n        },{\n')).toBe(true);
    expect(JSON.parse(out)).toEqual(JSON.parse((await bpfhive(`btf dump file ${TRACING_O} -j`)).out));
  });

  it('fails as bpftool does: no file, no BTF, an unknown source or format', async () => {
    expect(await bpfhive('btf dump file /no/such.o')).toEqual({ status: 255, out: '', err: 'Error: failed to load BTF from /no/such.o: No such file or directory\n' });
    const notBtf = join(mkdtempSync(join(tmpdir(), 'bpfhive-btf-')), 'notes.txt');
    writeFileSync(notBtf, 'hello, world: more than a BTF header\n');
    expect((await bpfhive(`btf dump file ${notBtf}`)).err).toMatch(/^Error: failed to load BTF from .*notes\.txt: Invalid argument \(BTF: bad magic 0x6568/);
    expect((await bpfhive('btf dump blob x')).err).toBe("Error: unrecognized BTF source specifier: 'blob'\n");
    expect((await bpfhive(`btf dump file ${TRACING_O} format go`)).err).toBe("Error: unrecognized format specifier: 'go', possible values: raw, c\n");
    expect(await bpfhive(`btf dump file ${TRACING_O} format c -j`)).toEqual({ status: 255, out: '{"error":"JSON output for C-syntax dump is not supported"}\n', err: '' });
  });
});

describe.runIf(existsSync(VMLINUX_BTF))("bpfhive btf dump file - the kernel-sim's vmlinux.btf", () => {
  it('dumps every type of a raw blob', async () => {
    const { status, out } = await bpfhive(`btf dump file ${VMLINUX_BTF}`);
    expect(status).toBe(0);
    const kernel = parseBtf(new Uint8Array(readFileSync(VMLINUX_BTF)));
    expect(out).toBe(dumpBtfRaw(kernel));
    expect(out.split('\n').filter((l) => l.startsWith('[')).length).toBe(kernel.types.length - 1);
  });

  it.runIf(hasClang)('format c is a vmlinux.h clang compiles, with the layout of the kernel to the byte', async () => {
    const { status, out } = await bpfhive(`btf dump file ${VMLINUX_BTF} format c`);
    expect(status).toBe(0);
    expect(out.startsWith('#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n')).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'bpfhive-vmlinux-h-'));
    writeFileSync(join(dir, 'vmlinux.h'), out);
    // Every access is a CO-RE relocation (the header's preserve_access_index pragma): relocated
    // against the kernel's BTF, none may move, because the header has the kernel's layout.
    writeFileSync(
      join(dir, 'probe.c'),
      [
        '#include "vmlinux.h"',
        '__attribute__((section("kprobe/tcp_v4_connect"), used))',
        'int probe(struct pt_regs *ctx)',
        '{',
        '\tstruct task_struct *t = (struct task_struct *)ctx->di;',
        '\tstruct sock *sk = (struct sock *)ctx->si;',
        '\treturn t->pid + t->real_parent->tgid + t->comm[3] + sk->__sk_common.skc_dport + sk->__sk_common.skc_daddr + sk->sk_protocol;',
        '}',
        '__attribute__((section("license"), used)) char LICENSE[] = "GPL";',
        '',
      ].join('\n'),
    );
    execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-Wall', '-Werror', '-c', join(dir, 'probe.c'), '-o', join(dir, 'probe.o')]);
    const spec = readObject(new Uint8Array(readFileSync(join(dir, 'probe.o'))), { path: 'probe.o' });
    const program = spec.programs[0]!;
    expect(program.coreRelocations.length).toBeGreaterThanOrEqual(8);
    const result = new CoreRelocator(spec.btf!, parseBtf(new Uint8Array(readFileSync(VMLINUX_BTF)))).relocate(program, program.instructions);
    expect(result.outcomes.filter((o) => o.poisoned || o.newVal !== o.origVal)).toEqual([]);
  });
});

describe('bpfhive btf over NATS', () => {
  let nats: NatsTestServer;
  let nc: NatsConnection;
  const cli = (line: string) => bpfhive([...line.split(' '), '--nats', nats.url]);

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
  }, 30_000);

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it('dump id: says plainly that nothing serves BTF objects', async () => {
    const { status, err } = await cli('btf dump id 1');
    expect(status).toBe(255);
    expect(err).toBe(
      'Error: get btf by id (1): no service serves bpf.v1.btf.1.info: the kernel-sim does not hand out BTF objects yet; dump its BTF as a file: bpfhive btf dump file packages/kernel-sim/btf/vmlinux.btf\n',
    );
  }, 20_000);

  it('list: says plainly that nothing serves BTF objects', async () => {
    const { status, err } = await cli('btf list');
    expect(status).toBe(255);
    expect(err).toBe("Error: can't get next BTF object: no service serves bpf.v1.btf_get_next_id: the kernel-sim does not keep BTF objects yet\n");
  }, 20_000);

  describe('against a stand-in serving BTF object 7', () => {
    const blob = encodeBtf(tracingBtf());
    const served = (subject: string, handle: () => Record<string, unknown>) =>
      nc.subscribe(subject, {
        callback: (_err, msg: Msg) => {
          const replyable: ReplyableMessage = {
            data: msg.data,
            subject: msg.subject,
            respond: (data) => msg.respond(data),
            respondError: (code, description, data) => {
              const h = headers();
              h.set('Nats-Service-Error-Code', String(code));
              h.set('Nats-Service-Error', description);
              return msg.respond(data, { headers: h });
            },
          };
          void respond(replyable, handle);
        },
      });
    const none = () => {
      throw new BpfError('ENOENT', 'no next id');
    };

    beforeAll(async () => {
      served(`${SUBJECT_PREFIX}.btf.7.info`, () => ({ id: 7, name: '', kernel_btf: false, btf_size: blob.length, btf: toBase64(blob) }));
      served(`${SUBJECT_PREFIX}.btf_get_next_id`, () => ({ next_id: 7 }));
      served(`${SUBJECT_PREFIX}.prog_get_next_id`, none);
      served(`${SUBJECT_PREFIX}.map_get_next_id`, none);
      await nc.flush();
    });

    it('dump id prints the object as a file dump would', async () => {
      const { status, out } = await cli('btf dump id 7');
      expect(status).toBe(0);
      expect(out).toBe((await bpfhive(`btf dump file ${TRACING_O}`)).out);
    });

    it('show id prints what bpftool prints, plain and JSON', async () => {
      expect((await cli('btf show id 7')).out).toBe(`7: name <anon>  size ${blob.length}B\n`);
      expect(JSON.parse((await cli('btf show id 7 -j')).out)).toEqual({ id: 7, size: blob.length, prog_ids: [], map_ids: [], kernel: false });
    });
  });
});
