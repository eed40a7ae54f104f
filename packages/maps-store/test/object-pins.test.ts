import type { ChildProcess } from 'node:child_process';
import { type Msg, type NatsConnection, connect, headers } from '@nats-io/transport-node';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { SUBJECT_PREFIX, Subjects } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call as callOn, ok as okOn, startMapsStore } from './maps-store-process.js';

/**
 * Pins of programs and links through the maps-store process, with a stand-in kernel answering
 * bpf.v1.internal.<prog|link>.<id>.<pin|get|unpin> (the kernel-sim's side is tested in
 * packages/kernel-sim/test/pins-nats.test.ts): what the maps-store asks, with which headers, and
 * what it does with the answers.
 */
let nats: NatsTestServer;
let nc: NatsConnection;
let service: ChildProcess;

interface KernelCall {
  readonly subject: string;
  readonly body: Record<string, unknown>;
  readonly requestInfo: string[];
}

/** The stand-in kernel: holds pins of programs 1–9 in boot `boot`, refuses program 13 with EPERM. */
const kernel = { boot: 'boot-a', calls: [] as KernelCall[], held: new Set<string>() };

function answerKernel(msg: Msg): void {
  const body = msg.json<Record<string, unknown>>();
  kernel.calls.push({ subject: msg.subject, body, requestInfo: msg.headers?.values('Nats-Request-Info') ?? [] });
  const [, , , kind, idText, command] = msg.subject.split('.');
  const id = Number(idText);
  const key = `${kind}.${id} ${String(body.pathname)}`;
  const fail = (errno: number, code: string): void => {
    const h = headers();
    h.set('Nats-Service-Error-Code', String(errno));
    msg.respond(JSON.stringify({ errno, code, message: `${kind} ${id}: ${code}` }), { headers: h });
  };
  if (command === 'pin') {
    if (id === 13) return fail(1, 'EPERM');
    if (id > 9) return fail(2, 'ENOENT');
    kernel.held.add(key);
    return void msg.respond(JSON.stringify({ boot_id: kernel.boot }));
  }
  if (body.boot_id !== kernel.boot || !kernel.held.has(key)) return fail(2, 'ENOENT');
  if (command === 'unpin') kernel.held.delete(key);
  msg.respond('{}');
}

const call = (subject: string, body: unknown) => callOn(nc, subject, body);
const ok = (subject: string, body: unknown) => okOn(nc, subject, body);

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
  nc.subscribe(`${SUBJECT_PREFIX}.internal.prog.*.*`, { callback: (err, msg) => void (err ?? answerKernel(msg)) });
  nc.subscribe(`${SUBJECT_PREFIX}.internal.link.*.*`, { callback: (err, msg) => void (err ?? answerKernel(msg)) });
  await nc.flush();
  service = (await startMapsStore(nats.url)).child;
}, 30_000);

afterAll(async () => {
  service?.kill('SIGTERM');
  await nc?.close();
  await nats?.stop();
});

describe('maps-store - pins of programs and links', () => {
  it('obj_pin asks the kernel for a reference with the client\'s identity header; obj_get checks it; obj_unpin drops it', async () => {
    const info = JSON.stringify({ acc: 'TRACER', user: 'alice' });
    const h = headers();
    h.set('Nats-Request-Info', info);
    const pinned = await nc.request(Subjects.objPin, JSON.stringify({ pathname: '/sys/fs/bpf/tracer/prog', prog_id: 3 }), { timeout: 5_000, headers: h });
    expect(pinned.headers?.get('Nats-Service-Error-Code') || '').toBe('');
    expect(kernel.calls.at(-1)).toEqual({ subject: Subjects.internalPin('prog', 3, 'pin'), body: { pathname: '/sys/fs/bpf/tracer/prog' }, requestInfo: [info] });
    expect(await ok(Subjects.objGet, { pathname: '/sys/fs/bpf/tracer/prog' })).toEqual({ prog_id: 3 });
    expect(kernel.calls.at(-1)).toMatchObject({ subject: Subjects.internalPin('prog', 3, 'get'), body: { pathname: '/sys/fs/bpf/tracer/prog', boot_id: 'boot-a' } });
    expect(await ok(Subjects.objUnpin, { pathname: '/sys/fs/bpf/tracer/prog' })).toEqual({});
    expect(kernel.held.size).toBe(0);
    expect(await call(Subjects.objGet, { pathname: '/sys/fs/bpf/tracer/prog' })).toMatchObject({ error: '2', body: { code: 'ENOENT' } });
  });

  it('a kernel refusal (EPERM, ENOENT) is the reply, and the path stays free', async () => {
    expect(await call(Subjects.objPin, { pathname: '/sys/fs/bpf/refused', prog_id: 13 })).toMatchObject({ error: '1', body: { code: 'EPERM' } });
    expect(await call(Subjects.objPin, { pathname: '/sys/fs/bpf/refused', link_id: 42 })).toMatchObject({ error: '2', body: { code: 'ENOENT' } });
    await ok(Subjects.objPin, { pathname: '/sys/fs/bpf/refused', link_id: 4 });
    expect(await ok(Subjects.objGet, { pathname: '/sys/fs/bpf/refused' })).toEqual({ link_id: 4 });
  });

  it('a path names one object: a map pin and a link pin cannot share it (EEXIST); exactly one id is EINVAL otherwise', async () => {
    const { map_id } = (await ok(Subjects.mapCreate, { map_type: 'array', key_size: 4, value_size: 4, max_entries: 1 })) as { map_id: number };
    await ok(Subjects.objPin, { pathname: '/sys/fs/bpf/shared', map_id });
    expect(await call(Subjects.objPin, { pathname: '/sys/fs/bpf/shared', link_id: 5 })).toMatchObject({ error: '17', body: { code: 'EEXIST' } });
    expect(await call(Subjects.objPin, { pathname: '/sys/fs/bpf/two', map_id, link_id: 5 })).toMatchObject({ error: '22', body: { message: expect.stringMatching(/exactly one of map_id, prog_id, link_id \(got map_id, link_id\)/) } });
    expect(await call(Subjects.objPin, { pathname: '/sys/fs/bpf/none' })).toMatchObject({ error: '22' });
    expect(kernel.calls.some((c) => c.body.pathname === '/sys/fs/bpf/shared')).toBe(false);
    await ok(Subjects.objUnpin, { pathname: '/sys/fs/bpf/shared' });
    expect(await ok(Subjects.map(map_id, 'info'), {})).toMatchObject({ map_id });
  });

  it('a pin of a kernel boot that is gone is ENOENT on obj_get and removed; its path may be pinned again', async () => {
    await ok(Subjects.objPin, { pathname: '/sys/fs/bpf/rebooted', prog_id: 7 });
    kernel.boot = 'boot-b';
    kernel.held.clear();
    expect(await call(Subjects.objGet, { pathname: '/sys/fs/bpf/rebooted' })).toMatchObject({ error: '2', body: { message: expect.stringMatching(/program 7 is gone with the kernel that held it/) } });
    expect(await call(Subjects.objUnpin, { pathname: '/sys/fs/bpf/rebooted' })).toMatchObject({ error: '2' });
    await ok(Subjects.objPin, { pathname: '/sys/fs/bpf/rebooted', prog_id: 7 });
    expect(await ok(Subjects.objGet, { pathname: '/sys/fs/bpf/rebooted' })).toEqual({ prog_id: 7 });
  });
});
