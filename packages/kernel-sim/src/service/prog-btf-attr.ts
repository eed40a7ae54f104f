import { type ProgLoadRequest, fromBase64 } from '@bpfhive/uapi';
import type { InfoRecords } from '../core/btf/func-line-info.js';
import type { ProgLoadAttr } from '../core/load/attr.js';

type ProgBtfLoadAttr = Pick<ProgLoadAttr, 'prog_btf_id' | 'func_info' | 'line_info' | 'attach_btf_id' | 'attach_btf_obj_id'>;

/**
 * prog_load's BTF fields in the kernel's form (core/btf/prog-btf.ts): the program's BTF id, its
 * func_info and line_info records (base64 on the wire; a missing rec_size is 0, which the kernel
 * refuses as Linux does), and what it attaches to.
 */
export function progBtfAttr(r: ProgLoadRequest): ProgBtfLoadAttr {
  const records = (bytes: string | undefined, recSize: number | undefined, count: number | undefined, what: string): InfoRecords | undefined =>
    bytes === undefined ? undefined : { bytes: fromBase64(bytes, what), recSize: recSize ?? 0, ...(count !== undefined && { count }) };
  const funcInfo = records(r.func_info, r.func_info_rec_size, r.func_info_cnt, 'func_info');
  const lineInfo = records(r.line_info, r.line_info_rec_size, r.line_info_cnt, 'line_info');
  return {
    ...(r.prog_btf_id !== undefined && { prog_btf_id: r.prog_btf_id }),
    ...(funcInfo && { func_info: funcInfo }),
    ...(lineInfo && { line_info: lineInfo }),
    ...(r.attach_btf_id !== undefined && { attach_btf_id: r.attach_btf_id }),
    ...(r.attach_btf_obj_id !== undefined && { attach_btf_obj_id: r.attach_btf_obj_id }),
  };
}
