import { BpfError, ProgType } from '@bpfhive/uapi';
import type { ObjectTable, ProgramInfo } from '../ports.js';
import type { ProgramOwnership } from './prog-array.js';

/**
 * What DEVMAP, DEVMAP_HASH and CPUMAP share: a value may name an XDP program that runs on the
 * packets redirected there (struct bpf_devmap_val / bpf_cpumap_val's bpf_prog.fd on write, .id
 * on read). The field is a C int: only a value above 0 names a program.
 */
export const namesProgram = (progField: number): boolean => (progField | 0) > 0;

/**
 * Takes the program a redirect map value names: an XDP program loaded for `attachType`
 * (BPF_XDP_DEVMAP or BPF_XDP_CPUMAP) and compatible with the map's owner. Throws `errno` with
 * the reason otherwise (the kernel answers EINVAL for a devmap, ENOMEM for a cpumap). Without a
 * `programs` port (detached) the id is kept unchecked.
 */
export function takeRedirectProgram(
  programs: ObjectTable<ProgramInfo> | undefined,
  ownership: ProgramOwnership,
  id: number,
  attachType: number,
  errno: string,
): void {
  if (!programs) return;
  const prog = programs.acquire(id);
  const reason = !prog
    ? `no program with id ${id}`
    : prog.prog_type !== ProgType.XDP
      ? `program ${id} is not an XDP program`
      : prog.expected_attach_type !== attachType
        ? `program ${id} was not loaded with expected_attach_type ${attachType}`
        : !ownership.compatible(prog)
          ? `program ${id} does not match the programs this map already holds`
          : undefined;
  if (reason === undefined) return;
  if (prog) programs.release(id);
  throw new BpfError(errno, `update: ${reason}`);
}
