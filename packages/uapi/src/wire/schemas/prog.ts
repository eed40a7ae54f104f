import type { FromSchema } from 'json-schema-to-ts';
import { base64, u32 } from './common.js';

/**
 * The program commands (BPF_PROG_LOAD, BPF_PROG_TEST_RUN, BPF_OBJ_GET_INFO_BY_FD for a program,
 * closing a program), served by the kernel-sim, with union bpf_attr's and struct bpf_prog_info's
 * field names. A program is named by its id (`bpf.v1.prog.<id>.<cmd>`), as Linux names it by fd.
 * `bpf.v1.prog_get_next_id` takes the shared get_next_id request and reply (maps.ts).
 */
const object = <const P extends Record<string, unknown>, const R extends readonly string[]>(id: string, title: string, properties: P, required: R) =>
  ({ $id: id, title, type: 'object', additionalProperties: false, required, properties }) as const;

/** An enum value: the uapi number, or the lower-case name bpftool prints. */
const enumValue = (example: string) => ({ type: ['integer', 'string'], description: `the uapi number or the name bpftool prints (${example})` }) as const;

/** A u64 counter or nanosecond value; JSON numbers hold it exactly up to 2^53. */
const u64 = { type: 'integer', minimum: 0 } as const;

export const ProgLoadRequestSchema = object(
  'bpf.v1.prog_load.request',
  'BPF_PROG_LOAD',
  {
    prog_type: enumValue('xdp | 6'),
    insns: { ...base64, description: 'the instructions, 8 bytes per slot, little-endian; lddw with src_reg 1 (BPF_PSEUDO_MAP_FD) names a map by id, src_reg 2 (BPF_PSEUDO_MAP_VALUE) a map id and, in the second imm, an offset into its value' },
    license: { type: 'string', maxLength: 127, description: 'e.g. "GPL"; GPL-only helpers need a GPL-compatible license' },
    prog_name: { type: 'string', maxLength: 15, description: "letters, digits, '_' and '.'" },
    log_level: { ...u32, description: 'verifier log: 0 none (the log still comes back on a rejection), 1 BPF_LOG_LEVEL1, 2 BPF_LOG_LEVEL2, 4 BPF_LOG_STATS, 8 BPF_LOG_FIXED (keep the start of a log that does not fit, not its end)' },
    log_size: { ...u32, description: 'bytes the log may take, its NUL included (log_buf is the reply): with a log_level 128 to 1073741823, else 0 (EINVAL otherwise); absent or 0: 65536; more than 131072 (what the wire carries) counts as 131072. A longer log fails the load with ENOSPC and log_true_size' },
    expected_attach_type: enumValue('xdp | 37'),
    prog_flags: { ...u32, description: 'BPF_F_* load flags (BPF_F_SLEEPABLE, BPF_F_XDP_HAS_FRAGS, ...)' },
    kern_version: { ...u32, description: 'ignored, as by Linux since 5.0' },
    prog_btf_id: { ...u32, description: "the program's own BTF object (a btf_load id; prog_btf_fd in Linux), which func_info and line_info refer to; the program holds it while it lives" },
    func_info: { ...base64, description: 'struct bpf_func_info records (insn_off, type_id: a FUNC of prog_btf_id), func_info_rec_size bytes each, one per function, by instruction' },
    func_info_rec_size: { ...u32, description: 'bytes per func_info record: 8 (sizeof(struct bpf_func_info)) or more with a zero tail' },
    func_info_cnt: { ...u32, description: 'func_info records; absent: the length of func_info over func_info_rec_size' },
    line_info: { ...base64, description: 'struct bpf_line_info records (insn_off, file_name_off, line_off, line_col: line << 10 | col), line_info_rec_size bytes each' },
    line_info_rec_size: { ...u32, description: 'bytes per line_info record: 16 (sizeof(struct bpf_line_info)) or more with a zero tail' },
    line_info_cnt: { ...u32, description: 'line_info records; absent: the length of line_info over line_info_rec_size' },
    attach_btf_id: { ...u32, description: 'tracing (fentry, fexit, fmod_ret, tp_btf, iter) and lsm programs: the FUNC (for tp_btf the btf_trace_<name> typedef) in the kernel BTF they attach to' },
    attach_btf_obj_id: { ...u32, description: 'the kernel BTF object attach_btf_id is in (attach_btf_obj_fd in Linux); 0 or absent: vmlinux (BTF id 1)' },
  },
  ['prog_type', 'insns', 'license'] as const,
);
export type ProgLoadRequest = FromSchema<typeof ProgLoadRequestSchema>;

export const ProgLoadReplySchema = object(
  'bpf.v1.prog_load.reply',
  'A loaded program',
  {
    prog_id: u32,
    log: { type: 'string', description: 'the verifier log, when log_level asked for one' },
    log_true_size: { ...u32, description: 'with the log: its size with the NUL (bpf_attr.log_true_size)' },
    verified_insns: { ...u32, description: 'instructions the verifier processed (bpf_prog_info.verified_insns)' },
    stats: {
      type: 'object',
      description: "the verifier's statistics, as BPF_LOG_STATS prints them",
      required: ['processed_insns', 'total_states', 'peak_states'],
      properties: { processed_insns: u32, total_states: u32, peak_states: u32 },
      additionalProperties: { type: 'number' },
    },
  },
  ['prog_id', 'verified_insns', 'stats'] as const,
);
export type ProgLoadReply = FromSchema<typeof ProgLoadReplySchema>;

