import type { ChildProcess } from 'node:child_process';
import { type NatsConnection, connect, headers } from '@nats-io/transport-node';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { SUBJECT_PREFIX, Subjects, encodeBtf, fromBase64, toBase64 } from '@bpfhive/uapi';
import { INT_ID, LOCKED_ID, PLAIN_ID, TEST_BTF, TEST_BTF_ID } from '../src/testing/map-btf.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call as callOn, ok as okOn, startMapsStore as startProcess } from './maps-store-process.js';

let nats: NatsTestServer;
let nc: NatsConnection;
let service: ChildProcess;

const u32 = (n: number): string => toBase64(new Uint8Array(new Uint32Array([n]).buffer));
const readU32 = (b64: string): number => new DataView(fromBase64(b64, 'value').buffer).getUint32(0, true);
const call = (subject: string, body: unknown) => callOn(nc, subject, body);
const ok = (subject: string, body: unknown) => okOn(nc, subject, body);
const startMapsStore = (env: NodeJS.ProcessEnv = {}) => startProcess(nats.url, env);

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
  service = (await startMapsStore()).child;
}, 30_000);

afterAll(async () => {
  service?.kill('SIGTERM');
  await nc?.close();
  await nats?.stop();
});

describe('maps-store service', () => {
  it('creates a hash map by its bpftool name and serves the element commands', async () => {
    const { map_id } = (await ok(Subjects.mapCreate, { map_type: 'hash', key_size: 4, value_size: 4, max_entries: 64, map_name: 'counts' })) as { map_id: number };
    const map = (cmd: string) => Subjects.map(map_id, cmd);
    await ok(map('update_elem'), { key: u32(1), value: u32(100) });
    await ok(map('update_elem'), { key: u32(2), value: u32(200), flags: 1 });
    expect(readU32((await ok(map('lookup_elem'), { key: u32(2) })).value as string)).toBe(200);
    expect(await call(map('update_elem'), { key: u32(2), value: u32(1), flags: 1 })).toMatchObject({ error: '17', body: { code: 'EEXIST' } });
    const first = (await ok(map('get_next_key'), {})).next_key as string;
    const second = (await ok(map('get_next_key'), { key: first })).next_key as string;
    expect(new Set([readU32(first), readU32(second)])).toEqual(new Set([1, 2]));
    expect(await call(map('get_next_key'), { key: second })).toMatchObject({ error: '2', body: { code: 'ENOENT' } });
    await ok(map('delete_elem'), { key: u32(1) });
    expect(await call(map('lookup_elem'), { key: u32(1) })).toMatchObject({ error: '2' });
    expect(await ok(map('info'), {})).toMatchObject({ map_id, type_name: 'hash', key_size: 4, name: 'counts', frozen: false });
  });

  it("checks map_create's BTF against the kernel-sim's object, keeps the ids and the value's fields; BPF_F_LOCK works on a value with a spin lock", async () => {
    // A stand-in kernel-sim holding BTF object 5 (TEST_BTF), answering bpf.v1.btf.<id>.info as the real one does.
    const blob = encodeBtf(TEST_BTF);
    const kernel = nc.subscribe(`${SUBJECT_PREFIX}.btf.*.info`, {
      callback: (err, msg) => {
        if (err) return;
        const id = Number(msg.subject.split('.')[3]);
        if (id === TEST_BTF_ID) return void msg.respond(JSON.stringify({ id, name: '', kernel_btf: false, btf_size: blob.length, btf: toBase64(blob) }));
        const h = headers();
        h.set('Nats-Service-Error-Code', '2');
        msg.respond(JSON.stringify({ errno: 2, code: 'ENOENT', message: `btf ${id}: no such BTF object` }), { headers: h });
      },
    });
    await nc.flush();
    try {
      const array = { map_type: 'array', key_size: 4, max_entries: 2, btf_id: TEST_BTF_ID, btf_key_type_id: INT_ID };
      const { map_id } = (await ok(Subjects.mapCreate, { ...array, value_size: 16, btf_value_type_id: PLAIN_ID })) as { map_id: number };
      expect(await ok(Subjects.map(map_id, 'info'), {})).toMatchObject({ map_id, btf_id: TEST_BTF_ID, btf_key_type_id: INT_ID, btf_value_type_id: PLAIN_ID });
      // Refused at map_create now (before: when a program using the map was loaded).
      expect(await call(Subjects.mapCreate, { ...array, value_size: 12, btf_value_type_id: PLAIN_ID })).toMatchObject({
        error: '22',
        body: { code: 'EINVAL', message: expect.stringContaining('value type is 16 bytes, value_size is 12') },
      });
      expect(await call(Subjects.mapCreate, { ...array, value_size: 16, btf_id: 6, btf_value_type_id: PLAIN_ID })).toMatchObject({
        error: '9',
        body: { code: 'EBADF', message: expect.stringContaining('btf_id 6 names no BTF object') },
      });
      const locked = (await ok(Subjects.mapCreate, { ...array, value_size: 8, btf_value_type_id: LOCKED_ID })) as { map_id: number };
      const value = toBase64(new Uint8Array([1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]));
      await ok(Subjects.map(locked.map_id, 'update_elem'), { key: u32(1), value, flags: 4 });
      const zeroedLock = toBase64(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]));
      expect(await ok(Subjects.map(locked.map_id, 'lookup_elem'), { key: u32(1), flags: 4 })).toEqual({ value: zeroedLock });
      expect(await ok(Subjects.map(locked.map_id, 'lookup_batch'), { count: 2, elem_flags: 4 })).toMatchObject({ values: [toBase64(new Uint8Array(8)), zeroedLock] });
      expect(await call(Subjects.map(map_id, 'lookup_elem'), { key: u32(1), flags: 4 })).toMatchObject({ error: '22', body: { message: expect.stringContaining('BPF_F_LOCK needs a value with a struct bpf_spin_lock') } });
    } finally {
      kernel.unsubscribe();
    }
    expect(await call(Subjects.mapCreate, { map_type: 'array', key_size: 4, value_size: 16, max_entries: 2, btf_id: TEST_BTF_ID, btf_value_type_id: PLAIN_ID })).toMatchObject({
      error: '9',
      body: { code: 'EBADF', message: expect.stringContaining('no kernel-sim is answering') },
    });
    const plain = (await ok(Subjects.mapCreate, { map_type: 'array', key_size: 4, value_size: 16, max_entries: 2 })) as { map_id: number };
    expect(await ok(Subjects.map(plain.map_id, 'info'), {})).toMatchObject({ btf_id: 0, btf_key_type_id: 0, btf_value_type_id: 0 });
    const refused = await call(Subjects.mapCreate, { map_type: 'array', key_size: 4, value_size: 16, max_entries: 2, btf_value_type_id: 3 });
    expect(refused).toMatchObject({ error: '22', body: { code: 'EINVAL', message: expect.stringContaining('need a btf_id') } });
  });

  it('moves elements in batches and pages through them', async () => {
    const { map_id } = (await ok(Subjects.mapCreate, { map_type: 1, key_size: 4, value_size: 4, max_entries: 5000 })) as { map_id: number };
    const keys = Array.from({ length: 3000 }, (_, i) => u32(i));
    expect(await ok(Subjects.map(map_id, 'update_batch'), { keys, values: keys })).toEqual({ count: 3000 });
    let seen = 0;
    let in_batch: string | undefined;
    for (;;) {
      const page = (await ok(Subjects.map(map_id, 'lookup_batch'), { count: 1000, ...(in_batch && { in_batch }) })) as {
        keys: string[];
        values: string[];
        out_batch?: string;
        done: boolean;
      };
      page.keys.forEach((k, i) => expect(page.values[i]).toBe(k));
      seen += page.keys.length;
      if (page.done) break;
      in_batch = page.out_batch;
    }
    expect(seen).toBe(3000);
  });

  it('freezes, pins, finds by pin and by next id', async () => {
    const { map_id } = (await ok(Subjects.mapCreate, { map_type: 'array', key_size: 4, value_size: 8, max_entries: 4 })) as { map_id: number };
    await ok(Subjects.map(map_id, 'freeze'), {});
    expect(await call(Subjects.map(map_id, 'update_elem'), { key: u32(0), value: toBase64(new Uint8Array(8)) })).toMatchObject({ error: '1', body: { code: 'EPERM' } });
    await ok(Subjects.objPin, { pathname: '/sys/fs/bpf/frozen_array', map_id });
    expect(await ok(Subjects.objGet, { pathname: '/sys/fs/bpf/frozen_array' })).toEqual({ map_id });
    expect(await call(Subjects.objGet, { pathname: '/sys/fs/bpf/missing' })).toMatchObject({ error: '2' });
    expect(await ok(Subjects.getNextId('map'), { start_id: map_id - 1 })).toEqual({ next_id: map_id });
  });

  it('routes a queue, a stack and a bloom filter through update (push), lookup (peek) and lookup_and_delete (pop), with kernel errnos', async () => {
    const create = async (map_type: string, extra: object = {}) =>
      ((await ok(Subjects.mapCreate, { map_type, key_size: 0, value_size: 4, max_entries: 2, ...extra })) as { map_id: number }).map_id;
    const queue = await create('queue');
    await ok(Subjects.map(queue, 'update_elem'), { key: '', value: u32(1) });
    await ok(Subjects.map(queue, 'update_elem'), { key: '', value: u32(2) });
    expect(await call(Subjects.map(queue, 'update_elem'), { key: '', value: u32(3) })).toMatchObject({ error: '7', body: { code: 'E2BIG' } });
    expect(readU32((await ok(Subjects.map(queue, 'lookup_elem'), {})).value as string)).toBe(1);
    expect(readU32((await ok(Subjects.map(queue, 'lookup_and_delete_elem'), {})).value as string)).toBe(1);
    expect(await call(Subjects.map(queue, 'lookup_and_delete_elem'), { flags: 4 })).toMatchObject({ error: '22' });
    expect(await call(Subjects.map(queue, 'delete_elem'), {})).toMatchObject({ error: '22' });
    const stack = await create('stack');
    await ok(Subjects.map(stack, 'update_elem'), { key: '', value: u32(1) });
    await ok(Subjects.map(stack, 'update_elem'), { key: '', value: u32(2) });
    await ok(Subjects.map(stack, 'update_elem'), { key: '', value: u32(3), flags: 2 });
    expect(readU32((await ok(Subjects.map(stack, 'lookup_and_delete_elem'), {})).value as string)).toBe(3);
    expect(await call(Subjects.map(stack, 'update_elem'), { key: '', value: u32(4), flags: 1 })).toMatchObject({ error: '22' });
    const bloom = await create('bloom_filter', { max_entries: 100, map_extra: 2 });
    await ok(Subjects.map(bloom, 'update_elem'), { key: '', value: u32(42) });
    expect(await ok(Subjects.map(bloom, 'lookup_elem'), { value: u32(42) })).toEqual({ value: u32(42) });
    expect(await call(Subjects.map(bloom, 'lookup_elem'), { value: u32(43) })).toMatchObject({ error: '2' });
    expect(await call(Subjects.map(bloom, 'lookup_and_delete_elem'), {})).toMatchObject({ error: '524', body: { code: 'ENOTSUPP' } });
    expect(await ok(Subjects.map(bloom, 'info'), {})).toMatchObject({ type_name: 'bloom_filter', map_extra: 2 });
  });

  it.each([
    ['an unknown map type', Subjects.mapCreate, { map_type: 'frobnicator', key_size: 4, value_size: 4, max_entries: 1 }, '22', /unknown map_type/],
    ['an array with an 8-byte key', Subjects.mapCreate, { map_type: 'array', key_size: 8, value_size: 4, max_entries: 1 }, '22', /key_size must be 4/],
    ['a missing field', Subjects.mapCreate, { map_type: 'hash', key_size: 4 }, '22', /must have required property 'value_size'/],
    ['a body that is not JSON', Subjects.mapCreate, 'nope', '22', /not JSON/],
    ['a map that does not exist', Subjects.map(99999, 'lookup_elem'), { key: u32(1) }, '2', /map 99999: no such map/],
    ['an unknown command', Subjects.map(1, 'frobnicate'), {}, '22', /unknown map command 'frobnicate'/],
    ['a key that is not base64', Subjects.map(1, 'lookup_elem'), { key: '!!' }, '22', /must match pattern/],
    ['a key of the wrong size', Subjects.map(1, 'lookup_elem'), { key: toBase64(new Uint8Array(3)) }, '22', /key is 3 bytes, the map's key size is 4/],
    ['a pin outside /sys/fs/bpf', Subjects.objPin, { pathname: '/tmp/x', map_id: 1 }, '22', /under \/sys\/fs\/bpf/],
  ])('answers %s with an errno reply, and keeps serving', async (_title, subject, body, errno, message) => {
    const reply = await call(subject, body);
    expect(reply.error).toBe(errno);
    expect(reply.body.message).toMatch(message);
  });
});

