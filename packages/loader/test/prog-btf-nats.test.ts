import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { type Btf, SimSubjects, findBtfType } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfClient, u32 } from '../src/client/index.js';
import { attachAttr } from '../src/examples/index.js';
import { linkClose, linkCreate, simRequest } from '../src/examples/sim.js';
import { type Collection, LoadError, fetchKernelBtf, loadCollection, needsKernelBtf } from '../src/loader/index.js';
import { readObject } from '../src/object/index.js';
import { objectBytes } from './objects/fixtures.js';
import { KERNEL_SIM_MAIN, type ServiceProcess, kernelSimBuilt, startMapsStore, startService } from './support/services.js';

/**
 * fentry_core.o (fentry and fexit on vfs_read, tp_btf on sched_switch, CO-RE reads of the
 * current task over a task_struct laid out unlike the kernel's) loaded as libbpf loads it,
 * against the kernel-sim, the verifier and the maps-store as their own processes: the kernel's
 * BTF fetched over NATS is the CO-RE target and where attach_btf_id comes from, the object's
 * .BTF goes in with btf_load and each program names it with its func_info and line_info.
 */
const VERIFIER_MAIN = fileURLToPath(new URL('../../verifier/dist/main.js', import.meta.url));

describe.skipIf(!kernelSimBuilt() || !existsSync(VERIFIER_MAIN))('prog BTF over NATS (needs the services built: npx turbo run build)', () => {
  let nats: NatsTestServer;
  const services: ServiceProcess[] = [];
  let client: BpfClient;
  let kernelBtf: Btf;

  beforeAll(async () => {
    nats = await startNatsServer();
    const env = { NATS_URL: nats.url };
    services.push(await startMapsStore(nats.url));
    services.push(await startService(VERIFIER_MAIN, env));
    services.push(await startService(KERNEL_SIM_MAIN, { ...env, KERNEL_SIM_JIT: 'local' }));
    client = await BpfClient.connect({ servers: nats.url });
    kernelBtf = await fetchKernelBtf(client);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    for (const s of services.reverse()) await s.stop();
    await nats?.stop();
  });

  const spec = () => readObject(objectBytes('fentry_core'), { path: 'fentry_core.o' });

  it('prog btf - each program carries the object BTF and the kernel FUNC it attaches to; the BTF lives as long as they do', async () => {
    const object = spec();
    expect(needsKernelBtf(object)).toBe(true);
    const collection = await loadCollection(object, client, { kernelBtf });
    const infos = await Promise.all([...collection.programs.values()].map((p) => client.bpf('OBJ_GET_INFO_BY_FD', { prog_id: p.id })));
    const vfsRead = findBtfType(kernelBtf, 'vfs_read', 'FUNC');
    expect(infos.map((i) => [i.name, i.attach_btf_id, i.attach_btf_obj_id])).toEqual([
      ['read_entry', vfsRead, 1],
      ['read_exit', vfsRead, 1],
      ['on_switch', findBtfType(kernelBtf, 'btf_trace_sched_switch', 'TYPEDEF'), 1],
    ]);
    const btfId = Number(infos[0]!.btf_id);
    expect(btfId).toBeGreaterThan(1);
    expect(infos.every((i) => i.btf_id === btfId)).toBe(true);
    // The loader closed its handle; the programs hold the object.
    expect(await client.bpf('OBJ_GET_INFO_BY_FD', { btf_id: btfId })).toMatchObject({ id: btfId, kernel_btf: false });
    await collection.close();
    await expect(client.bpf('OBJ_GET_INFO_BY_FD', { btf_id: btfId })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  // libbpf loads vmlinux BTF itself when the object needs it; so does loadCollection when it is given none.
  it.each([
    ['the kernel BTF given', true, 810],
    ['the kernel BTF fetched by loadCollection itself', false, 820],
  ])("prog btf - %s: fentry and fexit on vfs_read see the reader's pid, tgid, parent and comm through CO-RE, the count and what it returned", async (_title, given, parent) => {
    const collection: Collection = await loadCollection(spec(), client, given ? { kernelBtf } : {});
    const links: number[] = [];
    try {
      for (const p of collection.programs.values()) links.push(await linkCreate(client, attachAttr(p.spec, p.id)));
      await simRequest(client, SimSubjects.procSpawn, { pid: parent, comm: 'bash' });
      await simRequest(client, SimSubjects.procSpawn, { pid: parent + 1, ppid: parent, comm: 'cat' });
      await simRequest(client, SimSubjects.procSyscall, { pid: parent + 1, syscall: 'openat', path: '/etc/passwd' });
      const read = await simRequest<{ ret: number }>(client, SimSubjects.procSyscall, { pid: parent + 1, syscall: 'read', fd: 3, count: 100 });
      const value = await client.mapLookup(collection.maps.get('reads')!.id, u32.encode(0));
      const view = new DataView(value.buffer, value.byteOffset);
      expect({
        pid: view.getUint32(0, true),
        tgid: view.getUint32(4, true),
        ppid: view.getUint32(8, true),
        count: view.getBigUint64(16, true),
        ret: view.getBigInt64(24, true),
        comm: Buffer.from(value.subarray(32, 48)).toString('latin1').replace(/\0+$/, ''),
      }).toEqual({ pid: parent + 1, tgid: parent + 1, ppid: parent, count: 100n, ret: BigInt(read.ret), comm: 'cat' });
      expect(read.ret).toBeGreaterThan(0);
      // The reader was switched in: tp_btf counted it.
      const switches = await client.mapLookup(collection.maps.get('switches')!.id, u32.encode(0));
      expect(new DataView(switches.buffer, switches.byteOffset).getBigUint64(0, true)).toBeGreaterThan(0n);
    } finally {
      for (const id of links.reverse()) await linkClose(client, id);
      await collection.close();
    }
  });

  it('prog btf - a section naming a function the kernel BTF lacks fails as libbpf fails, with ESRCH', async () => {
    const object = spec();
    const renamed = { ...object, programs: object.programs.map((p) => (p.name === 'read_entry' ? { ...p, sectionName: 'fentry/no_such_fn', attachTo: 'no_such_fn' } : p)) };
    const error = (await loadCollection(renamed, client, { kernelBtf }).catch((e: unknown) => e)) as LoadError;
    expect(error).toBeInstanceOf(LoadError);
    expect(error.code).toBe('ESRCH');
    expect(error.message).toBe("load program 'read_entry': prog 'read_entry': failed to find kernel BTF type ID of 'no_such_fn' (no FUNC 'no_such_fn' in the kernel's BTF)");
  });

  it('prog btf - given no kernel BTF, loadCollection fetches it: attach_btf_id found, CO-RE applied; a failed load leaves nothing', async () => {
    const collection = await loadCollection(spec(), client);
    try {
      const infos = await Promise.all([...collection.programs.values()].map((p) => client.bpf('OBJ_GET_INFO_BY_FD', { prog_id: p.id })));
      expect(infos.map((i) => i.attach_btf_id)).toEqual([findBtfType(kernelBtf, 'vfs_read', 'FUNC'), findBtfType(kernelBtf, 'vfs_read', 'FUNC'), findBtfType(kernelBtf, 'btf_trace_sched_switch', 'TYPEDEF')]);
    } finally {
      await collection.close();
    }
    // The BTF it fetched is the target of the attach lookup: a function it lacks fails as libbpf fails.
    const object = spec();
    const renamed = { ...object, programs: object.programs.map((p) => (p.name === 'read_exit' ? { ...p, sectionName: 'fexit/no_such_fn', attachTo: 'no_such_fn' } : p)) };
    const error = (await loadCollection(renamed, client).catch((e: unknown) => e)) as LoadError;
    expect([error.code, error.message]).toEqual(['ESRCH', expect.stringContaining("failed to find kernel BTF type ID of 'no_such_fn'")]);
    // Nothing of the object is left: its BTF and the program loaded before went with the failed load.
    const ids: number[] = [];
    for await (const id of client.ids('btf')) ids.push(id);
    expect(ids).toEqual([1]);
  });

  it('prog btf - the kernel-sim serves its BTF as object 1, named vmlinux', async () => {
    expect(await client.bpf('OBJ_GET_INFO_BY_FD', { btf_id: 1 })).toMatchObject({ id: 1, name: 'vmlinux', kernel_btf: true });
    expect(findBtfType(kernelBtf, 'task_struct', 'STRUCT')).toBeGreaterThan(0);
  });
});
