import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { SimSubjects } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfClient, u32 } from '../src/client/index.js';
import { attachAttr } from '../src/examples/index.js';
import { linkClose, linkCreate, simRequest } from '../src/examples/sim.js';
import { loadCollection } from '../src/loader/index.js';
import { readObject } from '../src/object/index.js';
import { KERNEL_SIM_MAIN, type ServiceProcess, kernelSimBuilt, startMapsStore, startService } from './support/services.js';

/**
 * The verifier's tp_btf_walk.o (packages/verifier/test/objects/tp_btf_walk.c): a tp_btf program
 * on sched_switch that reads next->pid, next->tgid, next->real_parent->tgid and prev->pid with
 * plain loads through the task_structs it is given, and an fentry on vfs_read that follows
 * file->f_path.dentry->d_name to the file's name. Loaded as libbpf loads it into the kernel-sim,
 * judged by the real verifier service (which types the arguments and walks the structs), and
 * run on the simulated world's task_struct, file and dentry objects.
 */
const VERIFIER_MAIN = fileURLToPath(new URL('../../verifier/dist/main.js', import.meta.url));
const OBJECT = fileURLToPath(new URL('../../verifier/test/objects/tp_btf_walk.o', import.meta.url));

describe.skipIf(!kernelSimBuilt() || !existsSync(VERIFIER_MAIN))('tp_btf and fentry programs walking kernel structs over NATS (needs the services built)', () => {
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

  it("tp_btf walk - sched_switch records the next task's pid, tgid and parent, the previous task's pid, and fentry/vfs_read the file's name", async () => {
    const collection = await loadCollection(readObject(readFileSync(OBJECT), { path: 'tp_btf_walk.o' }), client, { logLevel: 2 });
    const links: number[] = [];
    try {
      const log = collection.programs.get('on_switch')!.log ?? '';
      expect(log).toContain("func 'sched_switch' arg2 has btf_id");
      expect(log).toMatch(/R6_w=trusted_ptr_task_struct\(\)/);
      for (const p of collection.programs.values()) links.push(await linkCreate(client, attachAttr(p.spec, p.id)));
      await simRequest(client, SimSubjects.procSpawn, { pid: 930, comm: 'bash' });
      await simRequest(client, SimSubjects.procSpawn, { pid: 931, tgid: 931, ppid: 930, comm: 'walker', cpu: 1 });
      const open = await simRequest<{ ret: number }>(client, SimSubjects.procSyscall, { pid: 931, syscall: 'openat', path: '/etc/passwd' });
      const read = await simRequest<{ ret: number }>(client, SimSubjects.procSyscall, { pid: 931, syscall: 'read', fd: open.ret, count: 64 });
      expect(read.ret).toBeGreaterThan(0);

      const s = await client.mapLookup(collection.maps.get('switches')!.id, u32.encode(0));
      const sv = new DataView(s.buffer, s.byteOffset);
      expect({
        nextPid: sv.getUint32(0, true),
        nextTgid: sv.getUint32(4, true),
        parentTgid: sv.getUint32(8, true),
        prevPid: sv.getUint32(12, true),
        comm: Buffer.from(s.subarray(32, 48)).toString('latin1').replace(/\0+$/, ''),
      }).toEqual({ nextPid: 931, nextTgid: 931, parentTgid: 930, prevPid: 0, comm: 'walker' });
      expect(sv.getBigUint64(24, true)).toBeGreaterThan(0n);

      const r = await client.mapLookup(collection.maps.get('reads')!.id, u32.encode(0));
      const rv = new DataView(r.buffer, r.byteOffset);
      expect({ len: rv.getUint32(0, true), reads: rv.getUint32(4, true), name: Buffer.from(r.subarray(8, 40)).toString('latin1').replace(/\0+$/, '') })
        .toEqual({ len: 'passwd'.length, reads: 1, name: 'passwd' });
    } finally {
      for (const id of links.reverse()) await linkClose(client, id);
      await collection.close();
    }
  });
});
