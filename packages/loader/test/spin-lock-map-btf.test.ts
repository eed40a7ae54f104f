import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfClient } from '../src/client/index.js';
import { LoadError, loadCollection } from '../src/loader/index.js';
import { type ObjectSpec, readObject } from '../src/object/index.js';
import { objectBytes } from './objects/fixtures.js';
import { KERNEL_SIM_MAIN, type ServiceProcess, kernelSimBuilt, startMapsStore, startService } from './support/services.js';

/**
 * A struct bpf_spin_lock in a map value, as programs write it: the map is created with the
 * object's BTF (btf_id, btf_key_type_id, btf_value_type_id), the kernel-sim finds the lock's
 * offset in the value type and hands it to the real verifier (the verifier service), which
 * accepts bpf_spin_lock / bpf_spin_unlock on it; the same map without BTF is refused with the
 * kernel's message. The object is test/objects/spin_lock_map.c, built and compared by build.sh.
 */
const VERIFIER_MAIN = fileURLToPath(new URL('../../verifier/dist/main.js', import.meta.url));

describe.skipIf(!kernelSimBuilt() || !existsSync(VERIFIER_MAIN))('bpf_spin_lock in a BTF map value (needs the services built)', () => {
  let nats: NatsTestServer;
  const services: ServiceProcess[] = [];
  let client: BpfClient;
  let spec: ObjectSpec;

  beforeAll(async () => {
    spec = readObject(objectBytes('spin_lock_map'), { path: 'spin_lock_map.o' });
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

  it('spin lock - the map carries the BTF ids, the program is accepted and counts under the lock', async () => {
    const map = spec.maps.find((m) => m.name === 'counters')!;
    expect([map.btfKeyTypeId > 0, map.btfValueTypeId > 0]).toEqual([true, true]);
    const collection = await loadCollection(spec, client);
    try {
      const info = await client.mapInfo(collection.maps.get('counters')!.id);
      expect([info.btf_id! > 1, info.btf_key_type_id, info.btf_value_type_id]).toEqual([true, map.btfKeyTypeId, map.btfValueTypeId]);
      const run = async () => Number((await client.bpf('PROG_TEST_RUN', { prog_id: collection.programs.get('count')!.id, data_in: new Uint8Array(64) })).retval);
      expect([await run(), await run(), await run()]).toEqual([1, 2, 3]);
    } finally {
      await collection.close();
    }
  });

  it('spin lock - the same map created without BTF is refused with the kernel\'s message', async () => {
    const noBtf = { ...spec, maps: spec.maps.map((m) => ({ ...m, btfKeyTypeId: 0, btfValueTypeId: 0 })) };
    const error = await loadCollection(noBtf, client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoadError);
    expect(String((error as Error).message)).toContain("map 'counters' has to have BTF in order to use bpf_spin_lock");
  });
});