describe('maps-store durability', () => {
  it('a pinned map survives SIGKILL of the maps-store: same id, same pin, every element', { timeout: 60_000 }, async () => {
    const { map_id } = (await ok(Subjects.mapCreate, { map_type: 'hash', key_size: 4, value_size: 4, max_entries: 1000 })) as { map_id: number };
    await ok(Subjects.objPin, { pathname: '/sys/fs/bpf/durable_counts', map_id });
    const keys = Array.from({ length: 500 }, (_, i) => u32(i));
    await ok(Subjects.map(map_id, 'update_batch'), { keys, values: keys.map((_, i) => u32(i * 3)) });
    await ok(Subjects.map(map_id, 'update_elem'), { key: u32(7), value: u32(777) });
    await ok(Subjects.map(map_id, 'delete_elem'), { key: u32(8) });
    const unpinned = (await ok(Subjects.mapCreate, { map_type: 'array', key_size: 4, value_size: 4, max_entries: 4 })) as { map_id: number };

    service.kill('SIGKILL');
    await new Promise((resolve) => service.once('exit', resolve));
    const restarted = await startMapsStore();
    service = restarted.child;
    // This one and the frozen array an earlier test pinned.
    expect(restarted.out()).toMatch(/JetStream KV bpfhive_maps; 2 restored/);
    const frozen = (await ok(Subjects.objGet, { pathname: '/sys/fs/bpf/frozen_array' })) as { map_id: number };
    expect(await ok(Subjects.map(frozen.map_id, 'info'), {})).toMatchObject({ type_name: 'array', frozen: true });

    expect(await ok(Subjects.objGet, { pathname: '/sys/fs/bpf/durable_counts' })).toEqual({ map_id });
    expect(readU32((await ok(Subjects.map(map_id, 'lookup_elem'), { key: u32(7) })).value as string)).toBe(777);
    expect(readU32((await ok(Subjects.map(map_id, 'lookup_elem'), { key: u32(499) })).value as string)).toBe(1497);
    expect(await call(Subjects.map(map_id, 'lookup_elem'), { key: u32(8) })).toMatchObject({ error: '2' });
    const page = (await ok(Subjects.map(map_id, 'lookup_batch'), { count: 1000 })) as { keys: string[]; done: boolean };
    expect(page).toMatchObject({ done: true });
    expect(page.keys).toHaveLength(499);
    // A map nobody pinned is gone, as on Linux after a reboot; new ids continue above the old ones.
    expect(await call(Subjects.map(unpinned.map_id, 'info'), {})).toMatchObject({ error: '2' });
    const fresh = (await ok(Subjects.mapCreate, { map_type: 'array', key_size: 4, value_size: 4, max_entries: 4 })) as { map_id: number };
    expect(fresh.map_id).toBeGreaterThan(map_id);
  });
});
