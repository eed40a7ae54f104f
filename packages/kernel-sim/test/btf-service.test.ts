import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import type { Service } from '@nats-io/services';
import { Arena, MapDirectory } from '@bpfhive/maps-store';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { Subjects, fromBase64, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixupLikeLibbpf } from '../src/core/btf/testing.js';
import { InProcessCompiler } from '../src/core/compile/in-process.js';
import { Kernel } from '../src/core/kernel.js';
import { LocalMapProvider } from '../src/core/maps/local-provider.js';
import { kernelBtfBytes } from '../src/kbtf/kernel-btf.js';
import { startKernelService } from '../src/service/kernel-service.js';
import { NatsVerifier } from '../src/service/nats-verifier.js';
import { wireCalls } from './support/wire.js';

/**
 * The kernel-sim's BTF endpoints over a real NATS server: BPF_BTF_LOAD of the .BTF of the
 * loader's clang-built test objects (dumped with llvm-objcopy, then fixed up as libbpf does),
 * bpf_btf_info, close, and btf_get_next_id, with vmlinux as id 1. No program is loaded, so no
 * verifier or JIT service runs.
 */
const OBJECTS = fileURLToPath(new URL('../../loader/test/objects/', import.meta.url));
const NAMES = ['xdp_parser', 'tc_classifier', 'socket_filter', 'cgroup_sock', 'tracing', 'map_in_map'];

let nats: NatsTestServer;
let nc: NatsConnection;
let service: Service;
let scratch: string;

const { call, ok } = wireCalls(() => nc);

/** `llvm-objcopy --dump-section .BTF=…` of a loader test object. */
function dumpBtf(name: string): Uint8Array {
  const out = join(scratch, `${name}.btf`);
  execFileSync('llvm-objcopy', [`--dump-section`, `.BTF=${out}`, join(OBJECTS, `${name}.o`), join(scratch, `${name}.o`)]);
  return new Uint8Array(readFileSync(out));
}

async function ids(): Promise<number[]> {
  const out: number[] = [];
  for (let start = 0; ; ) {
    const reply = await call(Subjects.getNextId('btf'), { start_id: start });
    if (reply.error) {
      expect(reply.body.code).toBe('ENOENT');
      return out;
    }
    start = reply.body.next_id as number;
    out.push(start);
  }
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'bpfhive-btf-'));
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
  const arena = new Arena();
  const kernel = new Kernel({ maps: new LocalMapProvider(new MapDirectory(arena, 1)), verifier: new NatsVerifier(nc), compiler: new InProcessCompiler() }, { arena });
  service = await startKernelService(nc, { version: '0.1.0', kernel });
  await nc.flush();
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await nc?.close();
  await nats?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('kernel-sim service - BTF', () => {
  it("id 1 is vmlinux: info gives the kernel's BTF bytes", async () => {
    const info = await ok(Subjects.btf(1, 'info'), {});
    expect(info).toMatchObject({ id: 1, name: 'vmlinux', kernel_btf: true, btf_size: kernelBtfBytes().length });
    expect(fromBase64(info.btf as string, 'btf')).toEqual(kernelBtfBytes());
  });

  it("loads each test object's .BTF once fixed up; info gives back the same bytes; get_next_id walks them all", async () => {
    const loaded: number[] = [];
    for (const name of NAMES) {
      const blob = fixupLikeLibbpf(dumpBtf(name));
      const { btf_id } = await ok(Subjects.btfLoad, { btf: toBase64(blob) });
      const info = await ok(Subjects.btf(btf_id as number, 'info'), {});
      expect(info).toMatchObject({ id: btf_id, name: '', kernel_btf: false, btf_size: blob.length });
      expect(fromBase64(info.btf as string, 'btf'), name).toEqual(blob);
      loaded.push(btf_id as number);
    }
    expect(loaded[0]).toBeGreaterThanOrEqual(2);
    expect(await ids()).toEqual([1, ...loaded]);
  });

  it("refuses clang's raw .BTF with EINVAL and the kernel's log line; the whole log with btf_log_level 1", async () => {
    const raw = toBase64(dumpBtf('xdp_parser'));
    const refused = await call(Subjects.btfLoad, { btf: raw });
    expect(refused.error).toBe('22');
    expect(refused.body).toMatchObject({ errno: 22, code: 'EINVAL', log: expect.stringMatching(/^\[\d+\] DATASEC \.bss size=0 vlen=\d+ size == 0\n$/) });
    const logged = await call(Subjects.btfLoad, { btf: raw, btf_log_level: 1 });
    expect(logged.body.log).toMatch(/^magic: 0xeb9f\nversion: 1\n[^]*\n\[1\] [A-Z_]+ [^]* size == 0\n$/);
  });

  it('returns the log and its true size when asked; ENOSPC when it does not fit', async () => {
    const blob = toBase64(fixupLikeLibbpf(dumpBtf('socket_filter')));
    const reply = await ok(Subjects.btfLoad, { btf: blob, btf_log_level: 1 });
    expect(reply.log).toMatch(/^magic: 0xeb9f\n/);
    expect(reply.btf_log_true_size).toBe(Buffer.byteLength(reply.log as string) + 1);
    const small = await call(Subjects.btfLoad, { btf: blob, btf_log_level: 1, btf_log_size: 64 });
    expect(small.body).toMatchObject({ code: 'ENOSPC', log: expect.any(String) });
    expect(Buffer.byteLength(small.body.log as string)).toBe(63);
  });

  it('close frees the object; its id stops resolving; vmlinux cannot be closed', async () => {
    const { btf_id } = await ok(Subjects.btfLoad, { btf: toBase64(fixupLikeLibbpf(dumpBtf('cgroup_sock'))) });
    expect(await ok(Subjects.btf(btf_id as number, 'close'), {})).toEqual({});
    expect((await call(Subjects.btf(btf_id as number, 'info'), {})).body.code).toBe('ENOENT');
    expect(await ids()).not.toContain(btf_id);
    expect((await call(Subjects.btf(1, 'close'), {})).body.code).toBe('EPERM');
  });

  it('answers a malformed request or id with EINVAL', async () => {
    expect((await call(Subjects.btfLoad, { btf: 'not base64!' })).body.code).toBe('EINVAL');
    expect((await call(Subjects.btfLoad, {})).body.code).toBe('EINVAL');
    expect((await call('bpf.v1.btf.x.info', {})).body.code).toBe('EINVAL');
  });
});