export const ProgTestRunRequestSchema = object(
  'bpf.v1.prog.test_run.request',
  'BPF_PROG_TEST_RUN',
  {
    data_in: { ...base64, description: 'the packet (or other input data), data_size_in is its length' },
    data_size_out: { ...u32, description: 'room for data_out; 0 or absent: any size. Smaller than the output: ENOSPC' },
    ctx_in: { ...base64, description: 'the context (struct xdp_md, struct __sk_buff, raw tracepoint args, ...); ctx_size_in is its length' },
    ctx_size_out: { ...u32, description: 'room for ctx_out; absent: ctx_out comes back when ctx_in was given. Smaller than the context: ENOSPC' },
    repeat: { ...u32, description: 'runs; 0 or absent: 1' },
    flags: { ...u32, description: 'BPF_F_TEST_RUN_ON_CPU 1, BPF_F_TEST_XDP_LIVE_FRAMES 2' },
    cpu: { ...u32, description: 'with BPF_F_TEST_RUN_ON_CPU: the CPU to run on' },
    batch_size: { ...u32, description: 'live XDP frames only' },
  },
  [] as const,
);
export type ProgTestRunRequest = FromSchema<typeof ProgTestRunRequestSchema>;

export const ProgTestRunReplySchema = object(
  'bpf.v1.prog.test_run.reply',
  'The result of BPF_PROG_TEST_RUN',
  {
    retval: { ...u32, description: "the program's return value (r0, truncated to 32 bits as Linux reports it)" },
    duration: { ...u32, description: 'average nanoseconds per run' },
    data_out: { ...base64, description: 'the packet after the run (XDP: from data_meta to data_end)' },
    data_size_out: { ...u32, description: 'the length of data_out' },
    ctx_out: { ...base64, description: 'the context after the run (SYSCALL programs: ctx_in as the program left it)' },
    ctx_size_out: u32,
  },
  ['retval', 'duration'] as const,
);
export type ProgTestRunReply = FromSchema<typeof ProgTestRunReplySchema>;

export const ProgInfoReplySchema = object(
  'bpf.v1.prog.info.reply',
  'BPF_OBJ_GET_INFO_BY_FD for a program (struct bpf_prog_info)',
  {
    id: u32,
    type: u32,
    type_name: { type: 'string', description: 'the name bpftool prints' },
    expected_attach_type: u32,
    name: { type: 'string' },
    tag: { type: 'string', pattern: '^[0-9a-f]{16}$', description: 'SHA-1 of the instructions with map references zeroed, first 8 bytes, hex' },
    xlated_prog_len: { ...u32, description: 'bytes of the instructions after the kernel rewrote them; 0 for a caller without CAP_BPF' },
    jited_prog_len: { ...u32, description: 'bytes of the WebAssembly module; 0 for a caller without CAP_BPF' },
    xlated_prog_insns: {
      ...base64,
      description:
        'the instructions as the kernel runs them, map references turned back into map ids (lddw src_reg 1 with the id, or src_reg 2 with the id and the value offset) as bpf_insn_prepare_dump does; absent for a caller without CAP_BPF',
    },
    jited_prog_insns: { ...base64, description: 'the WebAssembly module the program runs as; absent for a caller without CAP_BPF or when it would not fit in the reply' },
    jited_prog_wat: { type: 'string', description: 'that module as WebAssembly text; absent for a caller without CAP_BPF or when it would not fit in the reply' },
    memlock: { ...u64, description: "bytes charged for the program (fdinfo's memlock): its struct bpf_prog and instructions, rounded up to 4 KiB pages; the kernel-sim always sends it" },
    load_time: { ...u64, description: 'nanoseconds since boot when the program was loaded' },
    boot_time_ns: {
      ...u64,
      description: "the kernel-sim's boot as wall-clock time (CLOCK_REALTIME, ns since the epoch, exact to about 0.3 µs): boot_time_ns + load_time is when the program was loaded; the kernel-sim always sends it",
    },
    created_by_uid: u32,
    map_ids: { type: 'array', items: u32 },
    gpl_compatible: { type: 'boolean' },
    btf_id: { ...u32, description: "the program's own BTF object (prog_btf_id), 0 when none" },
    attach_btf_id: { ...u32, description: 'the kernel type the program attaches to, 0 when none' },
    attach_btf_obj_id: { ...u32, description: 'the BTF object attach_btf_id is in (1, vmlinux), 0 when none' },
    verified_insns: u32,
    run_time_ns: u64,
    run_cnt: u64,
    recursion_misses: u64,
  },
  [
    'id',
    'type',
    'type_name',
    'expected_attach_type',
    'name',
    'tag',
    'xlated_prog_len',
    'jited_prog_len',
    'load_time',
    'created_by_uid',
    'map_ids',
    'gpl_compatible',
    'btf_id',
    'verified_insns',
    'run_time_ns',
    'run_cnt',
    'recursion_misses',
  ] as const,
);
export type ProgInfoReply = FromSchema<typeof ProgInfoReplySchema>;
