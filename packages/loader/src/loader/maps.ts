/**
 * Map creation (libbpf's bpf_object__create_maps): each map of the spec is reused (given by
 * the caller, or pinned by name and compatible) or created, global data filled and `.rodata`
 * / `.kconfig` frozen; map-in-map templates are created for their outer map.
 */
import { type Btf, BpfError, type MapCreateRequest, MapType, btfSizeOf } from '@bpfhive/uapi';
import { type BpfClient, BpfSyscallError, u32 } from '../client/index.js';
import { MapPinning, type MapSpec } from '../object/index.js';
import type { Ledger, LedgerEntry } from './ledger.js';
import type { LoadOptions } from './types.js';

/** BPF_OBJ_NAME_LEN - 1: the kernel keeps 15 characters of a name. */
export const OBJ_NAME_MAX = 15;

/** What map creation needs. */
export interface MapContext {
  readonly client: BpfClient;
  readonly ledger: Ledger;
  readonly options: LoadOptions;
  /** The `.kconfig` map's value with the resolved externs written in. */
  readonly kconfig: Uint8Array | undefined;
  /** The object's BTF as loaded into the kernel (btf_load), which maps name with their key and value types. */
  readonly btf?: ObjectBtf;
}

/** The object's BTF: the kernel's id for it and the parsed types. */
export interface ObjectBtf {
  readonly id: number;
  readonly btf: Btf;
}

/**
 * Map types libbpf creates without BTF (bpf_object__create_map zeroes btf_fd and the type ids
 * for them): their values are ids or kernel objects, or they have no key.
 */
const NO_BTF_MAP_TYPES = new Set<number>([
  MapType.PERF_EVENT_ARRAY, MapType.CGROUP_ARRAY, MapType.STACK_TRACE, MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS, MapType.DEVMAP,
  MapType.DEVMAP_HASH, MapType.CPUMAP, MapType.XSKMAP, MapType.SOCKMAP, MapType.SOCKHASH, MapType.QUEUE, MapType.STACK,
]);

type MapBtfAttr = Pick<MapCreateRequest, 'btf_id' | 'btf_key_type_id' | 'btf_value_type_id'>;

/**
 * map_create's BTF fields for `map`, as libbpf passes them: the object's BTF and the key and
 * value types, none for the types above or without a value type. A type whose size is not the
 * map's is left out here: the kernel would refuse the map (map_check_btf, EINVAL) and libbpf
 * would create it again without BTF (createOwned retries so for any refusal); bpfhive's kernel only checks the BTF when a program using
 * the map is loaded (maps-store MapSpec.btf_id), so the loader does libbpf's retry up front.
 */
export function mapBtfAttr(map: MapSpec, btf: ObjectBtf | undefined): MapBtfAttr {
  if (!btf || map.btfValueTypeId === 0 || NO_BTF_MAP_TYPES.has(map.type)) return {};
  const sizeIs = (id: number, size: number): boolean => {
    try {
      return btfSizeOf(btf.btf, id) === size;
    } catch {
      return false;
    }
  };
  if (!sizeIs(map.btfValueTypeId, map.valueSize) || (map.btfKeyTypeId !== 0 && !sizeIs(map.btfKeyTypeId, map.keySize))) return {};
  return { btf_id: btf.id, ...(map.btfKeyTypeId !== 0 && { btf_key_type_id: map.btfKeyTypeId }), btf_value_type_id: map.btfValueTypeId };
}

/** A map in hand: its ledger entry (id, ownership, pins) and spec. */
export interface MapRecord {
  readonly entry: LedgerEntry;
  readonly spec: MapSpec;
  /** Where the loader pins it once everything loaded (pinned by name, created here). */
  readonly pinAfterLoad: string | undefined;
}

/** Where a map pinned by name lives: `<pinRoot>/<name>`, or the spec's own pinPath. */
export function pinPathOf(map: MapSpec, options: LoadOptions): string | undefined {
  if (map.pinning !== MapPinning.BY_NAME) return undefined;
  return options.pinRoot !== undefined ? `${options.pinRoot.replace(/\/+$/, '')}/${map.name}` : map.pinPath;
}

/** BPF_MAP_CREATE's attributes for a spec (the name cut to 15 characters, as libbpf cuts it). */
export function mapCreateAttr(map: MapSpec, innerMapId?: number, btf: MapBtfAttr = {}): MapCreateRequest {
  return {
    map_type: map.type,
    key_size: map.keySize,
    value_size: map.valueSize,
    max_entries: map.maxEntries,
    map_flags: map.flags,
    map_name: map.name.slice(0, OBJ_NAME_MAX),
    ...(map.mapExtra !== 0 && { map_extra: map.mapExtra }),
    ...(innerMapId !== undefined && { inner_map_id: innerMapId }),
    ...btf,
  };
}

