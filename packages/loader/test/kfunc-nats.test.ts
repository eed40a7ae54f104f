import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { SimSubjects, fromBase64, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/test-io.js';
import { BpfClient } from '../src/client/index.js';
import { simRequest } from '../src/examples/sim.js';
import { type Collection, LoadError, loadCollection } from '../src/loader/index.js';
import { readObject } from '../src/object/index.js';
import { OBJECTS_DIR, objectBytes } from './objects/fixtures.js';
import { KERNEL_SIM_MAIN, type ServiceProcess, kernelSimBuilt, startMapsStore, startService } from './support/services.js';

/**
 * kfunc_task.o (bpf_task_from_pid, bpf_task_acquire, bpf_task_release, the per-CPU ksym
 * bpf_prog_active) loaded as libbpf loads it — its externs resolved against the kernel BTF
 * fetched over NATS — into the kernel-sim, judged by the real verifier service, and run with
 * BPF_PROG_TEST_RUN on a task of the simulated world; kfunc_unknown.o fails to load, naming
 * the kfunc no kernel has; kfunc_weak.o's unguarded call of a weak kfunc no kernel has is
 * refused naming it, and its other programs load (the guarded call is dead code, sanitized to ja -1).
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

  it("kfuncs - weak kfuncs: the kernel refuses the reachable poisoned call, named as libbpf names it; weak kfuncs the kernel has load and run", async () => {
    const spec = readObject(objectBytes('kfunc_weak'), { path: 'kfunc_weak.o' });
    const error = (await loadCollection(spec, client, { logLevel: 1 }).catch((e: unknown) => e)) as LoadError;
    expect(error).toBeInstanceOf(LoadError);
    // Linux's check_helper_call refuses an unknown helper id with EINVAL.
    expect([error.code, error.message]).toEqual(['EINVAL', "load program 'call_unguarded': kfunc 'bpf_maybe_kfunc' is referenced but wasn't resolved (insn 1)"]);
    expect(error.log).toContain("1: <invalid kfunc call>\nkfunc 'bpf_maybe_kfunc' is referenced but wasn't resolved\n");

    const present = await loadCollection({ ...spec, programs: spec.programs.filter((p) => p.name === 'call_present') }, client);
    try {
      const run = (pid: number) => client.bpf('PROG_RUN', { prog_id: present.programs.get('call_present')!.id, ctx_in: args(pid) });
      await simRequest(client, SimSubjects.procSpawn, { pid: 5150, tgid: 5150, comm: 'weak' });
      await simRequest(client, SimSubjects.procSyscall, { pid: 5150, syscall: 'openat', path: '/etc/hostname' });
      expect((await run(5150)).retval).toBe(0);
      expect((await run(999_999)).retval).toBe(-1 >>> 0);
    } finally {
      await present.close();
    }
  });

  it('kfuncs - bpfhive prog loadall of kfunc_weak.o fails with exit 255, printing the log as libbpf rewrites it and naming the kfunc', async () => {
    const io = memoryIo();
    const status = await runCli(['prog', 'loadall', join(OBJECTS_DIR, 'kfunc_weak.o'), '/sys/fs/bpf/kfunc_weak', '--nats', nats.url], io);
    expect({ status, out: io.out() }).toEqual({ status: 255, out: '' });
    expect(io.err()).toContain("1: <invalid kfunc call>\nkfunc 'bpf_maybe_kfunc' is referenced but wasn't resolved\n");
    expect(io.err()).toMatch(/Error: failed to load object file: Invalid argument \(load program 'call_unguarded': kfunc 'bpf_maybe_kfunc' is referenced but wasn't resolved \(insn 1\)\)\n$/);
  });

  it('kfuncs - a poisoned call guarded by bpf_ksym_exists() is dead code: it loads, runs its live path, and dumps as ja -1 where the call was', async () => {
    const spec = readObject(objectBytes('kfunc_weak'), { path: 'kfunc_weak.o' });
    // The verifier proves `if (!!bpf_maybe_kfunc)` false: the load and the poisoned call are never reached,
    // so neither the verifier (check_helper_call) nor the kernel (sanitize_dead_code) looks at them.
    const guarded = await loadCollection({ ...spec, programs: spec.programs.filter((p) => p.name === 'call_guarded') }, client);
    try {
      const id = guarded.programs.get('call_guarded')!.id;
      expect((await client.bpf('PROG_RUN', { prog_id: id, ctx_in: args(7) })).retval).toBe(-1 >>> 0);
      const io = memoryIo();
      expect(await runCli(['prog', 'dump', 'xlated', 'id', String(id), '--nats', nats.url], io)).toBe(0);
      expect(io.out()).toBe(
        [
          '   0: (18) r0 = 4294967295 ll',
          '   2: (18) r2 = 0 ll',
          '   4: (15) if r2 == 0 goto +2',
          // Linux's xlated dump shows sanitize_dead_code's `ja -1` in the same slots (bpftool: "goto pc-1").
          '   5: (05) goto -1',
          '   6: (05) goto -1',
          '   7: (95) exit',
          '',
        ].join('\n'),
      );
    } finally {
      await guarded.close();
    }
  });
});
