import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { SimSubjects, fromBase64, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfClient } from '../src/client/index.js';
import { simRequest } from '../src/examples/sim.js';
import { type Collection, LoadError, loadCollection } from '../src/loader/index.js';
import { readObject } from '../src/object/index.js';
import { objectBytes } from './objects/fixtures.js';
import { KERNEL_SIM_MAIN, type ServiceProcess, kernelSimBuilt, startMapsStore, startService } from './support/services.js';

/**
 * kfunc_task.o (bpf_task_from_pid, bpf_task_acquire, bpf_task_release, the per-CPU ksym
 * bpf_prog_active) loaded as libbpf loads it — its externs resolved against the kernel BTF
 * fetched over NATS — into the kernel-sim, judged by the real verifier service, and run with
 * BPF_PROG_TEST_RUN on a task of the simulated world; kfunc_unknown.o fails to load, naming
 * the kfunc no kernel has.
 */
const VERIFIER_MAIN = fileURLToPath(new URL('../../verifier/dist/main.js', import.meta.url));

/** struct find_args of kfunc_task.c: pid in; seen_pid, seen_tgid, prog_active out. */
const args = (pid: number): string => {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setInt32(0, pid, true);
  return toBase64(b);
};
const fields = (ctx: string): number[] => {
  const v = new DataView(fromBase64(ctx, 'ctx_out').buffer);
  return [0, 4, 8, 12].map((o) => v.getInt32(o, true));
};

describe.skipIf(!kernelSimBuilt() || !existsSync(VERIFIER_MAIN))('kfuncs over NATS (needs the services built: npx turbo run build)', () => {
  let nats: NatsTestServer;
  const services: ServiceProcess[] = [];
  let client: BpfClient;
  let collection: Collection | undefined;

  beforeAll(async () => {
    nats = await startNatsServer();
    const env = { NATS_URL: nats.url };
    services.push(await startMapsStore(nats.url));
    services.push(await startService(VERIFIER_MAIN, env));
    services.push(await startService(KERNEL_SIM_MAIN, { ...env, KERNEL_SIM_JIT: 'local' }));
    client = await BpfClient.connect({ servers: nats.url });
  }, 60_000);

  afterAll(async () => {
    await collection?.close();
    await client?.close();
    for (const s of services.reverse()) await s.stop();
    await nats?.stop();
  });

  it('kfuncs - find_task finds a task of the world by pid, reads its pid and tgid through a second reference, and this CPU bpf_prog_active', async () => {
    collection = await loadCollection(readObject(objectBytes('kfunc_task'), { path: 'kfunc_task.o' }), client);
    const find = collection.programs.get('find_task')!;
    expect(collection.programs.has('stash_task')).toBe(false); // `?syscall`: not loaded by default
    await simRequest(client, SimSubjects.procSpawn, { pid: 4321, tgid: 4320, comm: 'kworker' });
    // A system call that makes a descriptor brings the kernel objects up to date with the world.
    await simRequest(client, SimSubjects.procSyscall, { pid: 4321, syscall: 'openat', path: '/etc/hostname' });

    const found = await client.bpf('PROG_RUN', { prog_id: find.id, ctx_in: args(4321) });
    expect([found.retval, ...fields(found.ctx_out as string)]).toEqual([0, 4321, 4321, 4320, 0]);

    const none = await client.bpf('PROG_RUN', { prog_id: find.id, ctx_in: args(999_999) });
    expect(none.retval).toBe(-1 >>> 0);
  });

  it('kfuncs - an object calling a kfunc the kernel lacks fails to load, naming it, and leaves nothing behind', async () => {
    const before = await client.bpf('PROG_GET_NEXT_ID', { start_id: 0 }).catch(() => undefined);
    const error = (await loadCollection(readObject(objectBytes('kfunc_unknown'), { path: 'kfunc_unknown.o' }), client).catch((e: unknown) => e)) as LoadError;
    expect(error).toBeInstanceOf(LoadError);
    expect([error.code, error.message]).toEqual(['ESRCH', "resolve extern 'bpf_no_such_kfunc': extern (func ksym) 'bpf_no_such_kfunc': not found in kernel or module BTFs"]);
    expect(await client.bpf('PROG_GET_NEXT_ID', { start_id: 0 }).catch(() => undefined)).toEqual(before);
  });
});