/**
 * Brings one map into being and records it in the ledger. Throws the failing call's error
 * (EINVAL `pinned map is incompatible` for a pin that does not match the spec).
 */
export async function obtainMap(ctx: MapContext, map: MapSpec): Promise<MapRecord> {
  const { client, ledger, options } = ctx;
  const given = options.reuseMaps?.get(map.name);
  if (given !== undefined) {
    await client.mapInfo(given);
    return { entry: ledger.add('map', map.name, given, false), spec: map, pinAfterLoad: undefined };
  }
  const pinPath = pinPathOf(map, options);
  const pinned = pinPath === undefined ? undefined : await pinnedMap(client, pinPath);
  if (pinned !== undefined) {
    await checkReusable(client, map, pinned, pinPath!);
    return { entry: ledger.add('map', map.name, pinned, false, [pinPath!]), spec: map, pinAfterLoad: undefined };
  }
  const innerMapId = map.innerMap ? (await createOwned(ctx, map.innerMap, undefined)).id : undefined;
  const entry = await createOwned(ctx, map, innerMapId);
  await fill(ctx, map, entry.id);
  return { entry, spec: map, pinAfterLoad: pinPath };
}

async function createOwned(ctx: MapContext, map: MapSpec, innerMapId: number | undefined): Promise<LedgerEntry> {
  const btf = mapBtfAttr(map, ctx.btf);
  let id;
  try {
    id = await ctx.client.mapCreate(mapCreateAttr(map, innerMapId, btf));
  } catch (e) {
    // libbpf (bpf_object__create_map): a map the kernel refuses with BTF, for any errno, is created again without it.
    if (btf.btf_id === undefined || !(e instanceof BpfSyscallError || e instanceof BpfError)) throw e;
    ctx.options.onWarning?.(`Error in bpf_create_map_xattr(${map.name}): ${e.code} (${e.message}). Retrying without BTF.`);
    id = await ctx.client.mapCreate(mapCreateAttr(map, innerMapId));
  }
  return ctx.ledger.add('map', map.name, id, true);
}

/** Global data: the section's bytes (the resolved values for `.kconfig`) as element 0, then freeze. */
async function fill(ctx: MapContext, map: MapSpec, id: number): Promise<void> {
  const contents = map.origin === 'kconfig' ? ctx.kconfig : map.contents;
  if (contents) await ctx.client.mapUpdate(id, u32.encode(0), contents);
  if (map.freeze) await ctx.client.mapFreeze(id);
}

/** The id of the map pinned at `path`; undefined when nothing is; EINVAL when a program or link is. */
async function pinnedMap(client: BpfClient, path: string): Promise<number | undefined> {
  let object;
  try {
    object = await client.objGet(path);
  } catch (e) {
    if (e instanceof BpfSyscallError && e.code === 'ENOENT') return undefined;
    throw e;
  }
  if (!('map_id' in object)) throw new BpfSyscallError('EINVAL', `${path} holds a ${'prog_id' in object ? 'program' : 'link'}, not a map`);
  return object.map_id;
}

/** libbpf's map_is_reuse_compat: type, sizes, max_entries, flags and map_extra all match. */
async function checkReusable(client: BpfClient, map: MapSpec, id: number, path: string): Promise<void> {
  const info = await client.mapInfo(id);
  const mismatches = (
    [
      ['map_type', info.map_type, map.type],
      ['key_size', info.key_size, map.keySize],
      ['value_size', info.value_size, map.valueSize],
      ['max_entries', info.max_entries, map.maxEntries],
      ['map_flags', info.map_flags, map.flags],
      ['map_extra', info.map_extra ?? 0, map.mapExtra],
    ] as const
  ).filter(([, pinned, wanted]) => pinned !== wanted);
  if (mismatches.length > 0) {
    const what = mismatches.map(([field, pinned, wanted]) => `${field} ${pinned}, expected ${wanted}`).join(', ');
    throw new BpfSyscallError('EINVAL', `pinned map is incompatible: ${path} (map ${id}) has ${what}`);
  }
}

/** Map types whose values name other maps. */
export const isMapInMap = (type: number): boolean => type === MapType.ARRAY_OF_MAPS || type === MapType.HASH_OF_MAPS;
