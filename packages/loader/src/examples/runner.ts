/**
 * `bpfhive example run NAME`: an example object loaded as libbpf loads it (CO-RE against the
 * kernel-sim's vmlinux BTF, `bpf.v1.btf.1.info`), its programs attached where its README says,
 * the simulated world driven over `bpf.v1.sim.>`, and what the README says it shows printed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BpfClient } from '../client/index.js';
import { type Collection, attachAttr, loadCollection } from '../loader/index.js';
import { readObject } from '../object/index.js';
import { type ExampleScenario, readScenario } from './scenario.js';
import { linkClose, linkCreate } from './sim.js';

/** examples/ of this workspace, from src/ and dist/ alike. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../../../examples/', import.meta.url));

/** What an example's scenario works with. */
export interface ExampleRun {
  readonly client: BpfClient;
  readonly collection: Collection;
  /** One line (or several) of the example's output, newline added. */
  print(text: string): void;
  /** Attaches the program `name` where its section says (devices: `ifindex`); returns the link id. */
  attach(name: string, target?: { readonly ifindex?: number }): Promise<number>;
  /** The id of the map `name` of the object. */
  mapId(name: string): number;
  /** The example's scenario, examples/NAME/scenario.yaml. */
  scenario(): Promise<ExampleScenario>;
}

/** One runnable example; `run` returns what it observed (what its test checks). */
export interface Example<R = unknown> {
  readonly name: string;
  readonly summary: string;
  run(run: ExampleRun): Promise<R>;
}

/** Where `ExampleRun.attach` links a program (loader/attach.ts); kept here for the examples' users. */
export { attachAttr };

export interface RunOptions {
  readonly client: BpfClient;
  readonly print: (text: string) => void;
  /** Leave the programs attached and the maps in place (and say where they are). */
  readonly keep?: boolean;
  /** Where the examples are (default: this workspace's examples/). */
  readonly dir?: string;
}

/**
 * Runs `example`: load, attach, drive, print; then detach and close everything unless `keep`.
 * Returns what the example observed.
 */
export async function runExample<R>(example: Example<R>, options: RunOptions): Promise<R> {
  const { client, print } = options;
  const dir = join(options.dir ?? EXAMPLES_DIR, example.name);
  const path = join(dir, `${example.name}.bpf.o`);
  const spec = readObject(new Uint8Array(await readFile(path)), { path });
  // loadCollection fetches the kernel's BTF itself when the object needs it (CO-RE, BTF attach targets, ksyms).
  const collection = await loadCollection(spec, client);
  const links: number[] = [];
  const programs = [...collection.programs.values()];
  print(`loaded ${example.name}.bpf.o: ${programs.map((p) => `${p.spec.name} (prog ${p.id})`).join(', ')}; maps ${[...collection.maps].map(([n, m]) => `${n} (map ${m.id})`).join(', ')}`);
  const run: ExampleRun = {
    client,
    collection,
    print,
    mapId: (name) => {
      const map = collection.maps.get(name);
      if (!map) throw new Error(`${example.name}.bpf.o has no map '${name}'`);
      return map.id;
    },
    scenario: () => readScenario(join(dir, 'scenario.yaml')),
    async attach(name, target) {
      const program = collection.programs.get(name);
      if (!program) throw new Error(`${example.name}.bpf.o has no program '${name}'`);
      const id = await linkCreate(client, attachAttr(program.spec, program.id, target));
      links.push(id);
      print(`attached ${name} (${program.spec.sectionName}): link ${id}`);
      return id;
    },
  };
  let failed = true;
  try {
    const result = await example.run(run);
    failed = false;
    return result;
  } finally {
    if (options.keep && !failed) {
      print(`--keep: left attached (links ${links.join(', ')}); see 'bpfhive link list', 'bpfhive prog list', 'bpfhive map dump id ${[...collection.maps.values()][0]?.id ?? 0}'`);
    } else {
      for (const id of links.reverse()) await linkClose(client, id).catch(() => undefined);
      await collection.close().catch(() => undefined);
    }
  }
}
