import { type CallerIdentity, type ProgInfoReply, encode, toBase64 } from '@bpfhive/uapi';
import type { Kernel } from '../core/kernel.js';
import { programMemlock } from '../core/load/memlock.js';
import { xlatedForDump } from '../core/load/xlated-dump.js';
import type { LoadedProgram } from '../core/programs/program.js';

/**
 * The most characters the instruction and module fields of one info reply may take together,
 * well inside NATS's default 1 MiB message: a field that would pass it is left out (and the CLI
 * says it is not available) rather than the whole reply failing.
 */
export const INFO_CODE_BUDGET = 512 * 1024;

/** WAT text per program, made once: printing (or, for a module the jit service built, compiling) is not free. */
const watCache = new WeakMap<LoadedProgram, string | null>();

function watOf(program: LoadedProgram): string | undefined {
  let wat = watCache.get(program);
  if (wat === undefined) {
    try {
      wat = program.compiled.wat();
    } catch {
      wat = null;
    }
    watCache.set(program, wat);
  }
  return wat ?? undefined;
}

type CodeFields = Pick<ProgInfoReply, 'xlated_prog_insns' | 'jited_prog_insns' | 'jited_prog_wat'>;

/** xlated_prog_insns, jited_prog_insns and jited_prog_wat, in that order while they fit INFO_CODE_BUDGET. */
function codeFields(program: LoadedProgram): CodeFields {
  const out: { -readonly [K in keyof CodeFields]: CodeFields[K] } = {};
  let left = INFO_CODE_BUDGET;
  const add = (name: keyof CodeFields, text: () => string | undefined): void => {
    const value = text();
    if (value === undefined || value.length > left) return;
    out[name] = value;
    left -= value.length;
  };
  add('xlated_prog_insns', () => toBase64(encode(xlatedForDump(program.xlated, program.maps))));
  add('jited_prog_insns', () => toBase64(program.compiled.bytes));
  add('jited_prog_wat', () => watOf(program));
  return out;
}

/**
 * BPF_OBJ_GET_INFO_BY_FD for program `id` as `who` sees it: struct bpf_prog_info, memlock and the
 * kernel's boot time (for wall-clock load times), and — for a caller with CAP_BPF — the
 * instructions as translated (map ids restored), the module and its text. Without CAP_BPF the
 * lengths are 0 and the code is left out, as bpf_prog_get_info_by_fd does.
 */
export function progInfoReply(kernel: Kernel, id: number, who: CallerIdentity): ProgInfoReply {
  const program = kernel.program(id);
  const info: ProgInfoReply = { ...kernel.info(id), memlock: programMemlock(program), boot_time_ns: Number(kernel.bootTime()) };
  if (!who.capabilities.has('CAP_BPF')) return { ...info, xlated_prog_len: 0, jited_prog_len: 0 };
  return { ...info, ...codeFields(program) };
}
