import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { type Btf, SimSubjects, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfClient } from '../src/client/index.js';
import { simRequest } from '../src/examples/sim.js';
import { LoadError, loadCollection } from '../src/loader/index.js';
import { type ObjectSpec, readObject } from '../src/object/index.js';
import { objectBytes } from './objects/fixtures.js';
import { withKptrTag } from './support/kptr-tag.js';
import { KERNEL_SIM_MAIN, type ServiceProcess, kernelSimBuilt, startMapsStore, startService } from './support/services.js';

/**
 * kfunc_task.o's `stash_task` keeps a task in `task_slots` as a referenced kptr (bpf_kptr_xchg).
 * The map's value type must say so with a `kptr` type tag on the pointer; clang 14 drops
 * `btf_type_tag` attributes, so the checked-in object has none, and the kernel refuses the
 * program ("has no valid kptr"). Adding the tag to the object's BTF, as a newer clang emits it
 * (PTR -> TYPE_TAG "kptr" -> STRUCT task_struct), makes the map carry the kptr to the kernel-sim
 * through map_create's btf_id / btf_value_type_id, and the program loads and runs.
 */
const VERIFIER_MAIN = fileURLToPath(new URL('../../verifier/dist/main.js', import.meta.url));

/** struct find_args of kfunc_task.c with pid set. */
const args = (pid: number): string => {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setInt32(0, pid, true);
  return toBase64(b);
};

const withStash = (spec: ObjectSpec, btf: Btf | undefined = spec.btf): ObjectSpec => ({
  ...spec,
  ...(btf && { btf }),
  programs: spec.programs.filter((p) => p.name === 'stash_task').map((p) => ({ ...p, autoload: true })),
});

describe.skipIf(!kernelSimBuilt() || !existsSync(VERIFIER_MAIN))('kptrs in a map value from the map BTF (needs the services built)', () => {
  let nats: NatsTestServer;
  const services: ServiceProcess[] = [];
  let client: BpfClient;

  beforeAll(async () => {
    nats = await startNatsServer();
    const env = { NATS_URL: nats.url };
    services.push(await startMapsStore(nats.url));
    services.push(await startService(VERIFIER_MAIN, env));
    services.push(await startService(KERNEL_SIM_MAIN, { ...env, KERNEL_SIM_JIT: 'local' }));
    client = await BpfClient.connect({ servers: nats.url });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    for (const s of services.reverse()) await s.stop();
    await nats?.stop();
  });

  const object = () => readObject(objectBytes('kfunc_task'), { path: 'kfunc_task.o' });

  it('kptr - the checked-in object (clang 14: no type tags) has no kptr in its BTF, and stash_task is refused', async () => {
    const spec = object();
    expect(spec.btf!.types.some((t) => t.kind === 'TYPE_TAG')).toBe(false);
    const error = await loadCollection(withStash(spec), client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoadError);
    expect(String((error as Error).message)).toContain("map 'task_slots' has no valid kptr");
  });

  it('kptr - with the kptr tag in the BTF, stash_task loads, stashes a task and swaps it for the next one', async () => {
    const spec = object();
    const collection = await loadCollection(withStash(spec, withKptrTag(spec.btf!)), client);
    try {
      const info = await client.mapInfo(collection.maps.get('task_slots')!.id);
      expect(info.btf_value_type_id).toBe(spec.maps.find((m) => m.name === 'task_slots')!.btfValueTypeId);
      await simRequest(client, SimSubjects.procSpawn, { pid: 5321, tgid: 5320, comm: 'stasher' });
      await simRequest(client, SimSubjects.procSyscall, { pid: 5321, syscall: 'openat', path: '/etc/hostname' });
      const stash = collection.programs.get('stash_task')!;
      const first = await client.bpf('PROG_RUN', { prog_id: stash.id, ctx_in: args(5321) });
      const second = await client.bpf('PROG_RUN', { prog_id: stash.id, ctx_in: args(5321) });
      const missing = await client.bpf('PROG_RUN', { prog_id: stash.id, ctx_in: args(999_999) });
      expect([first.retval, second.retval, missing.retval]).toEqual([0, 0, -2 >>> 0]);
      // `stored` counts the two swaps (the kptr field itself is not asserted: Linux shows it as 0 to user space).
      const value = await client.mapLookup(collection.maps.get('task_slots')!.id, new Uint8Array(4));
      expect(new DataView(value.buffer, value.byteOffset, value.byteLength).getBigUint64(8, true)).toBe(2n);
    } finally {
      await collection.close();
    }
  });
});
