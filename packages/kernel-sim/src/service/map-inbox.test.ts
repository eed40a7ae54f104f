import type { Msg } from '@nats-io/transport-node';
import { Arena, type HostedMap, createMap } from '@bpfhive/maps-store';
import { toBase64 } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { NatsMapInbox } from './map-inbox.js';

/** A message on `bpf.v1.map.5.<command>` (a request unless `reply` is null) that records its answers, an error's code first. */
function request(command: string, body: unknown, reply: string | null = '_INBOX.1') {
  const answers: string[] = [];
  const msg = {
    subject: `bpf.v1.map.5.${command}`,
    reply: reply ?? undefined,
    data: new TextEncoder().encode(JSON.stringify(body)),
    respond: (data: string, opts?: { headers?: { get(k: string): string } }) => {
      answers.push(`${opts?.headers?.get('Nats-Service-Error-Code') ?? ''}${data}`);
      return true;
    },
  };
  return { msg: msg as unknown as Msg, answers };
}

const key = (n: number): string => toBase64(Uint8Array.of(n, 0, 0, 0));
const value = (n: number): string => toBase64(Uint8Array.of(n, 0, 0, 0, 0, 0, 0, 0));

function hashMap(): HostedMap {
  return { id: 5, map: createMap({ map_type: 1, key_size: 4, value_size: 8, max_entries: 8, map_flags: 0 }, new Arena()), frozen: false };
}

describe('leased map inbox', () => {
  it('map inbox - commands that arrive before the contents wait, then are answered in arrival order', async () => {
    const changes: string[] = [];
    const inbox = new NatsMapInbox(() => undefined);
    const update = request('update_elem', { key: key(1), value: value(9), flags: 1 });
    const lookup = request('lookup_elem', { key: key(1) });
    inbox.receive(update.msg);
    inbox.receive(lookup.msg);
    expect([update.answers, lookup.answers]).toEqual([[], []]);
    inbox.serve(hashMap(), () => {
      changes.push('checkpoint');
      return Promise.resolve();
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(update.answers).toEqual(['{}']);
    expect(lookup.answers).toEqual([JSON.stringify({ value: value(9) })]);
    expect(changes).toEqual(['checkpoint']);
  });

  it('map inbox - info, publications and deeper subjects are not ours to answer', async () => {
    const inbox = new NatsMapInbox(() => undefined);
    inbox.serve(hashMap(), () => Promise.resolve());
    const info = request('info', {});
    const published = request('lookup_elem', { key: key(1) }, null);
    const deeper = request('lookup_elem.x', { key: key(1) });
    for (const r of [info, published, deeper]) inbox.receive(r.msg);
    await new Promise((resolve) => setImmediate(resolve));
    expect([info.answers, published.answers, deeper.answers]).toEqual([[], [], []]);
  });

  it('map inbox - while the map goes home only reads are answered; closed, nothing is, and the subscription stops once', async () => {
    let stops = 0;
    const inbox = new NatsMapInbox(() => stops++);
    inbox.serve(hashMap(), () => Promise.resolve());
    inbox.readOnly();
    const update = request('update_elem', { key: key(1), value: value(9), flags: 0 });
    const next = request('get_next_key', {});
    inbox.receive(update.msg);
    inbox.receive(next.msg);
    await new Promise((resolve) => setImmediate(resolve));
    expect(update.answers).toEqual([]);
    expect(next.answers[0]).toMatch(/^2\{"errno":2,"code":"ENOENT"/);
    inbox.close();
    inbox.close();
    const late = request('lookup_elem', { key: key(1) });
    inbox.receive(late.msg);
    expect([late.answers, stops]).toEqual([[], 1]);
  });
});
