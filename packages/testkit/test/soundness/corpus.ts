import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ProgramSpec, readObject } from '@bpfhive/loader';
import { type Instruction, insn } from '@bpfhive/uapi';
import type { MapSpec } from '@bpfhive/verifier';

/**
 * Real programs to mutate: every program of examples/<name>/<name>.bpf.o and
 * packages/loader/test/objects/*.o, read by the loader's ELF reader, with each map reference
 * (`lddw rX, map` or `&var`) given an id and the map's shape, as the loader does at load time.
 * Kernel symbols, kfuncs and calls across sections stay unresolved: the verifier refuses those.
 */
export interface RealProgram {
  /** `object.o:section`. */
  readonly name: string;
  readonly progType: number;
  readonly expectedAttachType: number;
  readonly license: string;
  readonly insns: readonly Instruction[];
  /** The maps the program names, by id. */
  readonly maps: ReadonlyMap<number, MapSpec>;
}

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

function objectFiles(): string[] {
  const examples = join(ROOT, 'examples');
  const fromExamples = readdirSync(examples, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(examples, d.name)).filter((f) => f.endsWith('.bpf.o')).map((f) => join(examples, d.name, f)));
  const objects = join(ROOT, 'packages', 'loader', 'test', 'objects');
  const fromLoader = readdirSync(objects).filter((f) => f.endsWith('.o') && !f.includes('bpfeb')).map((f) => join(objects, f));
  return [...fromExamples, ...fromLoader].sort();
}

/** The program's instructions with map references resolved to ids 1.. (the object's map order). */
function resolved(program: ProgramSpec, mapIds: ReadonlyMap<string, number>): Instruction[] {
  const out = [...program.instructions];
  for (const r of program.relocations) {
    if (r.kind !== 'map' && r.kind !== 'map_value') continue;
    const id = mapIds.get(r.map);
    const at = out[r.index];
    if (id === undefined || !at) continue;
    out[r.index] = insn(at.opcode, at.dst, r.kind === 'map' ? 1 : 2, at.off, id, at.imm2 ?? 0);
  }
  return out;
}

/** Every program of every object file (objects that do not read are skipped). */
export function realPrograms(): RealProgram[] {
  const out: RealProgram[] = [];
  for (const file of objectFiles()) {
    let spec;
    try {
      spec = readObject(new Uint8Array(readFileSync(file)), { path: file });
    } catch {
      continue;
    }
    const mapIds = new Map(spec.maps.map((m, i) => [m.name, i + 1] as const));
    const maps = new Map<number, MapSpec>(
      spec.maps.map((m, i) => [i + 1, { map_type: m.type, key_size: m.keySize, value_size: m.valueSize, max_entries: m.maxEntries, map_flags: m.flags, name: m.name.slice(0, 15) }] as const),
    );
    for (const program of spec.programs) {
      out.push({
        name: `${file.slice(ROOT.length)}:${program.sectionName}`,
        progType: program.type,
        expectedAttachType: program.expectedAttachType,
        license: program.license || 'GPL',
        insns: resolved(program, mapIds),
        maps,
      });
    }
  }
  return out;
}
