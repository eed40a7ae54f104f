import { readFile } from 'node:fs/promises';
import { type Btf, fromBase64, parseBtf, strerror } from '@bpfhive/uapi';
import { BpfUnavailableError, type BpfClient } from '../../client/index.js';
import { findSection, readElf } from '../../elf/index.js';
import { UsageError } from '../io.js';
import type { BtfSource } from './btf-args.js';
import { failure } from './map-context.js';
import { resolveMap } from './map-resolve.js';
import { resolveProgram } from './prog-resolve.js';

/** A BTF to dump, and the types to dump (every type when `roots` is undefined). */
export interface LoadedBtf {
  readonly btf: Btf;
  readonly roots?: readonly number[];
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

/**
 * The `.BTF` of a file, as libbpf's btf__parse reads it: an ELF object's `.BTF` section as
 * compiled (no DATASEC fix-ups), else the file as a raw blob (`/sys/kernel/btf/vmlinux`, the
 * kernel-sim's `vmlinux.btf`). Fails as bpftool does: `failed to load BTF from FILE: …`.
 */
export async function btfFromFile(path: string): Promise<Btf> {
  const fail = (code: string, detail?: string): UsageError =>
    new UsageError(`failed to load BTF from ${path}: ${strerror(code)}${detail === undefined ? '' : ` (${detail})`}`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw fail((e as NodeJS.ErrnoException).code ?? 'EIO');
  }
  try {
    if (!ELF_MAGIC.every((b, i) => bytes[i] === b)) return parseBtf(bytes);
    const section = findSection(readElf(bytes), '.BTF');
    if (!section) throw fail('ENODATA', "no '.BTF' ELF section");
    return parseBtf(section.data);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw fail('EINVAL', (e as Error).message);
  }
}

/**
 * A loaded BTF object by id (`bpf.v1.btf.<id>.info`, whose reply carries the blob; id 1 is
 * the kernel's vmlinux). When nothing serves that subject the error says so plainly.
 */
export async function btfById(client: BpfClient, id: number): Promise<Btf> {
  let reply: Record<string, unknown>;
  try {
    reply = await client.bpf('OBJ_GET_INFO_BY_FD', { btf_id: id });
  } catch (e) {
    if (e instanceof BpfUnavailableError) {
      throw new UsageError(
        `get btf by id (${id}): no service serves ${e.subject ?? `bpf.v1.btf.${id}.info`}: the kernel-sim does not hand out BTF objects yet; ` +
          'dump its BTF as a file: bpfhive btf dump file packages/kernel-sim/btf/vmlinux.btf',
      );
    }
    throw failure(`get btf by id (${id})`, e);
  }
  if (typeof reply.btf !== 'string') throw new UsageError(`get btf by id (${id}): the info reply carries no 'btf' blob`);
  try {
    return parseBtf(fromBase64(reply.btf, 'btf'));
  } catch (e) {
    throw new UsageError(`get btf by id (${id}): ${(e as Error).message}`);
  }
}

/** The BTF a `btf dump` source names, with the root types a map source picks. */
export async function loadBtfSource(source: BtfSource, client: () => Promise<BpfClient>): Promise<LoadedBtf> {
  if ('file' in source) return { btf: await btfFromFile(source.file) };
  if ('id' in source) return { btf: await btfById(await client(), source.id) };
  const c = await client();
  if ('prog' in source) {
    const info = await resolveProgram(c, source.prog);
    return { btf: await btfById(c, btfIdOf(info, `program ${info.id}`)) };
  }
  const info = (await resolveMap(c, source.map)) as { id?: number; btf_key_type_id?: number; btf_value_type_id?: number };
  const btf = await btfById(c, btfIdOf(info, `map ${info.id ?? '?'}`));
  const key = info.btf_key_type_id ?? 0;
  const value = info.btf_value_type_id ?? 0;
  const roots = source.types === 'key' ? [key] : source.types === 'value' ? [value] : source.types === 'kv' ? [key, value] : undefined;
  return { btf, ...(roots && { roots }) };
}

/** The btf_id an object's info names; an error when it has none (0 or absent). */
function btfIdOf(info: object, what: string): number {
  const id = (info as { btf_id?: unknown }).btf_id;
  if (typeof id !== 'number' || id === 0) throw new UsageError(`${what} has no BTF (its info names no btf_id)`);
  return id;
}
