import type { FromSchema } from 'json-schema-to-ts';
import { base64, u32 } from './common.js';

/**
 * The BTF commands (BPF_BTF_LOAD, BPF_OBJ_GET_INFO_BY_FD for a BTF object, closing one), served by
 * the kernel-sim, with union bpf_attr's and struct bpf_btf_info's field names. A BTF object is
 * named by its id (`bpf.v1.btf.<id>.<cmd>`), as Linux names it by fd; id 1 is the kernel's own
 * BTF ("vmlinux"). `btf.<id>.info` and `btf.<id>.close` take the empty request, close answers
 * with it; `bpf.v1.btf_get_next_id` takes the shared get_next_id request and reply (maps.ts).
 */
const object = <const P extends Record<string, unknown>, const R extends readonly string[]>(id: string, title: string, properties: P, required: R) =>
  ({ $id: id, title, type: 'object', additionalProperties: false, required, properties }) as const;

export const BtfLoadRequestSchema = object(
  'bpf.v1.btf_load.request',
  'BPF_BTF_LOAD',
  {
    btf: { ...base64, description: 'the .BTF blob, little-endian, as libbpf passes it (DATASEC sizes and variable offsets filled in, externs resolved)' },
    btf_size: { ...u32, description: 'when given, the length of btf' },
    btf_log_level: { ...u32, description: 'BTF verifier log: 0 none (the lines that say why still come back on a refusal), 1 every type; 8 BPF_LOG_FIXED keeps the head of a log that does not fit' },
    btf_log_size: { ...u32, description: 'bytes the log may take, its NUL included (needs btf_log_level); a longer log fails the load with ENOSPC. Absent: no bound' },
    btf_flags: { ...u32, description: 'must be 0 (BPF_F_TOKEN_FD has no meaning over NATS)' },
  },
  ['btf'] as const,
);
export type BtfLoadRequest = FromSchema<typeof BtfLoadRequestSchema>;

export const BtfLoadReplySchema = object(
  'bpf.v1.btf_load.reply',
  'A loaded BTF object',
  {
    btf_id: { ...u32, description: 'the new object, from 2 (1 is vmlinux)' },
    log: { type: 'string', description: 'the BTF verifier log, when btf_log_level asked for one' },
    btf_log_true_size: { ...u32, description: 'bytes the whole log needs, its NUL included, with the log' },
  },
  ['btf_id'] as const,
);
export type BtfLoadReply = FromSchema<typeof BtfLoadReplySchema>;

export const BtfInfoReplySchema = object(
  'bpf.v1.btf.info.reply',
  'BPF_OBJ_GET_INFO_BY_FD for a BTF object (struct bpf_btf_info)',
  {
    id: u32,
    name: { type: 'string', description: '"vmlinux" for the kernel\'s BTF, empty for a loaded one' },
    kernel_btf: { type: 'boolean', description: "true for the kernel's own BTF" },
    btf_size: { ...u32, description: 'the length of btf' },
    btf: { ...base64, description: 'the blob, as `bpftool btf dump id N` reads it' },
  },
  ['id', 'name', 'kernel_btf', 'btf_size', 'btf'] as const,
);
export type BtfInfoReply = FromSchema<typeof BtfInfoReplySchema>;
