import type { FromSchema } from 'json-schema-to-ts';
import { base64, u32 } from './common.js';

/**
 * `bpf.v1.internal.verify`: inside BPF_PROG_LOAD the kernel-sim asks the verifier (a queue group)
 * whether a program is safe. A rejected program is a normal reply (`verdict: "reject"` with the
 * errno Linux would return and the log); only a malformed request gets an error reply.
 */

/** An enum value: the uapi number, or the lower-case name bpftool prints. */
const enumValue = (example: string) => ({ type: ['integer', 'string'], description: `the uapi number or the name bpftool prints (${example})` }) as const;

const mapShape = {
  map_type: enumValue('hash | 1'),
  key_size: u32,
  value_size: u32,
  max_entries: u32,
  map_flags: { ...u32, description: 'BPF_F_* flags; BPF_F_RDONLY_PROG (0x80) and BPF_F_WRONLY_PROG (0x100) matter here' },
} as const;

/** A parameter's or return value's type in a function prototype, after modifiers and typedefs. */
const btfArgType = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: {
    kind: { type: 'string', description: 'the BTF kind: INT, ENUM, ENUM64, PTR, VOID, STRUCT, UNION, FLOAT, …' },
    pointee: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'name'],
      description: 'for a PTR: the type pointed to, after modifiers (a typedef keeps its name)',
      properties: { kind: { type: 'string' }, name: { type: 'string' }, size: { ...u32, description: 'bytes; absent when it has no size (void, FWD, FUNC_PROTO)' } },
    },
  },
} as const;

