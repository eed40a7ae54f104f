/**
 * The maps-store's subjects: map_create, the map commands, the pin namespace, map_get_next_id,
 * and the lease protocol (aimed only at the fuzzer's lease maps, see FuzzState.leaseMaps).
 */
import {
  CountReplySchema,
  EmptySchema,
  GetNextIdReplySchema,
  LeaseRenewReplySchema,
  LeaseReplySchema,
  MAP_TYPE_ENTRIES,
  MapIdReplySchema,
  MapInfoReplySchema,
  MapLookupBatchReplySchema,
  MapNextKeyReplySchema,
  MapValueReplySchema,
  SUBJECT_PREFIX,
  Subjects,
  type WireSchema,
  toBase64,
} from '@bpfhive/uapi';
import type { Json } from '../json.js';
import type { Prng } from '../prng.js';
import { type RequestFamily, field, idField } from './family.js';
import { FUZZ_HOLDER, type FuzzState, type MapShape } from './state.js';

/** CPUs the fuzzed maps-store and kernel-sim run with (MAPS_STORE_CPUS, KERNEL_SIM_CPUS). */
export const FUZZ_CPUS = 2;

/** Valid map_create requests: every type the maps-store hosts, small. */
export const MAP_CREATES: readonly Json[] = [
  { map_type: 'hash', key_size: 4, value_size: 8, max_entries: 64, map_name: 'fuzz_hash' },
  { map_type: 'array', key_size: 4, value_size: 8, max_entries: 16 },
  { map_type: 'percpu_hash', key_size: 8, value_size: 4, max_entries: 32 },
  { map_type: 'percpu_array', key_size: 4, value_size: 16, max_entries: 8 },
  { map_type: 'lru_hash', key_size: 4, value_size: 8, max_entries: 16 },
  { map_type: 'queue', key_size: 0, value_size: 4, max_entries: 16 },
  { map_type: 'stack', key_size: 0, value_size: 4, max_entries: 16 },
  { map_type: 'bloom_filter', key_size: 0, value_size: 4, max_entries: 16, map_extra: 3 },
  { map_type: 'ringbuf', key_size: 0, value_size: 0, max_entries: 4096 },
  { map_type: 'prog_array', key_size: 4, value_size: 4, max_entries: 4 },
  { map_type: 2, key_size: 4, value_size: 4, max_entries: 4, map_flags: 0x400 },
];

/** The shape of the map a map_create request asks for; undefined when the request is not one. */
export function mapShapeOf(request: Json | undefined): MapShape | undefined {
  const [key_size, value_size, max_entries] = ['key_size', 'value_size', 'max_entries'].map((f) => idField(request, f));
  const type = field(request, 'map_type');
  if (key_size === undefined || value_size === undefined || max_entries === undefined) return undefined;
  const name = MAP_TYPE_ENTRIES.find((e) => e.value === type || e.bpftool === type)?.bpftool ?? '';
  return { key_size, value_size, max_entries, percpu: name.includes('percpu'), indexed: name.endsWith('array') };
}

const DEFAULT_SHAPE: MapShape = { key_size: 4, value_size: 8, max_entries: 16, percpu: false, indexed: false };
/** Longest key or value built (mutated shapes can be huge). */
const MAX_BYTES = 65_536;

/** A key for the map: an index below max_entries (now and then just past it), or a few distinct bytes. */
function keyOf(rand: Prng, shape: MapShape): string {
  const key = new Uint8Array(Math.min(shape.key_size, MAX_BYTES));
  if (shape.indexed && key.length >= 4) new DataView(key.buffer).setUint32(0, rand.below(shape.max_entries + 1), true);
  else if (key.length > 0) key[0] = rand.below(8);
  return toBase64(key);
}

/** A value for the map: per-CPU maps take one per CPU, each rounded up to 8 bytes. */
function valueOf(rand: Prng, shape: MapShape): string {
  const size = shape.percpu ? FUZZ_CPUS * Math.ceil(shape.value_size / 8) * 8 : shape.value_size;
  return toBase64(rand.bytes(Math.min(size, MAX_BYTES)));
}

const shapeOf = (state: FuzzState, id: number | undefined): MapShape => (id === undefined ? undefined : state.maps.get(id)) ?? DEFAULT_SHAPE;
const dataMaps = (state: FuzzState): number[] => [...state.maps.keys()];

/** A command on `bpf.v1.map.<id>.<command>` of the fuzzer's data maps. */
function mapCommand(command: string, weight: number, reply: WireSchema, body: (rand: Prng, shape: MapShape) => Json): RequestFamily {
  return {
    name: `map.${command}`,
    service: 'maps-store',
    weight,
    ids: dataMaps,
    subject: (id) => `${SUBJECT_PREFIX}.map.${id}.${command}`,
    body: (rand, state, id) => body(rand, shapeOf(state, id)),
    byteFields: ['key', 'value'],
    reply,
  };
}

