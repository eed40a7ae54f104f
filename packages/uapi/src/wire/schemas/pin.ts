import type { FromSchema } from 'json-schema-to-ts';
import { u32 } from './common.js';

/**
 * The pin namespace (DESIGN.md §4, "Pins"): one bpffs-like tree of paths under /sys/fs/bpf,
 * served by the maps-store, where a path names exactly one map, program or link.
 *
 * - `bpf.v1.obj_pin {pathname, map_id | prog_id | link_id}` → `{}` (BPF_OBJ_PIN). EEXIST when the
 *   path is taken, EINVAL for a path outside /sys/fs/bpf, ENOENT when the object does not exist.
 * - `bpf.v1.obj_get {pathname}` → `{map_id | prog_id | link_id}` (BPF_OBJ_GET), ENOENT when
 *   nothing is pinned there, or when the program or link pinned there is gone with its kernel.
 * - `bpf.v1.obj_unpin {pathname}` → `{}`: unlink(2) of a pin (bpftool's `rm` of a pinned file);
 *   Linux has no bpf command for it. The last pin of a program or link no other holder keeps
 *   frees it.
 * - `bpf.v1.obj_list {prefix?}` → `{pins: [{pathname, kind, id}]}`: the pins whose path starts
 *   with prefix, as `ls -R` of bpffs (bpftool's `--bpffs` shows them per object); the caller's
 *   own pins, or every pin with CAP_SYS_ADMIN (obj_get's rule). A program or link pin is listed
 *   as stored: its kernel may have restarted since (obj_get then reports ENOENT).
 *
 * Programs and links live in the kernel-sim. A pin of one is a reference the kernel holds
 * (bpf_obj_pin's bpf_any_get), taken and dropped by the maps-store on the internal subjects
 * `bpf.v1.internal.<prog|link>.<id>.<pin|get|unpin>`, with the client's Nats-Request-Info
 * forwarded so the kernel applies its own privilege checks:
 * - `pin {pathname}` → `{boot_id}`: the kernel takes the reference (EPERM unless the caller may
 *   name the object, ENOENT when there is none) and says which boot of the kernel holds it;
 * - `get {pathname, boot_id}` → `{}`: the object is still pinned there in that boot (else ENOENT),
 *   and the caller may now use it by id, as an fd from BPF_OBJ_GET allows;
 * - `unpin {pathname, boot_id}` → `{}`: the kernel drops the reference (ENOENT when that boot,
 *   object or pin is gone, which the maps-store takes as already dropped).
 * A kernel that restarted has a new boot_id: the programs and links of the old boot are gone,
 * so their pins are too (reported ENOENT and removed when next looked at).
 */
const object = <const P extends Record<string, unknown>, const R extends readonly string[]>(id: string, title: string, properties: P, required: R) =>
  ({ $id: id, title, type: 'object', additionalProperties: false, required, properties }) as const;

const pathname = { type: 'string', minLength: 1, maxLength: 4096, description: 'an absolute path under /sys/fs/bpf' } as const;
const ids = {
  map_id: { ...u32, description: 'a map (attr->bpf_fd of a map)' },
  prog_id: { ...u32, description: 'a program' },
  link_id: { ...u32, description: 'a link' },
} as const;
/** Exactly one id is given; the maps-store refuses none or several with EINVAL. */
export const ObjPinRequestSchema = object('bpf.v1.obj_pin.request', 'BPF_OBJ_PIN: pin exactly one of map_id, prog_id, link_id at pathname', { pathname, ...ids }, ['pathname'] as const);
export type ObjPinRequest = FromSchema<typeof ObjPinRequestSchema>;

export const ObjGetRequestSchema = object('bpf.v1.obj_get.request', 'BPF_OBJ_GET', { pathname }, ['pathname'] as const);
export type ObjGetRequest = FromSchema<typeof ObjGetRequestSchema>;

/** Exactly one id. */
export const ObjGetReplySchema = object('bpf.v1.obj_get.reply', 'The object pinned at the path: exactly one id', ids, [] as const);
export type ObjGetReply = FromSchema<typeof ObjGetReplySchema>;

export const ObjUnpinRequestSchema = object('bpf.v1.obj_unpin.request', 'unlink(2) of a pin', { pathname }, ['pathname'] as const);
export type ObjUnpinRequest = FromSchema<typeof ObjUnpinRequestSchema>;

export const ObjListRequestSchema = object(
  'bpf.v1.obj_list.request',
  'The pins of the namespace',
  { prefix: { type: 'string', maxLength: 4096, description: 'only paths starting with this (default: all)' } },
  [] as const,
);
export type ObjListRequest = FromSchema<typeof ObjListRequestSchema>;

export const ObjListReplySchema = object(
  'bpf.v1.obj_list.reply',
  'Pins the caller may open, in the order they were made',
  {
    pins: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['pathname', 'kind', 'id'],
        properties: { pathname, kind: { enum: ['map', 'prog', 'link'] }, id: u32 },
      },
    },
  },
  ['pins'] as const,
);
export type ObjListReply = FromSchema<typeof ObjListReplySchema>;

const boot_id = { type: 'string', minLength: 1, maxLength: 256, description: 'one boot of the kernel-sim; a restart has a new one' } as const;

export const PinHoldRequestSchema = object('bpf.v1.internal.pin.request', 'The kernel takes a pin reference: bpf.v1.internal.<prog|link>.<id>.pin', { pathname }, ['pathname'] as const);
export type PinHoldRequest = FromSchema<typeof PinHoldRequestSchema>;

export const PinHoldReplySchema = object('bpf.v1.internal.pin.reply', 'Which boot of the kernel holds the pin', { boot_id }, ['boot_id'] as const);
export type PinHoldReply = FromSchema<typeof PinHoldReplySchema>;

export const PinRefRequestSchema = object(
  'bpf.v1.internal.pin_ref.request',
  'A pin the kernel holds: bpf.v1.internal.<prog|link>.<id>.get (is it there?) and .unpin (drop it)',
  { pathname, boot_id },
  ['pathname', 'boot_id'] as const,
);
export type PinRefRequest = FromSchema<typeof PinRefRequestSchema>;
