import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { BpfClient } from '../src/client/index.js';
import { memoryIo } from '../src/cli/test-io.js';
import { mapBtfAttr, mapCreateAttr } from '../src/loader/maps.js';
import { loadObjectBtf } from '../src/loader/prog-btf.js';
import { readObject } from '../src/object/index.js';
import { objectBytes } from './objects/fixtures.js';
import { type ServiceProcess, kernelSimBuilt, startKernelSim, startMapsStore } from './support/services.js';

/**
 * `bpfhive map …` as bpftool's users type it, against a real NATS server and the maps-store as
 * its own process (test/support/services.ts); in-process through runCli, and once through the
 * bin as a process.
 */
const BIN = fileURLToPath(new URL('../bin/bpfhive.js', import.meta.url));

let nats: NatsTestServer;
let mapsStore: ServiceProcess;

beforeAll(async () => {
  nats = await startNatsServer();
  mapsStore = await startMapsStore(nats.url);
}, 30_000);

afterAll(async () => {
  await mapsStore?.stop();
  await nats?.stop();
});

/** Runs `bpfhive map ARGS --nats URL` in-process. */
async function map(line: string): Promise<{ status: number; out: string; err: string }> {
  const io = memoryIo();
  const status = await runCli(['map', ...line.split(' '), '--nats', nats.url], io);
  return { status, out: io.out(), err: io.err() };
}

/** The id of the map pinned at `path`, read from `map show pinned PATH -j`. */
async function idOf(path: string): Promise<number> {
  const { status, out } = await map(`show pinned ${path} -j`);
  expect(status).toBe(0);
  return (JSON.parse(out) as { id: number }).id;
}

