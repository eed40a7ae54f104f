import type { BpfClient } from '../../client/index.js';
import { BpfUnavailableError } from '../../client/index.js';
import { UsageError } from '../io.js';
import { type ArgCursor, isPrefix, strtoul } from './map-args.js';
import { EXIT_OK, type MapContext, type MapSubcommand, attempt, failure } from './map-context.js';
import { allMapIds, mapInfoUnlessGone } from './map-resolve.js';
import { allPrograms } from './prog-resolve.js';

/** struct bpf_btf_info as `bpf.v1.btf.<id>.info` answers it (the blob itself is not needed here). */
interface BtfInfo {
  readonly id: number;
  readonly name: string;
  readonly kernel_btf: boolean;
  readonly btf_size: number;
}

/** Which programs and maps use each BTF object (bpftool's btf_prog_table and btf_map_table). */
interface Users {
  readonly progs: ReadonlyMap<number, number[]>;
  readonly maps: ReadonlyMap<number, number[]>;
}

const NOT_SERVED = 'the kernel-sim does not keep BTF objects yet';

/** Every BTF object id; a clear error when nothing serves bpf.v1.btf_get_next_id. */
async function allBtfIds(client: BpfClient): Promise<number[]> {
  const ids: number[] = [];
  try {
    for await (const id of client.ids('btf')) ids.push(id);
  } catch (e) {
    if (e instanceof BpfUnavailableError) throw new UsageError(`can't get next BTF object: no service serves ${e.subject ?? 'bpf.v1.btf_get_next_id'}: ${NOT_SERVED}`);
    throw failure("can't get next BTF object", e);
  }
  return ids;
}

async function btfInfo(client: BpfClient, id: number): Promise<BtfInfo> {
  try {
    return (await client.bpf('OBJ_GET_INFO_BY_FD', { btf_id: id })) as unknown as BtfInfo;
  } catch (e) {
    if (e instanceof BpfUnavailableError) throw new UsageError(`can't get BTF object by id (${id}): no service serves ${e.subject ?? `bpf.v1.btf.${id}.info`}: ${NOT_SERVED}`);
    throw failure(`can't get BTF object by id (${id})`, e);
  }
}

/** The programs and maps whose info names a btf_id, by that id. */
async function users(client: BpfClient): Promise<Users> {
  const add = (table: Map<number, number[]>, btfId: unknown, id: number): void => {
    if (typeof btfId === 'number' && btfId !== 0) table.set(btfId, [...(table.get(btfId) ?? []), id]);
  };
  const progs = new Map<number, number[]>();
  for (const info of await allPrograms(client)) add(progs, info.btf_id, info.id);
  const maps = new Map<number, number[]>();
  for await (const id of allMapIds(client)) {
    const info = await mapInfoUnlessGone(client, id);
    if (info) add(maps, (info as { btf_id?: unknown }).btf_id, id);
  }
  return { progs, maps };
}

function printPlain(ctx: MapContext, info: BtfInfo, used: Users): void {
  const name = info.kernel_btf ? `[${info.name}]` : info.name || '<anon>';
  const progs = used.progs.get(info.id);
  const maps = used.maps.get(info.id);
  ctx.out.plain(`${info.id}: name ${name}  size ${info.btf_size}B${progs ? `  prog_ids ${progs.join(',')}` : ''}${maps ? `  map_ids ${maps.join(',')}` : ''}\n`);
}

function printJson(ctx: MapContext, info: BtfInfo, used: Users): void {
  const json = ctx.out.json!;
  json.startObject().field('id', info.id).field('size', info.btf_size);
  json.name('prog_ids').startArray();
  for (const id of used.progs.get(info.id) ?? []) json.number(id);
  json.endArray().name('map_ids').startArray();
  for (const id of used.maps.get(info.id) ?? []) json.number(id);
  json.endArray().field('kernel', info.kernel_btf);
  if (info.name) json.field('name', info.name);
  json.endObject();
}

/** `btf { show | list } [id BTF_ID]`: one BTF object, or every one, with the programs and maps using it. */
async function show(ctx: MapContext, args: ArgCursor): Promise<number> {
  let only: number | undefined;
  if (args.count === 2) {
    const word = args.shift();
    if (!isPrefix(word, 'id')) throw new UsageError(`expected 'id', got: '${word}'?`);
    const text = args.shift();
    const id = strtoul(text);
    if (id === undefined) throw new UsageError(`can't parse ${text} as ID`);
    only = Number(id & 0xffffffffn);
  }
  args.rejectRest();
  const client = await ctx.client();
  const ids = only === undefined ? await allBtfIds(client) : [only];
  const infos: BtfInfo[] = [];
  for (const id of ids) infos.push(await btfInfo(client, id));
  const used = await attempt('build object tables', () => users(client));
  const print = ctx.out.json ? printJson : printPlain;
  if (only === undefined) ctx.out.json?.startArray();
  for (const info of infos) print(ctx, info, used);
  if (only === undefined) ctx.out.json?.endArray();
  return EXIT_OK;
}

export const btfShow: MapSubcommand = { name: 'show', synopsis: '{ show | list } [id BTF_ID]', run: show };
export const btfList: MapSubcommand = { ...btfShow, name: 'list' };