function keys(rand: Prng, shape: MapShape): string[] {
  return Array.from({ length: rand.int(1, 4) }, () => keyOf(rand, shape));
}

/** A command of the lease protocol on one of the lease maps. */
function leaseCommand(command: 'lease' | 'checkpoint' | 'release', weight: number): RequestFamily {
  return {
    name: `internal.map.${command}`,
    service: 'maps-store',
    weight,
    ids: (state) => state.leaseMaps,
    subject: (id) => `${SUBJECT_PREFIX}.internal.map.${id}.${command}`,
    body: (_rand, state, id): Json =>
      command === 'lease' ? { holder: FUZZ_HOLDER } : { holder: FUZZ_HOLDER, epoch: (id && state.leaseEpochs.get(id)) || 1, snapshot: 'AAAAAA==', frozen: false },
    byteFields: ['snapshot'],
    reply: command === 'lease' ? LeaseReplySchema : EmptySchema,
    onReply: (reply, _request, state, id) => {
      const epoch = idField(reply, 'epoch');
      if (id !== undefined && epoch !== undefined) state.leaseEpochs.set(id, epoch);
    },
  };
}

export const MAP_FAMILIES: readonly RequestFamily[] = [
  {
    name: 'map_create',
    service: 'maps-store',
    weight: 3,
    subject: () => Subjects.mapCreate,
    body: (rand, state) => {
      const inner = [...state.maps].find(([, s]) => s.indexed && !s.percpu)?.[0];
      return rand.chance(0.1) && inner !== undefined
        ? { map_type: 'array_of_maps', key_size: 4, value_size: 4, max_entries: 4, inner_map_id: inner }
        : rand.pick(MAP_CREATES);
    },
    reply: MapIdReplySchema,
    onReply: (reply, request, state) => {
      const id = idField(reply, 'map_id');
      if (id === undefined) return;
      state.created('map', id);
      state.maps.set(id, mapShapeOf(request) ?? DEFAULT_SHAPE);
    },
  },
  mapCommand('lookup_elem', 2, MapValueReplySchema, (rand, s) => ({ key: keyOf(rand, s) })),
  mapCommand('update_elem', 3, EmptySchema, (rand, s) => ({ key: keyOf(rand, s), value: valueOf(rand, s), flags: rand.pick([0, 0, 1, 2]) })),
  mapCommand('delete_elem', 1, EmptySchema, (rand, s) => ({ key: keyOf(rand, s) })),
  mapCommand('get_next_key', 1, MapNextKeyReplySchema, (rand, s): Json => (rand.chance(0.5) ? {} : { key: keyOf(rand, s) })),
  mapCommand('lookup_and_delete_elem', 1, MapValueReplySchema, (rand, s): Json => (s.key_size === 0 ? {} : { key: keyOf(rand, s) })),
  mapCommand('lookup_batch', 1, MapLookupBatchReplySchema, (rand) => ({ count: rand.int(1, 8) })),
  mapCommand('update_batch', 1, CountReplySchema, (rand, s) => {
    const k = keys(rand, s);
    return { keys: k, values: k.map(() => valueOf(rand, s)), elem_flags: 0 };
  }),
  mapCommand('delete_batch', 1, CountReplySchema, (rand, s) => ({ keys: keys(rand, s) })),
  mapCommand('freeze', 0.2, EmptySchema, () => ({})),
  mapCommand('info', 1, MapInfoReplySchema, () => ({})),
  {
    name: 'obj_pin',
    service: 'maps-store',
    weight: 1,
    subject: () => Subjects.objPin,
    body: (rand, state) => ({ pathname: state.nextPin(), map_id: state.maps.size > 0 ? rand.pick(dataMaps(state)) : 1 }),
    reply: EmptySchema,
    onReply: (_reply, request, state) => {
      const path = field(request, 'pathname');
      if (typeof path === 'string') state.pins.push(path);
    },
  },
  {
    name: 'obj_get',
    service: 'maps-store',
    weight: 1,
    subject: () => Subjects.objGet,
    body: (rand, state) => ({ pathname: state.pins.length > 0 && rand.chance(0.8) ? rand.pick(state.pins) : state.nextPin() }),
    reply: MapIdReplySchema,
  },
  {
    name: 'map_get_next_id',
    service: 'maps-store',
    weight: 1,
    subject: () => Subjects.getNextId('map'),
    body: (rand, state) => ({ start_id: rand.chance(0.5) ? 0 : rand.pick([...state.known.map, 0]) }),
    reply: GetNextIdReplySchema,
  },
  leaseCommand('lease', 0.5),
  leaseCommand('checkpoint', 0.3),
  leaseCommand('release', 0.3),
  {
    name: 'internal.lease_renew',
    service: 'maps-store',
    weight: 0.3,
    subject: () => Subjects.leaseRenew,
    body: () => ({ holder: FUZZ_HOLDER }),
    reply: LeaseRenewReplySchema,
  },
];
