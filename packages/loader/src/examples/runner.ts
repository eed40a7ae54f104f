/**
 * `bpfhive example run NAME`: an example object loaded as libbpf loads it (CO-RE against the
 * kernel-sim's vmlinux BTF, `bpf.v1.btf.1.info`), its programs attached where its README says,
 * the simulated world driven over `bpf.v1.sim.>`, and what the README says it shows printed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AttachType, type Btf, ProgType, fromBase64, parseBtf } from '@bpfhive/uapi';
import type { BpfClient } from '../client/index.js';
import { type Collection, loadCollection } from '../loader/index.js';
import { type ProgramSpec, readObject } from '../object/index.js';
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
}

/** One runnable example. */
export interface Example {
  readonly name: string;
  readonly summary: string;
  run(run: ExampleRun): Promise<void>;
}

/** The kernel's BTF (vmlinux, BTF object 1), for CO-RE, as libbpf reads /sys/kernel/btf/vmlinux. */
export async function kernelBtf(client: BpfClient): Promise<Btf> {
  const reply = await client.bpf('OBJ_GET_INFO_BY_FD', { btf_id: 1 });
  if (typeof reply.btf !== 'string') throw new Error("the kernel's BTF (btf id 1) came without its blob");
  return parseBtf(fromBase64(reply.btf, 'btf'));
}

/**
 * BPF_LINK_CREATE's attributes for a program, from its section as libbpf's auto-attach reads it:
 * `xdp` on a device, `tc`/`tcx/*` on a device's TCX hook, `tracepoint/CAT/NAME`, `raw_tp/NAME`,
 * `kprobe/FN`, `kretprobe/FN`, `fentry/FN`, `fexit/FN`, cgroup hooks on the root cgroup.
 */
export function attachAttr(program: ProgramSpec, progId: number, target: { readonly ifindex?: number } = {}): Record<string, unknown> {
  const section = program.sectionName;
  const to = program.attachTo ?? section.slice(section.indexOf('/') + 1);
  const device = (): number => {
    if (target.ifindex === undefined) throw new Error(`program '${program.name}' (${section}) attaches to a device: give one`);
    return target.ifindex;
  };
  switch (program.type) {
    case ProgType.XDP:
      return { prog_id: progId, attach_type: AttachType.XDP, target_ifindex: device() };
    case ProgType.SCHED_CLS:
      return { prog_id: progId, attach_type: section.includes('egress') ? AttachType.TCX_EGRESS : AttachType.TCX_INGRESS, target_ifindex: device() };
    case ProgType.TRACEPOINT:
      return { prog_id: progId, attach_type: AttachType.PERF_EVENT, target_name: to };
    case ProgType.RAW_TRACEPOINT:
      return { prog_id: progId, attach_type: AttachType.TRACE_RAW_TP, target_name: to };
    case ProgType.KPROBE:
      return { prog_id: progId, attach_type: AttachType.PERF_EVENT, target_name: to, ...(section.startsWith('kretprobe') && { retprobe: true }) };
    case ProgType.CGROUP_SOCK_ADDR:
    case ProgType.CGROUP_SKB:
    case ProgType.CGROUP_SOCK:
      return { prog_id: progId, attach_type: program.expectedAttachType, target_fd: 1 };
    default:
      return { prog_id: progId, attach_type: program.expectedAttachType, target_name: to };
  }
}

export interface RunOptions {
  readonly client: BpfClient;
  readonly print: (text: string) => void;
  /** Leave the programs attached and the maps in place (and say where they are). */
  readonly keep?: boolean;
  /** Where the examples are (default: this workspace's examples/). */
  readonly dir?: string;
}

/** Runs `example`: load, attach, drive, print; then detach and close everything unless `keep`. */
export async function runExample(example: Example, options: RunOptions): Promise<void> {
  const { client, print } = options;
  const path = join(options.dir ?? EXAMPLES_DIR, example.name, `${example.name}.bpf.o`);
  const spec = readObject(new Uint8Array(await readFile(path)), { path });
  const collection = await loadCollection(spec, client, { kernelBtf: await kernelBtf(client) });
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
    await example.run(run);
    failed = false;
  } finally {
    if (options.keep && !failed) {
      print(`--keep: left attached (links ${links.join(', ')}); see 'bpfhive link list', 'bpfhive prog list', 'bpfhive map dump id ${[...collection.maps.values()][0]?.id ?? 0}'`);
    } else {
      for (const id of links.reverse()) await linkClose(client, id).catch(() => undefined);
      await collection.close().catch(() => undefined);
    }
  }
}
