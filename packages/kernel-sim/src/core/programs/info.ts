import { progTypeName, slotIndex } from '@bpfhive/uapi';
import { tagHex } from '../load/tag.js';
import type { LoadedProgram } from './program.js';

/** What BPF_OBJ_GET_INFO_BY_FD tells about a program: struct bpf_prog_info's fields. */
export interface ProgInfo {
  readonly id: number;
  readonly type: number;
  readonly type_name: string;
  readonly expected_attach_type: number;
  readonly name: string;
  /** 16 hex digits. */
  readonly tag: string;
  readonly xlated_prog_len: number;
  readonly jited_prog_len: number;
  /** Nanoseconds since boot. */
  readonly load_time: number;
  readonly created_by_uid: number;
  readonly map_ids: number[];
  readonly gpl_compatible: boolean;
  /** The program's own BTF object (prog_btf_id); 0 when none. */
  readonly btf_id: number;
  /** The kernel type it attaches to, and the BTF object that is in (1, vmlinux); 0 when none. */
  readonly attach_btf_id: number;
  readonly attach_btf_obj_id: number;
  readonly verified_insns: number;
  readonly run_time_ns: number;
  readonly run_cnt: number;
  readonly recursion_misses: number;
}

export function programInfo(program: LoadedProgram): ProgInfo {
  return {
    id: program.id,
    type: program.type,
    type_name: progTypeName(program.type) ?? String(program.type),
    expected_attach_type: program.expectedAttachType,
    name: program.name,
    tag: tagHex(program.tag),
    xlated_prog_len: slotIndex(program.xlated).at(-1)! * 8,
    jited_prog_len: program.compiled.bytes.length,
    load_time: Number(program.loadTime),
    created_by_uid: program.createdByUid,
    map_ids: program.maps.map((m) => m.id),
    gpl_compatible: program.gplCompatible,
    btf_id: program.btf.btfId,
    attach_btf_id: program.btf.attachBtfId,
    attach_btf_obj_id: program.btf.attachBtfObjId,
    verified_insns: program.verifierStats.processed_insns,
    run_time_ns: Number(program.stats.runTimeNs),
    run_cnt: Number(program.stats.runCount),
    recursion_misses: Number(program.stats.recursionMisses),
  };
}