describe('bpfhive map on a hash map', () => {
  const PIN = '/sys/fs/bpf/cli_counters';
  let id: number;

  beforeAll(async () => {
    expect(await map(`create ${PIN} type hash key 4 value 8 entries 1024 name counters`)).toEqual({ status: 0, out: '', err: '' });
    id = await idOf(PIN);
  });

  it('show prints what bpftool prints', async () => {
    expect(await map(`show id ${id}`)).toEqual({
      status: 0,
      out: `${id}: hash  name counters  flags 0x0\n\tkey 4B  value 8B  max_entries 1024  memlock 86016B\n`,
      err: '',
    });
    expect((await map('list')).out).toContain(`${id}: hash  name counters  flags 0x0\n`);
  });

  it('update, lookup, getnext and dump', async () => {
    expect((await map(`update id ${id} key 0x01 0x00 0 0 value 42 0 0 0 0 0 0 0`)).status).toBe(0);
    expect((await map(`update pinned ${PIN} key hex 02 00 00 00 value hex 2b 00 00 00 00 00 00 00 noexist`)).status).toBe(0);
    expect(await map(`lookup name counters key 1 0 0 0`)).toEqual({ status: 0, out: 'key: 01 00 00 00  value: 2a 00 00 00 00 00 00 00\n', err: '' });
    const first = await map(`getnext id ${id}`);
    expect(first.out).toMatch(/^key: None\nnext key:\n0[12] 00 00 00\n$/);
    const dump = await map(`dump id ${id}`);
    expect(dump.status).toBe(0);
    expect(dump.out.split('\n').sort()).toEqual(['', 'Found 2 elements', 'key: 01 00 00 00  value: 2a 00 00 00 00 00 00 00', 'key: 02 00 00 00  value: 2b 00 00 00 00 00 00 00']);
  });

  it('JSON and pretty JSON use bpftool field names and layout', async () => {
    const show = JSON.parse((await map(`show id ${id} --json`)).out) as Record<string, unknown>;
    expect(show).toEqual({ id, type: 'hash', name: 'counters', flags: 0, bytes_key: 4, bytes_value: 8, max_entries: 1024, bytes_memlock: 86016, frozen: 0 });
    const dump = JSON.parse((await map(`dump id ${id} -j`)).out) as { key: string[]; value: string[] }[];
    expect(dump).toContainEqual({ key: ['0x01', '0x00', '0x00', '0x00'], value: ['0x2a', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00'] });
    expect((await map(`lookup id ${id} key 2 0 0 0 -p`)).out).toBe(
      '{\n    "key": ["0x02","0x00","0x00","0x00"\n    ],\n    "value": ["0x2b","0x00","0x00","0x00","0x00","0x00","0x00","0x00"\n    ]\n}\n',
    );
    expect(await map(`update id ${id} key 3 0 0 0 value 0 0 0 0 0 0 0 0 -j`)).toEqual({ status: 0, out: 'null\n', err: '' });
  });

  it('update with noexist on an existing key fails with EEXIST and exit 255', async () => {
    const { status, out, err } = await map(`update id ${id} key 1 0 0 0 value 0 0 0 0 0 0 0 0 noexist`);
    expect({ status, out }).toEqual({ status: 255, out: '' });
    expect(err).toMatch(/^Error: update failed: File exists \(.*\)\n$/);
  });

  it('lookup of an absent key prints Not found and exits 255; -j prints null', async () => {
    expect(await map(`lookup id ${id} key 9 0 0 0`)).toEqual({ status: 255, out: 'key:\n09 00 00 00\n\nNot found\n', err: '' });
    expect(await map(`lookup id ${id} key 9 0 0 0 -j`)).toEqual({ status: 255, out: 'null\n', err: '' });
  });

  it('delete removes the key; deleting it again fails with ENOENT', async () => {
    expect((await map(`delete id ${id} key 3 0 0 0`)).status).toBe(0);
    const again = await map(`delete id ${id} key 3 0 0 0`);
    expect(again.status).toBe(255);
    expect(again.err).toMatch(/^Error: delete failed: No such file or directory/);
  });

  it('a bad key size is rejected before anything is sent', async () => {
    expect(await map(`lookup id ${id} key 1 0`)).toEqual({ status: 255, out: '', err: 'Error: key expected 4 bytes got 2\n' });
  });

  it('pin gives the map a second path; freeze makes it read-only and show says frozen', async () => {
    expect((await map(`pin id ${id} /sys/fs/bpf/cli_counters_2`)).status).toBe(0);
    expect(await idOf('/sys/fs/bpf/cli_counters_2')).toBe(id);
    expect((await map(`freeze pinned ${PIN}`)).status).toBe(0);
    expect((await map(`show id ${id}`)).out).toMatch(/memlock 86016B\n\tfrozen\n$/);
    expect((await map(`update id ${id} key 1 0 0 0 value 0 0 0 0 0 0 0 0`)).err).toMatch(/^Error: update failed: Operation not permitted/);
  });
});

describe('bpfhive map errors', () => {
  it.each([
    ['show id 99999', /^Error: get map by id \(99999\): No such file or directory \(map 99999: no such map\)\n$/],
    ['dump pinned /sys/fs/bpf/none', /^Error: bpf obj get \(\/sys\/fs\/bpf\/none\): No such file or directory/],
    ['lookup tag 01 key 1', /^Error: expected 'id', 'name' or 'pinned', got: 'tag'\?\n$/],
    ['create /sys/fs/bpf/x type hash key 4 value 4 entries 0 name x', /^Error: map create failed: Invalid argument/],
    ['create /tmp/x type hash key 4 value 4 entries 1 name x', /^Error: can't pin the object \(\/tmp\/x\): Invalid argument \(.*\/sys\/fs\/bpf/],
    ['frobnicate', /^Error: unknown map command 'frobnicate'/],
  ])('%s', async (line, message) => {
    const { status, err } = await map(line);
    expect(status).toBe(255);
    expect(err).toMatch(message);
  });

  it('a full map fails with E2BIG', async () => {
    expect((await map('create /sys/fs/bpf/cli_tiny type hash key 4 value 4 entries 1 name tiny')).status).toBe(0);
    expect((await map('update name tiny key 1 0 0 0 value 1 0 0 0')).status).toBe(0);
    expect((await map('update name tiny key 2 0 0 0 value 1 0 0 0')).err).toMatch(/^Error: update failed: Argument list too long/);
  });

  it('in JSON mode an error is an object on standard output', async () => {
    expect(await map('show id 99999 -j')).toMatchObject({ status: 255, out: expect.stringMatching(/^\{"error":"get map by id \(99999\): No such file or directory/), err: '' });
  });

  it('a subcommand without its arguments prints its usage on stderr', async () => {
    const { status, out, err } = await map('dump');
    expect({ status, out }).toEqual({ status: 255, out: '' });
    expect(err).toMatch(/^Usage: bpfhive map dump {7}MAP\n/);
  });

  it('--help prints the usage of the subcommand it follows', async () => {
    const io = memoryIo();
    expect(await runCli(['map', 'lookup', '--help'], io)).toBe(0);
    expect(io.out()).toMatch(/^Usage: bpfhive map lookup {5}MAP \[key DATA\]\n\n {7}MAP := \{ id MAP_ID \| pinned FILE \| name MAP_NAME \}/);
  });
});

describe('bpfhive map on a queue', () => {
  /** A new queue; created through the client: the maps-store cannot pin a queue yet (its snapshot walks keys). */
  async function queue(name: string): Promise<number> {
    const client = await BpfClient.connect({ servers: nats.url });
    return client.mapCreate({ map_type: 'queue', key_size: 0, value_size: 4, max_entries: 4, map_name: name }).finally(() => client.close());
  }

  it('push and enqueue add values; peek shows the oldest', async () => {
    const id = await queue('jobs');
    expect((await map(`push id ${id} value 7 0 0 0`)).status).toBe(0);
    expect((await map('enqueue name jobs value 8 0 0 0')).status).toBe(0);
    expect(await map('peek name jobs')).toEqual({ status: 0, out: 'value: 07 00 00 00\n', err: '' });
  });

  it('pop of an empty queue prints "Error: empty map" on standard output and exits 255; -j prints null', async () => {
    const id = await queue('empty_jobs');
    expect(await map(`pop id ${id}`)).toEqual({ status: 255, out: 'Error: empty map\n', err: '' });
    expect(await map(`dequeue id ${id} -j`)).toEqual({ status: 255, out: 'null\n', err: '' });
  });

  it('pop and dequeue take the values out oldest first', async () => {
    const id = await queue('fifo');
    await map(`push id ${id} value 7 0 0 0`);
    await map(`push id ${id} value 8 0 0 0`);
    expect(await map(`pop id ${id}`)).toEqual({ status: 0, out: 'value: 07 00 00 00\n', err: '' });
    expect(await map(`dequeue id ${id}`)).toEqual({ status: 0, out: 'value: 08 00 00 00\n', err: '' });
  });
});

describe('bpfhive map with a per-CPU array', () => {
  it('an update writes every CPU; lookup prints one line per CPU', async () => {
    expect((await map('create /sys/fs/bpf/cli_percpu type percpu_array key 4 value 4 entries 2 name percpu')).status).toBe(0);
    expect((await map('update name percpu key 1 0 0 0 value 5 0 0 0')).status).toBe(0);
    const { out } = await map('lookup name percpu key 1 0 0 0');
    expect(out).toMatch(/^key:\n01 00 00 00\n(value \(CPU \d\d\): 05 00 00 00\n)+$/);
  });
});

describe.skipIf(!kernelSimBuilt())('bpfhive map on a map with BTF (needs the kernel-sim built, which keeps BTF objects)', () => {
  let kernelSim: ServiceProcess;
  let client: BpfClient;
  let id: number;
  const KEY = 'key hex 0a 00 00 01 0a 00 00 02 bb 01 90 1f 06 00 00 00';

  beforeAll(async () => {
    kernelSim = await startKernelSim(nats.url);
    client = await BpfClient.connect({ servers: nats.url });
    const spec = readObject(objectBytes('xdp_parser'), { path: 'xdp_parser.o' });
    const flows = spec.maps.find((m) => m.name === 'flows')!;
    const btfId = await loadObjectBtf(client, spec.btf!);
    id = await client.mapCreate(mapCreateAttr(flows, undefined, mapBtfAttr(flows, { id: btfId!, btf: spec.btf! })));
    expect((await map(`update id ${id} ${KEY} value 3 0 0 0 0 0 0 0 0xdc 0x05 0 0 0 0 0 0`)).status).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await kernelSim?.stop();
  });

  const ELEMENT = [
    '{',
    '    "key": {',
    '        "saddr": 16777226,',
    '        "daddr": 33554442,',
    '        "sport": 443,',
    '        "dport": 8080,',
    '        "proto": 6,',
    '        "pad": [0,0,0',
    '        ]',
    '    },',
    '    "value": {',
    '        "packets": 3,',
    '        "bytes": 1500',
    '    }',
    '}',
  ];

  it('lookup prints the element as its types say, as bpftool does with BTF', async () => {
    expect(await map(`lookup id ${id} ${KEY}`)).toEqual({ status: 0, out: `${ELEMENT.join('\n')}\n`, err: '' });
  });

  it('dump prints one pretty JSON array of the elements as their types say, and no "Found N elements"', async () => {
    const indented = ELEMENT.map((line) => `    ${line}`).join('\n').trimStart();
    expect(await map(`dump id ${id}`)).toEqual({ status: 0, out: `[${indented}\n]\n`, err: '' });
  });

  it('dump of a name several BTF maps have: one pretty document, a root array of maps with their header and elements', async () => {
    const spec = readObject(objectBytes('xdp_parser'), { path: 'xdp_parser.o' });
    const flows = spec.maps.find((m) => m.name === 'flows')!;
    const { btf_id, map_flags } = await client.mapInfo(id);
    const empty = await client.mapCreate(mapCreateAttr(flows, undefined, mapBtfAttr(flows, { id: btf_id!, btf: spec.btf! })));
    const header = (mapId: number) => ['{', `    "id": ${mapId},`, '    "type": "lru_hash",', '    "name": "flows",', `    "flags": ${map_flags},`];
    const element = ELEMENT.map((line) => `            ${line}`).join('\n').trimStart();
    const expected = [
      `[${header(id).join('\n    ')}`,
      `        "elements": [${element}`,
      '        ]',
      `    },${header(empty).join('\n    ')}`,
      '        "elements": []',
      '    }',
      ']',
      '',
    ].join('\n');
    expect(await map('dump name flows')).toEqual({ status: 0, out: expected, err: '' });
  });

  it('-j still gives the hex key and value with "formatted"', async () => {
    const [entry] = JSON.parse((await map(`dump id ${id} -j`)).out) as { formatted: unknown }[];
    expect(entry!.formatted).toEqual({ key: { saddr: 16777226, daddr: 33554442, sport: 443, dport: 8080, proto: 6, pad: [0, 0, 0] }, value: { packets: 3, bytes: 1500 } });
  });
});

describe('the bpfhive process', () => {
  it('`bpfhive map show -j` prints a JSON array and exits 0, with NATS_URL from the environment', async () => {
    const child = spawn(process.execPath, [BIN, 'map', 'show', '-j'], { env: { ...process.env, NATS_URL: nats.url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const status = await new Promise((resolve) => child.once('close', resolve));
    expect({ status, err }).toEqual({ status: 0, err: '' });
    const maps = JSON.parse(out) as { name?: string }[];
    expect(maps.map((m) => m.name)).toContain('counters');
  });

  it('exits 255 with a bpftool-style error when there is no NATS server', async () => {
    const child = spawn(process.execPath, [BIN, 'map', 'show', '--nats', 'nats://127.0.0.1:1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await new Promise((resolve) => child.once('close', resolve))).toBe(255);
    expect(err).toMatch(/^Error: connect to NATS at nats:\/\/127.0.0.1:1: /);
  });
});
