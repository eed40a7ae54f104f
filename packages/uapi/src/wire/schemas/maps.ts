import type { FromSchema } from 'json-schema-to-ts';
import { base64, u32 } from './common.js';

/** A u64 as JSON carries it exactly: up to 2^53 - 1. */
const u64 = { type: 'integer', minimum: 0, maximum: 9007199254740991 } as const;

/**
 * The map commands (BPF_MAP_* of bpf(2)), with union bpf_attr's field names. Keys and values are
 * base64; their sizes must match the map's key_size and value_size (per-CPU maps: one value per
 * CPU, each rounded up to 8 bytes).
 */
const object = <const P extends Record<string, unknown>, const R extends readonly string[]>(id: string, title: string, properties: P, required: R) =>
  ({ $id: id, title, type: 'object', additionalProperties: false, required, properties }) as const;

/**
 * A map's BTF (attr->btf_fd as bpfhive names it: a BTF object id from bpf.v1.btf_load, served by
 * the kernel-sim) and the key and value types in it. Type ids need a btf_id; 0 is none.
 */
export const mapBtfIds = {
  btf_id: { ...u32, description: 'attr->btf_fd: the BTF object (bpf.v1.btf_load) the type ids name; 0 or absent: no BTF' },
  btf_key_type_id: { ...u32, description: "the key's type in that BTF; 0: none (libbpf leaves it 0 for maps without a BTF-described key)" },
  btf_value_type_id: { ...u32, description: "the value's type in that BTF: its bpf_spin_lock, bpf_timer and kptr fields become known to the verifier" },
} as const;

/**
 * The special fields of a map's value (struct bpf_spin_lock, struct bpf_timer, kptrs), as the
 * maps-store found them in the map's BTF at map_create (map_check_btf) and keeps them in the
 * map's spec: leases carry them, so the kernel leasing a map needs no BTF object. uapi
 * MapBtfFields; never sent by a client.
 */
export const mapValueFields = {
  type: 'object',
  additionalProperties: false,
  required: ['btf'],
  properties: {
    btf: { type: 'boolean', const: true, description: 'the map has BTF for its value' },
    spin_lock_off: { ...u32, description: "offset of the value's struct bpf_spin_lock" },
    timer_off: { ...u32, description: "offset of the value's struct bpf_timer" },
    kptrs: {
      type: 'array',
      maxItems: 4096,
      description: 'the kptr fields of the value: each an 8-byte pointer to a kernel struct',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['off', 'kind', 'btf_id'],
        properties: {
          off: u32,
          kind: { type: 'string', enum: ['ref', 'untrusted'], description: '`__kptr` (referenced) or `__kptr_untrusted`' },
          btf_id: { ...u32, description: 'the pointed-to STRUCT in the kernel BTF (vmlinux, BTF id 1)' },
        },
      },
    },
  },
  description: "the value's special fields, from its BTF at map_create",
} as const;

export const MapCreateRequestSchema = object(
  'bpf.v1.map_create.request',
  'BPF_MAP_CREATE',
  {
    map_type: { type: ['integer', 'string'], description: 'the uapi number (1) or the name bpftool prints (hash)' },
    key_size: u32,
    value_size: u32,
    max_entries: u32,
    map_flags: { ...u32, description: 'BPF_F_* bits' },
    map_name: { type: 'string', maxLength: 15 },
    map_extra: { ...u64, description: 'BLOOM_FILTER only: bits 0-3 are the number of hash functions (0: 5); must be 0 for every other type' },
    inner_map_id: { ...u32, description: 'ARRAY_OF_MAPS / HASH_OF_MAPS: the map every inner map must look like (attr->inner_map_fd)' },
    ...mapBtfIds,
  },
  ['map_type', 'key_size', 'value_size', 'max_entries'] as const,
);
export type MapCreateRequest = FromSchema<typeof MapCreateRequestSchema>;

export const MapIdReplySchema = object('bpf.v1.map_id.reply', 'A map id', { map_id: u32 }, ['map_id'] as const);
export type MapIdReply = FromSchema<typeof MapIdReplySchema>;

export const MapKeyRequestSchema = object(
  'bpf.v1.map.key.request',
  'lookup_elem, delete_elem, lookup_and_delete_elem',
  {
    key: { ...base64, description: 'absent for maps without keys (key_size 0: queue, stack, bloom filter)' },
    value: { ...base64, description: 'lookup_elem on a bloom filter: the value to test' },
    flags: { ...u64, description: 'lookup_elem, lookup_and_delete_elem: BPF_F_LOCK (4) or 0' },
  },
  [] as const,
);
export type MapKeyRequest = FromSchema<typeof MapKeyRequestSchema>;

export const MapValueReplySchema = object('bpf.v1.map.value.reply', 'A value', { value: base64 }, ['value'] as const);
export type MapValueReply = FromSchema<typeof MapValueReplySchema>;

