/**
 * loadCollection: an ObjectSpec into live objects, libbpf's bpf_object__load over bpf() on
 * NATS. All or nothing: on any failure everything created so far is released again.
 */
import { BpfError, MapType } from '@bpfhive/uapi';
import { type BpfClient, BpfSyscallError } from '../client/index.js';
import type { CoreRelocator } from '../corerelo/index.js';
import type { ObjectSpec, ProgramSpec } from '../object/index.js';
import { natsCloser } from './closer.js';
import { coreRelocatorFor, loadWithCore } from './core.js';
import { checkNativeEndian } from './endian.js';
import { CloseError, LoadError, type LoadTarget } from './errors.js';
import { resolveExterns } from './externs.js';
import { Ledger } from './ledger.js';
import { type MapContext, type MapRecord, isMapInMap, obtainMap } from './maps.js';
import { withKernelBtf } from './kernel-btf.js';
import { explainKfuncRefusal } from './kfunc-poison.js';
import { attachBtfId, loadObjectBtf, progBtfFields } from './prog-btf.js';
import { loadProgram, progLoadAttr } from './programs.js';
import { relocateProgram } from './relocate.js';
import { initSlots } from './slots.js';
import type { Collection, LoadOptions, LoadedMap, LoadedProgram } from './types.js';

/** Runs one step; its failure becomes a LoadError naming what it worked on. */
async function step<T>(target: LoadTarget, run: () => Promise<T> | T): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw e instanceof LoadError ? e : new LoadError(target, e);
  }
}

/**
 * Loads `spec` through `client`, in libbpf's order:
 *
 * 0. the kernel's BTF fetched when the object needs it and `kernelBtf` gives none
 *    (withKernelBtf, as libbpf loads vmlinux BTF itself);
 * 1. externs resolved (Kconfig values, kernel symbols) before anything is created, then the
 *    object's .BTF loaded into the kernel (prog-btf.ts; optional: a refusal is a warning);
 * 2. every map obtained in spec order: given in `reuseMaps`, else pinned by name at
 *    `<pinRoot>/<name>` and compatible (EINVAL `pinned map is incompatible` otherwise), else
 *    created (a map-in-map with a template of its inner map; with the object's BTF and its key
 *    and value types, maps.ts mapBtfAttr, retried without on EINVAL), global data written as
 *    element 0 and `.rodata`/`.kconfig` frozen;
 * 3. map-in-map slots set to the ids of the maps they name;
 * 4. every program loaded by default (section without '?') relocated to map ids, its CO-RE
 *    relocations applied against `kernelBtf` when given (core.ts), and loaded with its
 *    prog_btf_id, func_info and line_info, and, for fentry/fexit/tp_btf/lsm/iter sections, the
 *    attach_btf_id found in `kernelBtf`; the loader's BTF handle is closed after (programs hold it);
 * 5. program array slots set to the ids of the programs they name;
 * 6. maps pinned by name that were created here pinned at their path — last, because a pin
 *    cannot be taken back over the wire, so a failed load leaves none behind.
 *
 * Any failure releases what was created (programs closed, then maps; reused maps are never
 * touched) and rejects with a LoadError naming the map, program or extern: `load program
 * 'xdp_prog': …` with the errno and, when the verifier refused it, its whole log.
 */
