/**
 * The BTF side of loading programs, as libbpf does it:
 *
 * - attach_btf_id for BTF-attached programs (libbpf_find_attach_btf_id): the kernel FUNC named by
 *   the section (`fentry/vfs_read` → FUNC vfs_read), `btf_trace_<name>` (a TYPEDEF) for tp_btf,
 *   `bpf_lsm_<hook>` for lsm, `bpf_iter_<target>` for iter;
 * - the object's own .BTF loaded into the kernel (BPF_BTF_LOAD, after libbpf's sanitizing of
 *   externs), so that each program can name it (prog_btf_id) with its func_info and line_info.
 */
import { type Btf, type BtfType, BtfVarLinkage, type ProgLoadRequest, AttachType as A, BpfError, ProgType as P, encodeBtf, findBtfType } from '@bpfhive/uapi';
import { type BpfClient, BpfSyscallError } from '../client/index.js';
import type { ProgramSpec } from '../object/index.js';

/** sizeof(struct bpf_func_info), sizeof(struct bpf_line_info). */
const FUNC_INFO_REC_SIZE = 8;
const LINE_INFO_REC_SIZE = 16;

/** The kernel type a program of `type` / `attachType` attaching to `name` names, as libbpf looks it up. */
function attachTarget(type: number, attachType: number, name: string): { name: string; kind: 'FUNC' | 'TYPEDEF' } | undefined {
  if (type === P.LSM) return { name: `bpf_lsm_${name}`, kind: 'FUNC' };
  if (type !== P.TRACING) return undefined;
  if (attachType === A.TRACE_RAW_TP) return { name: `btf_trace_${name}`, kind: 'TYPEDEF' };
  if (attachType === A.TRACE_ITER) return { name: `bpf_iter_${name}`, kind: 'FUNC' };
  return { name, kind: 'FUNC' };
}

/**
 * attach_btf_id for `program` loaded as `type`/`attachType`: undefined for program types that
 * take none, and when there is no kernel BTF to look in (the kernel then refuses a tracing
 * program, "Tracing programs must provide btf_id"). EINVAL when the section names no target;
 * ESRCH, with libbpf's message, when the kernel BTF has no such type.
 */
export function attachBtfId(program: ProgramSpec, type: number, attachType: number, kernelBtf: Btf | undefined): number | undefined {
  const probe = attachTarget(type, attachType, program.attachTo ?? '');
  if (probe === undefined || kernelBtf === undefined) return undefined;
  if (!program.attachTo) throw new BpfError('EINVAL', `prog '${program.name}': no BTF-based attach target is specified in section '${program.sectionName}'`);
  const id = findBtfType(kernelBtf, probe.name, probe.kind);
  if (id === undefined) throw new BpfError('ESRCH', `prog '${program.name}': failed to find kernel BTF type ID of '${program.attachTo}' (no ${probe.kind} '${probe.name}' in the kernel's BTF)`);
  return id;
}

/**
 * The object's BTF as the kernel takes it (bpf_object__sanitize_and_load_btf, the extern part):
 * extern VARs become allocated, each FUNC of `.ksyms` a `dummy_ksym` int VAR, and a DATASEC the
 * ELF gave no size (`.kconfig`, `.ksyms`) its variables laid out one after another.
 */
export function kernelReadyBtf(btf: Btf): Uint8Array {
  const types: BtfType[] = btf.types.map((t) => (t.kind === 'VAR' && t.linkage === BtfVarLinkage.GLOBAL_EXTERN ? { ...t, linkage: BtfVarLinkage.GLOBAL_ALLOCATED } : t));
  let dummy: number | undefined;
  const dummyKsym = (): number => {
    if (dummy !== undefined) return dummy;
    const int = findBtfType(btf, 'int', 'INT') ?? types.push({ kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 }) - 1;
    dummy = types.push({ kind: 'VAR', name: 'dummy_ksym', type: int, linkage: BtfVarLinkage.GLOBAL_ALLOCATED }) - 1;
    return dummy;
  };
  types.forEach((t, id) => {
    if (t.kind !== 'DATASEC' || t.size !== 0) return;
    let end = 0;
    const vars = t.vars.map((v) => {
      const isFunc = types[v.type]?.kind === 'FUNC';
      const size = isFunc ? 4 : Math.max(v.size, 1);
      const align = Math.min(8, 2 ** Math.floor(Math.log2(size)));
      const offset = Math.ceil(end / align) * align;
      end = offset + size;
      return { type: isFunc ? dummyKsym() : v.type, offset, size };
    });
    types[id] = { ...t, size: Math.max(end, 1), vars };
  });
  return encodeBtf({ types, ...(btf.strings && { strings: btf.strings }) });
}

/** Errnos that say no kernel serves BPF_BTF_LOAD: a kernel without BTF support, which libbpf probes for and then quietly skips. */
const NO_BTF_SUPPORT = new Set(['ENOSYS', 'ECONNREFUSED', 'EOPNOTSUPP']);

/**
 * BPF_BTF_LOAD of the object's BTF; its id, or undefined when the kernel refuses it (with
 * libbpf's warning: BTF is optional, the programs then load without it) or has no BTF support.
 */
export async function loadObjectBtf(client: BpfClient, btf: Btf, onWarning?: (message: string) => void): Promise<number | undefined> {
  try {
    return Number((await client.bpf('BTF_LOAD', { btf: kernelReadyBtf(btf) })).btf_id);
  } catch (e) {
    if (!(e instanceof BpfSyscallError) && !(e instanceof BpfError)) throw e;
    if (!NO_BTF_SUPPORT.has(e.code)) onWarning?.(`Error loading .BTF into kernel: ${e.code} (${e.message}). BTF is optional, ignoring.`);
    return undefined;
  }
}

type ProgBtfFields = Pick<ProgLoadRequest, 'prog_btf_id' | 'func_info' | 'func_info_rec_size' | 'line_info' | 'line_info_rec_size' | 'attach_btf_id'>;

/** u32 words, little-endian, as base64. */
const words = (values: readonly number[]): string => Buffer.from(new Uint32Array(values).buffer).toString('base64');

/** prog_load's BTF fields: prog_btf_id with the program's func_info and line_info (when the object's BTF loaded), attach_btf_id. */
export function progBtfFields(program: ProgramSpec, btfId: number | undefined, attachId: number | undefined): ProgBtfFields {
  const info: ProgBtfFields =
    btfId === undefined
      ? {}
      : {
          prog_btf_id: btfId,
          ...(program.funcInfo.length > 0 && { func_info: words(program.funcInfo.flatMap((f) => [f.insnOff, f.typeId])), func_info_rec_size: FUNC_INFO_REC_SIZE }),
          ...(program.lineInfo.length > 0 && {
            line_info: words(program.lineInfo.flatMap((l) => [l.insnOff, l.fileNameOff, l.lineOff, (l.lineNum << 10) | (l.column & 0x3ff)])),
            line_info_rec_size: LINE_INFO_REC_SIZE,
          }),
        };
  return { ...info, ...(attachId !== undefined && { attach_btf_id: attachId }) };
}