export const MapUpdateRequestSchema = object(
  'bpf.v1.map.update_elem.request',
  'update_elem',
  { key: base64, value: base64, flags: { ...u32, description: 'BPF_ANY 0, BPF_NOEXIST 1, BPF_EXIST 2, | BPF_F_LOCK 4' } },
  ['key', 'value'] as const,
);
export type MapUpdateRequest = FromSchema<typeof MapUpdateRequestSchema>;

export const MapNextKeyRequestSchema = object(
  'bpf.v1.map.get_next_key.request',
  'get_next_key',
  { key: { ...base64, description: 'absent: the first key' } },
  [] as const,
);
export type MapNextKeyRequest = FromSchema<typeof MapNextKeyRequestSchema>;

export const MapNextKeyReplySchema = object('bpf.v1.map.get_next_key.reply', 'The next key', { next_key: base64 }, ['next_key'] as const);
export type MapNextKeyReply = FromSchema<typeof MapNextKeyReplySchema>;

export const MapLookupBatchRequestSchema = object(
  'bpf.v1.map.lookup_batch.request',
  'lookup_batch',
  {
    in_batch: { ...base64, description: 'the out_batch of the previous page; absent: from the start' },
    count: { type: 'integer', minimum: 1, maximum: 1000000 },
    elem_flags: { ...u64, description: 'BPF_F_LOCK (4): each value is copied under its bpf_spin_lock; or 0' },
  },
  ['count'] as const,
);
export type MapLookupBatchRequest = FromSchema<typeof MapLookupBatchRequestSchema>;

export const MapLookupBatchReplySchema = object(
  'bpf.v1.map.lookup_batch.reply',
  'A page of elements',
  {
    keys: { type: 'array', items: base64 },
    values: { type: 'array', items: base64 },
    out_batch: { ...base64, description: 'where the next page starts; absent once done' },
    done: { type: 'boolean', description: 'true when the map is exhausted (where the kernel answers ENOENT)' },
  },
  ['keys', 'values', 'done'] as const,
);
export type MapLookupBatchReply = FromSchema<typeof MapLookupBatchReplySchema>;

export const MapUpdateBatchRequestSchema = object(
  'bpf.v1.map.update_batch.request',
  'update_batch',
  {
    keys: { type: 'array', items: base64 },
    values: { type: 'array', items: base64 },
    elem_flags: { ...u32, description: 'as update_elem flags: BPF_ANY 0, BPF_NOEXIST 1, BPF_EXIST 2, | BPF_F_LOCK 4' },
  },
  ['keys', 'values'] as const,
);
export type MapUpdateBatchRequest = FromSchema<typeof MapUpdateBatchRequestSchema>;

export const MapDeleteBatchRequestSchema = object(
  'bpf.v1.map.delete_batch.request',
  'delete_batch',
  { keys: { type: 'array', items: base64 } },
  ['keys'] as const,
);
export type MapDeleteBatchRequest = FromSchema<typeof MapDeleteBatchRequestSchema>;

export const CountReplySchema = object('bpf.v1.count.reply', 'Elements processed', { count: u32 }, ['count'] as const);
export type CountReply = FromSchema<typeof CountReplySchema>;

export const EmptySchema = object('bpf.v1.empty', 'No fields (freeze, info requests; update/delete replies)', {}, [] as const);

export const MapInfoReplySchema = object(
  'bpf.v1.map.info.reply',
  'BPF_OBJ_GET_INFO_BY_FD for a map',
  {
    map_id: u32,
    map_type: u32,
    type_name: { type: 'string' },
    key_size: u32,
    value_size: u32,
    max_entries: u32,
    map_flags: u32,
    map_extra: { ...u64, description: 'attr->map_extra (a bloom filter\'s hash count); the maps-store always sends it' },
    name: { type: 'string' },
    frozen: { type: 'boolean' },
    ...mapBtfIds,
  },
  ['map_id', 'map_type', 'type_name', 'key_size', 'value_size', 'max_entries', 'map_flags', 'name', 'frozen'] as const,
);
export type MapInfoReply = FromSchema<typeof MapInfoReplySchema>;

export const GetNextIdRequestSchema = object('bpf.v1.get_next_id.request', '*_GET_NEXT_ID', { start_id: u32 }, ['start_id'] as const);
export type GetNextIdRequest = FromSchema<typeof GetNextIdRequestSchema>;

export const GetNextIdReplySchema = object('bpf.v1.get_next_id.reply', 'The next id', { next_id: u32 }, ['next_id'] as const);
export type GetNextIdReply = FromSchema<typeof GetNextIdReplySchema>;

// obj_pin, obj_get and obj_unpin: pin.ts (one namespace for maps, programs and links).
