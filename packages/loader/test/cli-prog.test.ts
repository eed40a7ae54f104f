import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type NatsTestServer, startNatsServer } from '@bpfhive/testkit';
import { decode, fromBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/test-io.js';
import { BpfClient } from '../src/client/index.js';
import { type Collection, loadCollection } from '../src/loader/index.js';
import { readObject } from '../src/object/index.js';
import { OBJECTS_DIR, objectBytes } from './objects/fixtures.js';
import { serveProgramsOverNats } from './support/fake-bus.js';
import { FakeKernel } from './support/fake-kernel.js';
import { type ServiceProcess, startMapsStore } from './support/services.js';

/**
 * `bpfhive prog …` as bpftool's users type it, in-process through runCli, against a real NATS
 * server with the maps-store as its own process and a FakeKernel answering the kernel-sim's
 * program subjects (its info replies carry xlated instructions and WAT, which the kernel-sim's
 * do not yet; cli-prog-kernel.test.ts runs against the kernel-sim itself).
 */

let nats: NatsTestServer;
let mapsStore: ServiceProcess;
let nc: NatsConnection;
let client: BpfClient;
const kernel = new FakeKernel({ xlated: true, jitedWat: true });
let parser: Collection;
const dir = mkdtempSync(join(tmpdir(), 'bpfhive-cli-prog-'));

beforeAll(async () => {
  nats = await startNatsServer();
  mapsStore = await startMapsStore(nats.url);
  nc = await connect({ servers: nats.url });
  await serveProgramsOverNats(nc, kernel);
  client = await BpfClient.connect({ servers: nats.url });
  parser = await loadCollection(readObject(objectBytes('xdp_parser'), { path: 'xdp_parser.o' }), client);
}, 30_000);

afterAll(async () => {
  await client?.close();
  await nc?.close();
  await mapsStore?.stop();
  await nats?.stop();
});

/** Runs `bpfhive ARGS --nats URL` in-process; `stdin` feeds `-`. */
async function bpfhive(line: string, stdin: string | Uint8Array = ''): Promise<{ status: number; out: string; err: string }> {
  const io = memoryIo(stdin);
  const status = await runCli([...line.split(' '), '--nats', nats.url], io);
  return { status, out: io.out(), err: io.err() };
}

const idOf = (name: string): number => parser.programs.get(name)!.id;
const infoOf = (name: string) => client.bpf('OBJ_GET_INFO_BY_FD', { prog_id: idOf(name) });

describe('bpfhive prog show', () => {
  it('prints what bpftool prints', async () => {
    const info = await infoOf('xdp_parse');
    const mapIds = (info.map_ids as number[]).join(',');
    const { status, out, err } = await bpfhive(`prog show id ${idOf('xdp_parse')}`);
    expect({ status, err }).toEqual({ status: 0, err: '' });
    expect(out).toMatch(
      new RegExp(
        `^${idOf('xdp_parse')}: xdp  name xdp_parse  tag ${String(info.tag)}  gpl\\n` +
          `\\tloaded_at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[+-]\\d{4}  uid 0\\n` +
          `\\txlated ${Number(info.xlated_prog_len)}B  jited 96B  map_ids ${mapIds}\\n$`,
      ),
    );
    expect(mapIds.split(',').map(Number).sort()).toEqual([...parser.maps.values()].map((m) => m.id).sort());
  });

  it('list prints every program; -j is an array with bpftool field names', async () => {
    expect((await bpfhive('prog list')).out).toMatch(new RegExp(`^${idOf('xdp_frags_pass')}: xdp  name xdp_frags_pass  tag [0-9a-f]{16}  gpl$`, 'm'));
    const all = JSON.parse((await bpfhive('prog list -j')).out) as Record<string, unknown>[];
    const frags = all.find((p) => p.name === 'xdp_frags_pass')!;
    expect(Object.keys(frags)).toEqual(['id', 'type', 'name', 'tag', 'gpl_compatible', 'loaded_at', 'uid', 'orphaned', 'bytes_xlated', 'jited', 'bytes_jited', 'map_ids', 'verified_insns']);
    expect(frags).toMatchObject({ id: idOf('xdp_frags_pass'), type: 'xdp', gpl_compatible: true, uid: 0, jited: true, bytes_jited: 96, verified_insns: 17 });
    expect(typeof frags.loaded_at).toBe('number');
  });

  it('finds programs by name, tag and id; -p pretty-prints one object', async () => {
    const tag = String((await infoOf('xdp_parse')).tag);
    const byName = await bpfhive('prog show name xdp_parse -p');
    expect(byName.out).toMatch(new RegExp(`^\\{\\n    "id": ${idOf('xdp_parse')},\\n    "type": "xdp",\\n    "name": "xdp_parse",\\n    "tag": "${tag}",\\n`));
    expect((await bpfhive(`prog show tag ${tag}`)).out).toMatch(new RegExp(`^${idOf('xdp_parse')}: xdp  name xdp_parse`));
  });

  it('runs after a run shows run_time_ns and run_cnt in the header', async () => {
    const id = idOf('xdp_frags_pass');
    const data = join(dir, 'counted.bin');
    writeFileSync(data, new Uint8Array(60));
    expect((await bpfhive(`prog run id ${id} data_in ${data} repeat 2`)).status).toBe(0);
    expect((await bpfhive(`prog show id ${id}`)).out.split('\n')[0]).toMatch(/ {2}gpl run_time_ns 14 run_cnt 2$/);
  });

  it.each([
    ['prog show id 999', /^Error: get by id \(999\): No such file or directory \(program 999: no such program\)\n$/],
    ['prog show name nope', /^Error: no program with name nope\n$/],
    ['prog show tag 12', /^Error: can't parse tag\n$/],
    ['prog show ident 1', /^Error: expected 'id', 'tag', 'name' or 'pinned', got: 'ident'\?\n$/],
    ['prog show pinned /sys/fs/bpf/none', /^Error: bpf obj get \(\/sys\/fs\/bpf\/none\): No such file or directory/],
    ['prog frobnicate', /^Error: unknown prog command 'frobnicate'; run 'bpfhive prog help'\n$/],
  ])('%s fails with exit 255', async (line, message) => {
    const { status, err } = await bpfhive(line);
    expect(status).toBe(255);
    expect(err).toMatch(message);
  });

  it('a pinned map is not a program', async () => {
    const map = parser.maps.get('verdicts')!.id;
    expect((await bpfhive(`map pin id ${map} /sys/fs/bpf/cli_prog_verdicts`)).status).toBe(0);
    expect(await bpfhive('prog show pinned /sys/fs/bpf/cli_prog_verdicts')).toMatchObject({ status: 255, err: 'Error: incorrect object type: map\n' });
  });
});

describe('bpfhive prog dump', () => {
  it('xlated prints the instructions as bpftool lays them out, map references by id', async () => {
    const { status, out } = await bpfhive(`prog dump xlated id ${idOf('xdp_frags_pass')}`);
    expect(status).toBe(0);
    const verdicts = parser.maps.get('verdicts')!.id;
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^ {3}0: \([0-9a-f]{2}\) /);
    expect(lines).toContain(`   7: (18) r1 = map[id:${verdicts}]`);
    expect(lines).toContain('   9: (85) call bpf_map_lookup_elem#1');
    expect(lines.at(-2)).toMatch(/: \(95\) exit$/);
  });

  it('xlated with opcodes adds each instruction\'s bytes; -j gives disasm and opcodes objects', async () => {
    const id = idOf('xdp_frags_pass');
    const { out } = await bpfhive(`prog dump xlated id ${id} opcodes`);
    expect(out.split('\n').slice(0, 2)).toEqual([expect.stringMatching(/^ {3}0: \(/), expect.stringMatching(/^ {7}[0-9a-f]{2}( [0-9a-f]{2}){7}$/)]);
    const json = JSON.parse((await bpfhive(`prog dump xlated id ${id} opcodes -j`)).out) as { disasm: string; opcodes: { code: string; imm: string[] } }[];
    const lddw = json.find((i) => i.disasm.startsWith('(18)'))!;
    expect(lddw).toEqual({ disasm: `(18) r1 = map[id:${parser.maps.get('verdicts')!.id}]`, opcodes: { code: '0x18', src_reg: '0x1', dst_reg: '0x1', off: ['0x00', '0x00'], imm: expect.any(Array) } });
    expect(lddw.opcodes.imm).toHaveLength(12);
  });

  it('xlated file FILE writes the raw instructions', async () => {
    const file = join(dir, 'frags.xlated');
    expect(await bpfhive(`prog dump xlated id ${idOf('xdp_frags_pass')} file ${file}`)).toEqual({ status: 0, out: '', err: '' });
    const sent = kernel.callsTo('prog_load').find((c) => c.body.prog_name === 'xdp_frags_pass')!;
    expect(decode(new Uint8Array(readFileSync(file)))).toEqual(decode(fromBase64(String(sent.body.insns), 'insns')));
  });

  it('jited prints the WebAssembly text, -j as an object', async () => {
    const { status, out } = await bpfhive(`prog dump jited id ${idOf('xdp_parse')}`);
    expect({ status, out }).toEqual({ status: 0, out: '(module\n  (func $prog (result i64)\n    i64.const 2))\n' });
    expect(JSON.parse((await bpfhive(`prog dump jited id ${idOf('xdp_parse')} -j`)).out)).toEqual({ wat: '(module\n  (func $prog (result i64)\n    i64.const 2))\n' });
  });

  it('a name matching several programs dumps each under its header', async () => {
    const object = readObject(objectBytes('socket_filter'), { path: 'socket_filter.o' });
    const loaded = [await loadCollection(object, client), await loadCollection(object, client)];
    try {
      const ids = loaded.map((c) => c.programs.get('count_protocols')!.id);
      const { status, out } = await bpfhive('prog dump xlated name count_protocols');
      expect(status).toBe(0);
      const [first, second] = out.split('\n\n');
      expect(first).toMatch(new RegExp(`^${ids[0]}: socket_filter  name count_protocols  tag [0-9a-f]{16}  gpl\\n   0: \\(`));
      expect(second).toMatch(new RegExp(`^${ids[1]}: socket_filter  name count_protocols  tag `));
      const json = JSON.parse((await bpfhive('prog dump xlated name count_protocols -j')).out) as { id: number; name: string; insns: unknown[] }[];
      expect(json.map((p) => [p.id, p.name, p.insns.length])).toEqual(ids.map((id) => [id, 'count_protocols', 26]));
    } finally {
      for (const c of loaded) await c.close().catch(() => undefined);
    }
  });

  it.each([
    ['prog dump', /^Usage: bpfhive prog dump xlated PROG/],
    ['prog dump native id 1', /^Error: expected 'xlated' or 'jited', got: native\n$/],
    ['prog dump xlated id 1 linum', /^Error: 'linum' needs line info/],
    ['prog dump xlated id 1 file /tmp/x opcodes', /^Error: 'file' is not compatible with 'opcodes', 'visual', or 'linum'\n$/],
  ])('%s fails with exit 255', async (line, message) => {
    const { status, err } = await bpfhive(line);
    expect(status).toBe(255);
    expect(err).toMatch(message);
  });
});

describe('bpfhive prog run', () => {
  it('prints the return value and the average duration, and the output data as bpftool hex-prints it', async () => {
    const data = join(dir, 'packet.bin');
    writeFileSync(data, Buffer.from('0123456789abcdefXY'));
    const { status, out, err } = await bpfhive(`prog run id ${idOf('xdp_parse')} data_in ${data} data_out - repeat 3`);
    expect({ status, err }).toEqual({ status: 0, err: '' });
    expect(out).toBe(
      '0000000\t3031 3233 3435 3637 3839 6162 6364 6566 | 01234567 89abcdef\n' +
        `0000010\t${'5859 '.padEnd(40)}| XY\n` +
        'Return value: 2, duration (average): 7ns\n',
    );
    const run = kernel.callsTo('.test_run').at(-1)!;
    expect(run.body).toEqual({ data_in: Buffer.from('0123456789abcdefXY').toString('base64'), data_size_out: 32768, repeat: 3 });
  });

  it('reads data_in from standard input, writes data_out and ctx_out to files; -j is one object', async () => {
    const ctxIn = join(dir, 'ctx.bin');
    writeFileSync(ctxIn, new Uint8Array([1, 2, 3, 4]));
    const dataOut = join(dir, 'out.bin');
    const { status, out } = await bpfhive(`prog run name xdp_parse data_in - data_out ${dataOut} ctx_in ${ctxIn} ctx_out - -j`, 'abc');
    expect(status).toBe(0);
    expect(JSON.parse(out)).toEqual({ ctx_out: [1, 2, 3, 4], retval: 2, duration: 7 });
    expect(readFileSync(dataOut).toString()).toBe('abc');
    expect(await bpfhive(`prog run id ${idOf('xdp_parse')} data_in -`, 'x')).toMatchObject({ status: 0, out: 'Return value: 2, duration: 7ns\n' });
  });

  it.each([
    ['prog run id 1', /^Error: 'run' needs at least 4 arguments, 2 found\n$/],
    ['prog run id 1 data /tmp/x', /^Error: ambiguous prefix: 'data' could be 'data_in' or 'data_out' or 'data_size_out'\n$/],
    ['prog run id 1 data_in - ctx_in -', /^Error: cannot use standard input for both data_in and ctx_in\n$/],
    ['prog run id 1 data_in /tmp/x repeat many', /^Error: can't parse many as repeat number\n$/],
    ['prog run id 1 data_in /nonexistent/packet', /^Error: cannot open \/nonexistent\/packet: no such file\n$/],
  ])('%s fails with exit 255', async (line, message) => {
    const { status, err } = await bpfhive(line);
    expect(status).toBe(255);
    expect(err).toMatch(message);
  });
});

describe('bpfhive prog load and loadall', () => {
  const object = (name: string): string => join(OBJECTS_DIR, `${name}.o`);
  const programCount = (): number => kernel.programs.size;

  it('load pins the first program at PATH and exits 0; the program outlives the command, and show pinned PATH finds it', async () => {
    const before = programCount();
    const { status, out, err } = await bpfhive(`prog load ${object('socket_filter')} /sys/fs/bpf/cli_socket`);
    expect({ status, out }).toEqual({ status: 0, out: '' });
    expect(err).not.toMatch(/^(Error|Warning)/m);
    expect(kernel.callsTo('prog_load').at(-1)!.body).toMatchObject({ prog_name: 'count_protocols', kern_version: 331520 });
    expect(programCount()).toBe(before + 1);
    const shown = await bpfhive('prog show pinned /sys/fs/bpf/cli_socket -j');
    expect(shown.status).toBe(0);
    expect(JSON.parse(shown.out)).toMatchObject({ type: 'socket_filter', name: 'count_protocols' });
  });

  it('load onto a taken PATH fails at the pin and closes what it loaded (EEXIST)', async () => {
    const before = programCount();
    const { status, out, err } = await bpfhive(`prog load ${object('socket_filter')} /sys/fs/bpf/cli_socket`);
    expect({ status, out }).toEqual({ status: 255, out: '' });
    expect(err).toMatch(/Error: failed to pin program socket: File exists/);
    expect(programCount()).toBe(before);
  });

  it('loadall pins every program under the directory PATH and, with pinmaps, every map under MAP_DIR', async () => {
    const { status, err } = await bpfhive(`prog loadall ${object('xdp_parser')} /sys/fs/bpf/cli_all/ pinmaps /sys/fs/bpf/cli_all_maps`);
    expect(status).toBe(0);
    expect(err).not.toMatch(/^(Error|Warning)/m);
    for (const name of ['xdp_parse', 'xdp_frags_pass']) {
      const shown = await bpfhive(`prog show pinned /sys/fs/bpf/cli_all/${name} -j`);
      expect(JSON.parse(shown.out)).toMatchObject({ name });
    }
    const verdicts = await bpfhive('map show pinned /sys/fs/bpf/cli_all_maps/verdicts -j');
    expect(JSON.parse(verdicts.out)).toMatchObject({ name: 'verdicts' });
  });

  it('loadall whose second pin fails (EEXIST) takes back the pin it made and closes what it loaded', async () => {
    const [first, second] = [...parser.programs.keys()];
    await client.objPin(`/sys/fs/bpf/cli_taken/${second}`, { map_id: parser.maps.get('verdicts')!.id });
    const before = programCount();
    const { status, err } = await bpfhive(`prog loadall ${object('xdp_parser')} /sys/fs/bpf/cli_taken`);
    expect(status).toBe(255);
    expect(err).toMatch(/Error: failed to pin all programs: File exists/);
    expect(await bpfhive(`prog show pinned /sys/fs/bpf/cli_taken/${first}`)).toMatchObject({ status: 255, err: expect.stringMatching(/No such file or directory/) });
    expect(programCount()).toBe(before);
  });

  it('loadall with type and map replacement sends them with every program', async () => {
    const verdicts = parser.maps.get('verdicts')!.id;
    const { status, err } = await bpfhive(`prog loadall ${object('xdp_parser')} /sys/fs/bpf/cli_xdp type classifier map name verdicts id ${verdicts}`);
    expect(status).toBe(0);
    expect(err).not.toMatch(/^(Error|Warning)/m);
    const [parse, frags] = kernel.callsTo('prog_load').slice(-2);
    expect([parse!.body.prog_type, frags!.body.prog_type, frags!.body.expected_attach_type]).toEqual([3, 3, undefined]);
    expect(decode(fromBase64(String(frags!.body.insns), 'insns'))[7]!.imm).toBe(verdicts);
  });

  it('on a terminal, loadall prints one progress line per map and program on stderr; piped or with -j, none', async () => {
    const loadall = async (dir: string, tty: boolean, json = ''): Promise<{ status: number; err: string }> => {
      const io = memoryIo('', { tty });
      const status = await runCli(['prog', 'loadall', object('xdp_parser'), `/sys/fs/bpf/${dir}`, ...(json ? [json] : []), '--nats', nats.url], io);
      return { status, err: io.err() };
    };
    const maps = [...parser.maps.keys()].map((name, i, all) => `created map ${i + 1}/${all.length} '${name}'`);
    const programs = [...parser.programs.keys()].map((name, i, all) => `loaded program ${i + 1}/${all.length} '${name}'`);
    const onTty = await loadall('cli_progress_tty', true);
    expect(onTty.status).toBe(0);
    expect(onTty.err.split('\n').filter((line) => /^(created map|loaded program) /.test(line))).toEqual([...maps, ...programs]);
    expect(await loadall('cli_progress_pipe', false)).toEqual({ status: 0, err: '' });
    expect(await loadall('cli_progress_json', true, '-j')).toEqual({ status: 0, err: '' });
  });

  it('a program the verifier refuses prints its log as libbpf does and names it in the error', async () => {
    kernel.refuse.set('count_protocols', '0: (b7) r0 = 0\nR1 invalid mem access\n');
    try {
      const { status, err } = await bpfhive(`prog load ${object('socket_filter')} /sys/fs/bpf/cli_refused`);
      expect(status).toBe(255);
      expect(err).toMatch(
        /^libbpf: prog 'count_protocols': -- BEGIN PROG LOAD LOG --\n0: \(b7\) r0 = 0\nR1 invalid mem access\n-- END PROG LOAD LOG --\n(Warning: .*\n)*Error: failed to load object file: Permission denied \(load program 'count_protocols': /,
      );
    } finally {
      kernel.refuse.delete('count_protocols');
    }
  });

  it('a big-endian object (clang -target bpfeb) is refused as libbpf refuses to load one, before anything is created', async () => {
    const before = kernel.calls.length;
    const { status, out, err } = await bpfhive(`prog loadall ${object('xdp_parser.bpfeb')} /sys/fs/bpf/cli_bpfeb`);
    expect({ status, out }).toEqual({ status: 255, out: '' });
    expect(err).toBe(
      "Error: failed to load object file: Invalid argument (load object: object 'xdp_parser': loading non-native endianness is unsupported " +
        "(the object is big-endian, clang -target bpfeb; bpfhive's kernel is little-endian: build with -target bpf))\n",
    );
    expect(kernel.calls.slice(before).filter((c) => /map_create|prog_load|btf_load/.test(c.subject))).toEqual([]);
  });

  it.each([
    ['prog load /nonexistent.o /sys/fs/bpf/x', /^Error: failed to open object file: \/nonexistent.o: no such file\n$/],
    [`prog load ${fileURLToPath(import.meta.url)} /sys/fs/bpf/x`, /^Error: failed to open object file: /],
    ['prog load a.o /sys/fs/bpf/x type nosuch', /^Error: failed to guess program type from ELF section 'nosuch'\n$/],
    ['prog load a.o /sys/fs/bpf/x type xdp type xdp', /^Error: program type already specified\n$/],
    ['prog load a.o /sys/fs/bpf/x map slot 0 id 1', /^Error: expected 'idx' or 'name', got: 'slot'\?\n$/],
    ['prog load a.o /sys/fs/bpf/x offload_dev eth0', /^Error: devices are not simulated/],
    ['prog load a.o /sys/fs/bpf/x frobnicate', /^Error: expected no more arguments, 'type', 'map', 'pinmaps' or 'autoattach', got: 'frobnicate'\?\n$/],
    [`prog load OBJ /sys/fs/bpf/x map name nope id 1`, /^Error: unable to find map 'nope'\n$/],
    [`prog load OBJ /sys/fs/bpf/x map idx 9 id 1`, /^Error: map idx '9' not used\n$/],
  ])('%s fails with exit 255', async (line, message) => {
    const { status, err } = await bpfhive(line.replace('OBJ', object('socket_filter')));
    expect(status).toBe(255);
    expect(err).toMatch(message);
  });

  it('pin PROG FILE pins the program; show pinned FILE shows it; a second pin at FILE is EEXIST', async () => {
    expect(await bpfhive(`prog pin id ${idOf('xdp_parse')} /sys/fs/bpf/cli_pinned_prog`)).toEqual({ status: 0, out: '', err: '' });
    expect((await bpfhive('prog show pinned /sys/fs/bpf/cli_pinned_prog')).out).toMatch(new RegExp(`^${idOf('xdp_parse')}: xdp  name xdp_parse  `));
    const again = await bpfhive(`prog pin id ${idOf('xdp_frags_pass')} /sys/fs/bpf/cli_pinned_prog`);
    expect(again.status).toBe(255);
    expect(again.err).toMatch(/^Error: can't pin the object \(\/sys\/fs\/bpf\/cli_pinned_prog\): File exists/);
  });
});

describe('bpfhive prog help and options', () => {
  it('--help prints the usage of the subcommand it follows; prog help the whole usage', async () => {
    const io = memoryIo();
    expect(await runCli(['prog', 'run', '--help'], io)).toBe(0);
    expect(io.out()).toMatch(/^Usage: bpfhive prog run PROG \\\n {25}data_in FILE \\\n/);
    const all = await bpfhive('prog help');
    expect(all.out).toMatch(/^Usage: bpfhive prog \{ show \| list \} \[PROG\]\n {7}bpfhive prog dump xlated PROG/);
    expect(all.out).toMatch(/ {7}PROG := \{ id PROG_ID \| pinned FILE \| tag PROG_TAG \| name PROG_NAME \}/);
    expect((await bpfhive('prog help -j')).out).toBe('null\n');
  });

  it('options may come before the command, as bpftool takes them', async () => {
    const io = memoryIo();
    expect(await runCli(['-p', 'prog', 'show', 'id', String(idOf('xdp_parse')), '--nats', nats.url], io)).toBe(0);
    expect(io.out()).toMatch(/^\{\n {4}"id": /);
    const maps = memoryIo();
    expect(await runCli(['-j', '--nats', nats.url, 'map', 'show'], maps)).toBe(0);
    expect((JSON.parse(maps.out()) as { name: string }[]).map((m) => m.name)).toContain('verdicts');
    const bad = memoryIo();
    expect(await runCli(['--json', 'frobnicate'], bad)).toBe(1);
    expect(bad.err()).toMatch(/^Error: unknown command 'frobnicate'/);
  });
});