export const VerifyRequestSchema = {
  $id: 'bpf.v1.internal.verify.request',
  title: 'Verify a program',
  type: 'object',
  additionalProperties: false,
  required: ['prog_type', 'insns', 'license', 'maps'],
  properties: {
    prog_type: enumValue('xdp | 6'),
    expected_attach_type: enumValue('cgroup_inet_egress | 1'),
    insns: { ...base64, description: 'the instructions, 8 bytes per slot, little-endian; lddw src_reg 1 names a map by map_id, src_reg 2 a map value' },
    license: { type: 'string', maxLength: 127, description: 'GPL-only helpers need a GPL-compatible license' },
    log_level: { ...u32, description: 'bits: 1 the path to an error, 2 every instruction, 4 statistics, 8 BPF_LOG_FIXED (a log that does not fit keeps its start); default 0 (no log)' },
    log_size: { ...u32, description: 'bytes the log may take, its NUL included: 128 to 1073741823 with a log_level (EINVAL otherwise), at most 131072 on the wire (LOG_SIZE_MAX), absent or 0: 65536 (LOG_SIZE_DEFAULT). A longer log keeps its end (its start with BPF_LOG_FIXED) and the verdict is a reject with errno ENOSPC' },
    prog_flags: { ...u32, description: 'BPF_F_STRICT_ALIGNMENT 1, BPF_F_ANY_ALIGNMENT 2, BPF_F_TEST_STATE_FREQ 8, BPF_F_SLEEPABLE 16' },
    privileges: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', enum: ['CAP_BPF', 'CAP_PERFMON', 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN'] },
      description: "the loader's capabilities; [] is an unprivileged loader; absent means all (a root loader)",
    },
    maps: {
      type: 'array',
      description: 'every map the program may name',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['map_id', 'map_type', 'key_size', 'value_size', 'max_entries', 'map_flags'],
        properties: {
          map_id: u32,
          ...mapShape,
          inner_map: {
            type: 'object',
            additionalProperties: false,
            required: ['map_type', 'key_size', 'value_size', 'max_entries', 'map_flags'],
            properties: mapShape,
            description: 'for ARRAY_OF_MAPS and HASH_OF_MAPS: the shape of the inner maps',
          },
          spin_lock_off: { ...u32, description: "offset of the value's struct bpf_spin_lock, from the map's BTF" },
          timer_off: { ...u32, description: "offset of the value's struct bpf_timer, from the map's BTF" },
          btf: { type: 'boolean', description: 'the map was created with BTF for its key and value (needed for bpf_timer); implied by spin_lock_off and timer_off' },
          name: { type: 'string', maxLength: 15 },
          frozen: { type: 'boolean', description: 'BPF_MAP_FREEZE was called: the contents are constant' },
          kptrs: {
            type: 'array',
            description: "kptr fields of the value, from the map's BTF (`struct task_struct __kptr *`): each an 8-byte pointer to a kernel struct",
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['off', 'kind', 'btf_id'],
              properties: {
                off: u32,
                kind: { type: 'string', enum: ['ref', 'untrusted'], description: '`__kptr` (referenced) or `__kptr_untrusted`' },
                btf_id: { ...u32, description: 'the pointed-to STRUCT in the kernel BTF' },
              },
            },
          },
        },
      },
    },
    attach_func: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'btf_id', 'nr_args', 'ret_size'],
      description: "tracing and lsm programs: the kernel function (tp_btf: raw tracepoint) attach_btf_id names; its u64 arguments (then, for fexit and fmod_ret, its return value) are the program's context",
      properties: {
        name: { type: 'string' },
        btf_id: { ...u32, description: 'the FUNC (tp_btf: btf_trace_* typedef) in the kernel BTF' },
        nr_args: { type: 'integer', minimum: 0, maximum: 12, description: 'arguments the program sees (MAX_BPF_FUNC_ARGS 12)' },
        ret_size: { ...u32, description: 'bytes of the return value; 0 for void' },
        args: { type: 'array', maxItems: 12, items: u32, description: "each argument's type id in the kernel BTF (kernel_btf.types describes them): a pointer to a struct is PTR_TO_BTF_ID" },
        ret_type: { ...u32, description: "the return value's type id in the kernel BTF; 0 for void" },
        arg_names: {
          type: 'array', maxItems: 12, items: { type: 'string', maxLength: 128 },
          description: "each argument's name (tp_btf: from the probe __bpf_trace_<tp>); a name ending in __nullable makes the argument maybe-NULL (btf_ctx_access)",
        },
      },
    },
    kernel_btf: {
      type: 'object',
      additionalProperties: false,
      description: 'what the program names of the kernel BTF (kfunc calls, `lddw` src_reg 3 ksyms) and the structs those use, resolved by the kernel-sim',
      properties: {
        funcs: {
          type: 'array',
          description: 'the FUNCs `call` src_reg 2 names by imm',
          items: { type: 'object', additionalProperties: false, required: ['btf_id', 'name'], properties: { btf_id: u32, name: { type: 'string' } } },
        },
        structs: {
          type: 'array',
          items: { type: 'object', additionalProperties: false, required: ['btf_id', 'name', 'size'], properties: { btf_id: u32, name: { type: 'string' }, size: u32 } },
        },
        types: {
          type: 'array',
          description: 'for programs that may read kernel structs through PTR_TO_BTF_ID: the types reachable from the attach arguments and the structs above (members, pointers, arrays, typedefs, modifiers), by their kernel BTF id, so the verifier can walk them (btf_struct_access)',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'kind'],
            properties: {
              id: u32,
              kind: { type: 'string', description: 'the BTF kind: INT, PTR, ARRAY, STRUCT, UNION, ENUM, ENUM64, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG, FUNC_PROTO, FLOAT' },
              name: { type: 'string' },
              size: { ...u32, description: 'INT, ENUM, ENUM64, STRUCT, UNION, FLOAT: bytes' },
              type: { ...u32, description: 'PTR, TYPEDEF, modifiers: the target; ARRAY: the element' },
              nelems: { ...u32, description: 'ARRAY: elements' },
              members: {
                type: 'array',
                description: 'STRUCT, UNION',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['name', 'type', 'bit_offset'],
                  properties: { name: { type: 'string' }, type: u32, bit_offset: u32, bitfield_size: u32 },
                },
              },
            },
          },
        },
        vars: {
          type: 'array',
          description: 'the VARs `lddw` src_reg 3 names by imm',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['btf_id', 'name', 'size', 'percpu'],
            properties: {
              btf_id: u32,
              name: { type: 'string' },
              size: { ...u32, description: "bytes of the variable's type" },
              struct_id: { ...u32, description: "the STRUCT the variable is, when it is one" },
              percpu: { type: 'boolean', description: 'a per-CPU variable (in .data..percpu)' },
            },
          },
        },
      },
    },
    func_info: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['insn_off'],
        properties: {
          insn_off: u32,
          type_id: u32,
          name: { type: 'string' },
          linkage: { type: 'string', enum: ['static', 'global', 'extern'], description: "the FUNC's linkage: a global function is verified once on its own, against its prototype" },
          proto: {
            type: 'object',
            additionalProperties: false,
            required: ['ret', 'args'],
            description: 'the FUNC_PROTO, each type after modifiers and typedefs (btf_prepare_func_args)',
            properties: {
              ret: btfArgType,
              args: {
                type: 'array',
                maxItems: 255,
                items: { type: 'object', additionalProperties: false, required: ['type'], properties: { name: { type: 'string' }, type: btfArgType } },
              },
            },
          },
        },
      },
    },
    line_info: {
      type: 'array',
      description: 'source lines by instruction, for the log and the error',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['insn_off'],
        properties: {
          insn_off: u32,
          file_name: { type: 'string' },
          line: { type: 'string', description: 'the source text of the line' },
          line_num: u32,
          line_col: u32,
        },
      },
    },
  },
} as const;
export type VerifyRequest = FromSchema<typeof VerifyRequestSchema>;

