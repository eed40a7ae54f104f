import type { ProgInfoReply } from '@bpfhive/uapi';
import type { BpfClient } from '../../client/index.js';
import { UsageError } from '../io.js';
import { attempt, failure, isErrno } from './map-context.js';
import type { ProgHandle } from './prog-args.js';

/**
 * A program's info as the kernel-sim sends it: struct bpf_prog_info's fields, and the variable
 * parts bpftool asks for separately when the reply carries them (base64 bytes, WAT text).
 */
export type ProgInfo = ProgInfoReply & {
  /** The instructions as the kernel runs them (bpf_prog_info.xlated_prog_insns). */
  readonly xlated_prog_insns?: string;
  /** The compiled WebAssembly module (bpf_prog_info.jited_prog_insns). */
  readonly jited_prog_insns?: string;
  /** The compiled module as WebAssembly text. */
  readonly jited_prog_wat?: string;
};

/** BPF_OBJ_GET_INFO_BY_FD for a program. */
export async function progInfo(client: BpfClient, id: number): Promise<ProgInfo> {
  return (await client.bpf('OBJ_GET_INFO_BY_FD', { prog_id: id })) as ProgInfo;
}

/**
 * The programs a PROG names, with their info, failing as bpftool does: `get by id (7): …`,
 * `bpf obj get (/sys/fs/bpf/x): …`, `incorrect object type: map`. A name or tag may match several
 * programs, or none, which is an error here where bpftool says nothing.
 */
export async function resolvePrograms(client: BpfClient, handle: ProgHandle): Promise<ProgInfo[]> {
  if ('id' in handle) return [await attempt(`get by id (${handle.id})`, () => progInfo(client, handle.id))];
  if ('pinned' in handle) {
    const object = await attempt(`bpf obj get (${handle.pinned})`, () => client.objGet(handle.pinned));
    if (!('prog_id' in object)) throw new UsageError(`incorrect object type: ${'map_id' in object ? 'map' : 'link'}`);
    return [await attempt("can't get prog info", () => progInfo(client, object.prog_id))];
  }
  const matches = (await allPrograms(client)).filter((info) => ('name' in handle ? info.name === handle.name : info.tag === handle.tag));
  if (matches.length === 0) throw new UsageError('name' in handle ? `no program with name ${handle.name}` : `no program with tag ${handle.tag}`);
  return matches;
}

/** The one program a PROG names; `several programs match this handle` when a name or tag matches more. */
export async function resolveProgram(client: BpfClient, handle: ProgHandle): Promise<ProgInfo> {
  const programs = await resolvePrograms(client, handle);
  if (programs.length > 1) throw new UsageError('several programs match this handle');
  return programs[0]!;
}

/** Every program's info, by id; a program that goes away while listed is skipped. */
export async function allPrograms(client: BpfClient): Promise<ProgInfo[]> {
  const ids = client.ids('prog');
  const out: ProgInfo[] = [];
  for (;;) {
    const next = await attempt("can't get next program", () => ids.next());
    if (next.done) return out;
    try {
      out.push(await progInfo(client, next.value));
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw failure(`can't get prog by id (${next.value})`, e);
    }
  }
}
