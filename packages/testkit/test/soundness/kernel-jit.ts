import { Kernel, type KernelPorts, InProcessCompiler, LocalMapProvider } from '@bpfhive/kernel-sim';
import { Arena, MapDirectory } from '@bpfhive/maps-store';
import { type Instruction, encode, toBase64 } from '@bpfhive/uapi';
import { verifyRequest } from '@bpfhive/verifier';
import { GENERATED_ARRAY_MAP } from '../../src/fuzz/index.js';
import { PRANDOM_VALUE } from './checked-run.js';

/**
 * The JIT side of the soundness fuzzer: an in-process kernel-sim (its own verifier call, the
 * in-process WebAssembly compiler, no maps) that loads a program the verifier accepted and
 * test-runs it on a packet, as `bpf.v1.prog.<id>.test_run` does. Its random source returns
 * PRANDOM_VALUE, as the checked run's bpf_get_prandom_u32 does.
 */
export class KernelJit {
  readonly #kernel: Kernel;
  readonly #directory: MapDirectory;

  constructor() {
    const arena = new Arena({ initialPages: 32 });
    this.#directory = new MapDirectory(arena, 1);
    const { map_id, ...spec } = GENERATED_ARRAY_MAP;
    if (this.#directory.create(spec) !== map_id) throw new Error(`the array map did not get id ${map_id}`);
    const verifier: KernelPorts['verifier'] = {
      verify: (r) =>
        Promise.resolve(
          verifyRequest({
            prog_type: r.prog_type,
            ...(r.expected_attach_type !== undefined && { expected_attach_type: r.expected_attach_type }),
            insns: toBase64(encode(r.insns)),
            license: r.license,
            maps: [...r.maps],
          }),
        ),
    };
    this.#kernel = new Kernel(
      { maps: new LocalMapProvider(this.#directory), verifier, compiler: new InProcessCompiler(), random: { nextU32: () => PRANDOM_VALUE } },
      { arena, cpus: 1 },
    );
  }

  /**
   * Loads `insns` as XDP, fills the array map with `mapValues`, runs the program once on each
   * packet, closes it; the retval and packet after each run and the map values after the last.
   */
  async run(insns: readonly Instruction[], packets: readonly Uint8Array[], mapValues: readonly Uint8Array[]): Promise<{ runs: { retval: number; packet: Uint8Array }[]; mapValues: Uint8Array[] }> {
    const { program } = await this.#kernel.load({ prog_type: 'xdp', insns, license: 'GPL' });
    const map = this.#directory.get(GENERATED_ARRAY_MAP.map_id);
    const key = (i: number) => new Uint8Array(new Uint32Array([i]).buffer);
    try {
      mapValues.forEach((v, i) => map.update(key(i), v, 0));
      const runs = packets.map((p) => {
        const result = this.#kernel.testRun(program.id, { data_in: p });
        return { retval: result.retval, packet: result.data_out ?? new Uint8Array(0) };
      });
      return { runs, mapValues: mapValues.map((_, i) => map.lookup(key(i)).slice()) };
    } finally {
      this.#kernel.close(program.id);
    }
  }
}