export const VerifyReplySchema = {
  $id: 'bpf.v1.internal.verify.reply',
  title: "The verifier's verdict",
  type: 'object',
  additionalProperties: false,
  required: ['verdict', 'log', 'stats', 'facts'],
  properties: {
    verdict: { type: 'string', enum: ['accept', 'reject'] },
    errno: { type: 'integer', minimum: 1, description: 'on reject (or a log that did not fit): the errno Linux returns' },
    code: { type: 'string', pattern: '^E[A-Z0-9]+$', description: 'the errno name, e.g. EACCES' },
    error: {
      type: 'object',
      additionalProperties: false,
      required: ['insn', 'message'],
      properties: {
        insn: { type: 'integer', minimum: -1, description: 'the instruction (slot index) rejected; -1 before any' },
        message: { type: 'string', description: "the reason, in the kernel's words" },
        line: { type: 'string', description: 'file:line and source text, from line_info' },
      },
    },
    log: { type: 'string', description: "the log in the kernel's format (empty at log_level 0), at most log_size - 1 bytes" },
    log_true_size: { ...u32, description: 'at a log_level: the log_size that would hold the whole log, its NUL included' },
    stats: {
      type: 'object',
      additionalProperties: false,
      required: ['processed_insns', 'total_states', 'peak_states', 'max_states_per_insn', 'mark_read', 'time_usec'],
      properties: {
        processed_insns: u32,
        total_states: u32,
        peak_states: u32,
        max_states_per_insn: u32,
        mark_read: u32,
        time_usec: { type: 'integer', minimum: 0 },
      },
    },
    facts: {
      type: 'object',
      description: 'what the JIT and the kernel-sim may rely on',
      additionalProperties: false,
      required: ['stack_depth', 'subprog_starts', 'helpers_used', 'map_ids_used', 'uses_tail_call'],
      properties: {
        stack_depth: { type: 'array', items: u32, description: 'stack bytes per subprogram' },
        subprog_starts: { type: 'array', items: u32, description: 'first slot of each subprogram' },
        helpers_used: { type: 'array', items: u32 },
        map_ids_used: { type: 'array', items: u32 },
        uses_tail_call: { type: 'boolean' },
        max_packet_offset: { ...u32, description: 'the furthest packet byte read or written' },
        const_array_lookups: {
          type: 'array',
          items: u32,
          description: 'slots of map_lookup_elem calls on one ARRAY map with one constant in-range key: the JIT may inline them',
        },
        probe_mem_loads: {
          type: 'array',
          items: u32,
          description: 'slots of loads through PTR_TO_BTF_ID (kernel structs): BPF_PROBE_MEM loads, which read 0 where the address is not memory instead of faulting',
        },
        dead_insns: {
          type: 'array',
          items: u32,
          description: 'slots (both of a lddw) of an accepted program that no path reached: dead code, never checked, that the kernel replaces with `ja -1` before it runs (sanitize_dead_code)',
        },
      },
    },
  },
} as const;
export type VerifyReply = FromSchema<typeof VerifyReplySchema>;