export async function loadCollection(spec: ObjectSpec, client: BpfClient, given: LoadOptions = {}): Promise<Collection> {
  await step({ kind: 'object' }, () => checkObject(spec, given));
  const options = await step({ kind: 'object' }, () => withKernelBtf(spec, client, given));
  const externs = resolveExterns(spec, options);
  const ledger = new Ledger(options.closer ?? natsCloser(client));
  try {
    const toLoad = spec.programs.filter((p) => p.autoload);
    // The object's BTF, loaded before the maps as libbpf does: maps name their key and value types in it, and each
    // program names it with its func_info and line_info. Programs (and the kernel, for maps) hold it, so the handle goes after.
    const btfId = spec.btf && (toLoad.length > 0 || spec.maps.some((m) => m.btfValueTypeId !== 0)) ? await loadObjectBtf(client, spec.btf, options.onWarning) : undefined;
    const ctx: MapContext = { client, ledger, options, kconfig: externs.kconfig, ...(btfId !== undefined && spec.btf && { btf: { id: btfId, btf: spec.btf } }) };
    const maps = new Map<string, MapRecord>();
    const programs = new Map<string, LoadedProgram>();
    try {
      for (const map of spec.maps) {
        maps.set(map.name, await step({ kind: 'map', name: map.name }, () => obtainMap(ctx, map)));
        options.onProgress?.({ kind: 'map', name: map.name, done: maps.size, total: spec.maps.length });
      }
      const mapIds = new Map([...maps].map(([name, record]) => [name, record.entry.id]));
      for (const record of maps.values()) {
        if (isMapInMap(record.spec.type)) await step({ kind: 'map', name: record.spec.name }, () => initSlots(client, record, 'map', mapIds));
      }
      const core = coreRelocatorFor(spec, options);
      for (const program of toLoad) {
        const loading = (): Promise<LoadedProgram> => load(client, ledger, spec, program, mapIds, options, core, btfId, externs.ksyms);
        programs.set(program.name, await step({ kind: 'program', name: program.name }, loading));
        options.onProgress?.({ kind: 'program', name: program.name, done: programs.size, total: toLoad.length });
      }
    } finally {
      if (btfId !== undefined) await (options.closer ?? natsCloser(client)).close('btf', btfId).catch(() => undefined);
    }
    const progIds = new Map([...programs].map(([name, p]) => [name, p.id]));
    for (const record of maps.values()) {
      if (record.spec.type === MapType.PROG_ARRAY) await step({ kind: 'map', name: record.spec.name }, () => initSlots(client, record, 'program', progIds));
    }
    for (const record of maps.values()) {
      const path = record.pinAfterLoad;
      if (path === undefined) continue;
      await step({ kind: 'map', name: record.spec.name }, () => client.objPin(path, { map_id: record.entry.id }));
      ledger.pinned(record.entry, path);
    }
    return new LoadedCollection(client, ledger, maps, programs);
  } catch (e) {
    const error = e instanceof LoadError ? e : new LoadError({ kind: 'object' }, e);
    error.unreleased = await ledger.release('rollback');
    throw error;
  }
}

/** What the loader refuses before it starts: a big-endian object, a reuseMaps entry naming no map. */
function checkObject(spec: ObjectSpec, options: LoadOptions): void {
  checkNativeEndian(spec);
  for (const name of options.reuseMaps?.keys() ?? []) {
    if (!spec.maps.some((m) => m.name === name)) throw new BpfError('EINVAL', `unable to find map '${name}' to reuse`);
  }
}

async function load(
  client: BpfClient,
  ledger: Ledger,
  spec: ObjectSpec,
  program: ProgramSpec,
  mapIds: ReadonlyMap<string, number>,
  options: LoadOptions,
  core: CoreRelocator | undefined,
  btfId: number | undefined,
  ksyms: ReadonlyMap<string, number>,
): Promise<LoadedProgram> {
  const insns = relocateProgram(program, mapIds, spec.externs, ksyms);
  const type = options.programType?.type ?? program.type;
  const attachType = options.programType ? options.programType.expectedAttachType : program.expectedAttachType;
  const btf = progBtfFields(program, btfId, attachBtfId(program, type, attachType, options.kernelBtf));
  const result = await loadWithCore(core, program, insns, options, (relocated) => loadProgram(client, { ...progLoadAttr(program, relocated, options), ...btf })).catch((e: unknown) => {
    throw explainKfuncRefusal(e, spec.externs);
  });
  const entry = ledger.add('prog', program.name, result.id, true);
  return { id: result.id, spec: program, log: result.log, verifiedInsns: result.verifiedInsns, pins: entry.pins };
}

/** The Collection loadCollection hands back. */
class LoadedCollection implements Collection {
  readonly maps: ReadonlyMap<string, LoadedMap>;
  #closed = false;

  constructor(
    private readonly client: BpfClient,
    private readonly ledger: Ledger,
    records: ReadonlyMap<string, MapRecord>,
    readonly programs: ReadonlyMap<string, LoadedProgram>,
  ) {
    this.maps = new Map([...records].map(([name, r]) => [name, { id: r.entry.id, spec: r.spec, reused: !r.entry.owned, pins: r.entry.pins }]));
  }

  async pinProgram(name: string, pathname: string): Promise<void> {
    const program = this.programs.get(name);
    if (!program) throw new BpfSyscallError('ENOENT', `pin program '${name}': no such program in the collection`);
    await this.client.objPin(pathname, { prog_id: program.id });
    this.ledger.pinned(this.ledger.find('prog', name)!, pathname);
  }

  async pinMap(name: string, pathname: string): Promise<void> {
    const map = this.maps.get(name);
    if (!map) throw new BpfSyscallError('ENOENT', `pin map '${name}': no such map in the collection`);
    if (map.pins.includes(pathname)) return;
    await this.client.objPin(pathname, { map_id: map.id });
    this.ledger.pinned(this.ledger.find('map', name)!, pathname);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const unreleased = await this.ledger.release('close');
    if (unreleased.length > 0) throw new CloseError(unreleased);
  }
}
