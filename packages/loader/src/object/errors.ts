import { BpfError } from '@bpfhive/uapi';

/**
 * An object that is well-formed ELF and BTF but not a usable eBPF object, as libbpf's
 * bpf_object__open would refuse it: a map definition it cannot read, a relocation against a
 * symbol that is not a map, global variable, extern or subprogram, a call into nothing, an
 * extern without BTF. Messages start with "object:" and name the program, map or extern:
 * `object: prog 'xdp_parse': relocation against 'foo' in section '.text+8' is not a map`.
 *
 * The code is EINVAL unless libbpf answers otherwise (ENOTSUP for definitions it does not
 * support, ESRCH for names it cannot find, ENOENT for missing tables, E2BIG for data too big
 * for a map value).
 */
export class ObjectError extends BpfError {
  constructor(message: string, code: 'EINVAL' | 'ENOTSUP' | 'ESRCH' | 'ENOENT' | 'E2BIG' = 'EINVAL') {
    super(code, `object: ${message}`);
  }
}
