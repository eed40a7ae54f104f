import { readFile } from 'node:fs/promises';
import type { BpfClient } from '../../client/index.js';
import { CloseError, type Collection, LoadError, type LoadedProgram, autoAttachAttr, loadCollection, natsCloser } from '../../loader/index.js';
import { type ObjectSpec, readObject } from '../../object/index.js';
import { UsageError } from '../io.js';
import { loadProgressReporter } from '../tty.js';
import type { ArgCursor } from './map-args.js';
import { EXIT_OK, failure } from './map-context.js';
import { resolveMap } from './map-resolve.js';
import { type LoadArgs, type MapReplacement, parseLoadArgs } from './prog-args.js';
import type { ProgContext, ProgSubcommand } from './prog-context.js';

/** The object file, read as libbpf opens it; `failed to open object file: …` when it cannot be. */
async function openObject(path: string): Promise<ObjectSpec> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new UsageError(`failed to open object file: ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  try {
    return readObject(bytes, { path });
  } catch (e) {
    throw new UsageError(`failed to open object file: ${(e as Error).message}`);
  }
}

/**
 * The maps `map idx|name … MAP` replace, by name in the object, as bpftool sets them up: a name
 * must name a map of the object, an index must be below the number of maps, each map once.
 */
async function replacements(client: BpfClient, spec: ObjectSpec, maps: readonly MapReplacement[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const replacement of maps) {
    let index: number;
    if ('name' in replacement) {
      index = spec.maps.findIndex((m) => m.name === replacement.name);
      if (index < 0) throw new UsageError(`unable to find map '${replacement.name}'`);
    } else {
      index = replacement.idx;
      if (index >= spec.maps.length) throw new UsageError(`map idx '${index}' not used`);
    }
    const name = spec.maps[index]!.name;
    if (out.has(name)) throw new UsageError(`replacement for map idx ${index} specified more than once`);
    out.set(name, (await resolveMap(client, replacement.map)).map_id);
  }
  return out;
}

/** libbpf's load warnings on stderr: the verifier log of a refused program, objects left behind. */
function reportLoadFailure(ctx: ProgContext, e: LoadError): void {
  if (e.log !== undefined && e.target.kind === 'program') {
    ctx.io.stderr(`libbpf: prog '${e.target.name}': -- BEGIN PROG LOAD LOG --\n${e.log}${e.log.endsWith('\n') ? '' : '\n'}-- END PROG LOAD LOG --\n`);
  }
  for (const u of e.unreleased) ctx.out.info(`Warning: ${u.kind} '${u.name}' (id ${u.id}) not released: ${u.reason}`);
}

/**
 * bpftool's auto_attach_program: links the program where its section says (libbpf's
 * bpf_program__attach, loader/attach.ts) and pins the LINK at `path`, then drops this command's
 * handle on it (the pin keeps it attached). A program libbpf cannot auto-attach (XDP, TC, cgroup,
 * socket filters, bare sections) or whose attach fails is pinned itself instead, with bpftool's
 * notice. Returns what was pinned.
 */
async function autoAttach(ctx: ProgContext, client: BpfClient, program: LoadedProgram, path: string): Promise<'link' | 'prog'> {
  const attr = autoAttachAttr(program.spec, program.id);
  let linkId: number | undefined;
  if (attr) {
    try {
      linkId = Number((await client.bpf('LINK_CREATE', attr)).link_id);
    } catch (e) {
      ctx.out.info(`libbpf: prog '${program.spec.name}': failed to auto-attach: ${(e as Error).message}`);
    }
  }
  if (linkId === undefined) {
    ctx.out.info(`Program ${program.spec.name} does not support autoattach, falling back to pinning`);
    return 'prog';
  }
  try {
    await client.objPin(path, { link_id: linkId });
  } finally {
    await natsCloser(client)
      .close('link', linkId)
      .catch((e: unknown) => ctx.out.info(`Warning: link ${linkId} not released: ${(e as Error).message}`));
  }
  return 'link';
}

/** Pins what `load` (the first program at PATH) or `loadall` (each at PATH/NAME) pins: the programs, or with autoattach their links. */
async function pinPrograms(ctx: ProgContext, client: BpfClient, collection: Collection, args: LoadArgs, all: boolean, made: string[]): Promise<void> {
  const programs = [...collection.programs.values()];
  if (programs.length === 0) throw new UsageError("object file doesn't contain any bpf program");
  for (const program of all ? programs : programs.slice(0, 1)) {
    const path = all ? `${args.path.replace(/\/+$/, '')}/${program.spec.name}` : args.path;
    try {
      if (!args.autoattach || (await autoAttach(ctx, client, program, path)) === 'prog') await collection.pinProgram(program.spec.name, path);
      made.push(path);
    } catch (e) {
      throw failure(all ? 'failed to pin all programs' : `failed to pin program ${program.spec.sectionName}`, e);
    }
  }
}

/** Releases what the CLI does not keep, as bpftool's bpf_object__close does; what fails to close is a warning. */
async function closeUnpinned(ctx: ProgContext, collection: Collection): Promise<void> {
  try {
    await collection.close();
  } catch (e) {
    if (!(e instanceof CloseError)) throw e;
    for (const u of e.unreleased) ctx.out.info(`Warning: ${u.kind} '${u.name}' (id ${u.id}) not released: ${u.reason}`);
  }
}

/** bpftool's load_with_options: `load` pins the first program, `loadall` every program under PATH. */
async function loadWith(ctx: ProgContext, args: ArgCursor, all: boolean): Promise<number> {
  const options = parseLoadArgs(args);
  const spec = await openObject(options.object);
  const client = await ctx.client();
  const reuseMaps = await replacements(client, spec, options.maps);
  let collection: Collection;
  try {
    // loadCollection fetches the kernel's BTF when the object needs it, as libbpf reads /sys/kernel/btf/vmlinux.
    const onProgress = loadProgressReporter(ctx.io, ctx.out.json !== undefined);
    collection = await loadCollection(spec, client, {
      reuseMaps,
      ...(options.type && { programType: options.type }),
      ...(onProgress && { onProgress }),
      onWarning: (m) => ctx.out.info(`libbpf: ${m}`),
    });
  } catch (e) {
    if (e instanceof LoadError) reportLoadFailure(ctx, e);
    throw failure('failed to load object file', e);
  }
  // The pins this command made, which a failure takes back (bpftool's err_unpin).
  const made: string[] = [];
  try {
    await pinPrograms(ctx, client, collection, options, all, made);
    if (options.pinmaps !== undefined) {
      const dir = options.pinmaps.replace(/\/+$/, '');
      for (const name of collection.maps.keys()) {
        const path = `${dir}/${name}`;
        const pinned = collection.maps.get(name)!.pins.includes(path);
        await collection.pinMap(name, path).catch((e: unknown) => {
          throw failure('failed to pin all maps', e);
        });
        if (!pinned) made.push(path);
      }
    }
  } catch (e) {
    for (const path of made.reverse()) await client.objUnpin(path).catch((u: unknown) => ctx.out.info(`Warning: can't unpin ${path}: ${(u as Error).message}`));
    await closeUnpinned(ctx, collection);
    throw e;
  }
  await closeUnpinned(ctx, collection);
  ctx.out.json?.null();
  return EXIT_OK;
}

const LOAD_OPTIONS = 'OBJ  PATH \\\n                         [type TYPE] [map { idx IDX | name NAME } MAP] \\\n                         [pinmaps MAP_DIR] [autoattach]';

export const progLoad: ProgSubcommand = { name: 'load', synopsis: `{ load | loadall } ${LOAD_OPTIONS}`, run: (ctx, args) => loadWith(ctx, args, false) };
export const progLoadall: ProgSubcommand = { name: 'loadall', synopsis: `{ load | loadall } ${LOAD_OPTIONS}`, run: (ctx, args) => loadWith(ctx, args, true) };
