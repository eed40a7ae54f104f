import { type Instruction, ProgType, disassemble } from '@bpfhive/uapi';
import { type Capability, type MapSpec, verify } from '@bpfhive/verifier';
import { type FuzzTarget, GENERATED_ARRAY_MAP, type Prng, mutateInsns, randomXdpProgram } from '../../src/fuzz/index.js';
import { type CheckedRun, SoundnessViolation, UnsupportedRun, checkedRun } from './checked-run.js';
import type { RealProgram } from './corpus.js';
import { KernelJit } from './kernel-jit.js';

/**
 * Verifier soundness: a program (random XDP, a mutant of one, or a mutant of a real program)
 * goes through the verifier; an accepted XDP program without maps then runs on the checking
 * interpreter (checked-run.ts) over random packets and on the JIT in an in-process kernel-sim,
 * and the two must end alike (r0's low 32 bits, the packet). Outcomes: rejected, accepted-run,
 * accepted-unrun (maps or another type: no checked run for them yet), accepted-unsupported
 * (calls a helper the checked run does not offer). A verifier internal error, a breach in the
 * checked run, a kernel-sim that refuses or fails an accepted program and a JIT that disagrees
 * are findings; the message holds the program cut down to what still shows the breach.
 */

export interface SoundnessCase {
  readonly origin: string;
  readonly progType: number;
  readonly expectedAttachType: number;
  readonly license: string;
  readonly insns: readonly Instruction[];
  readonly maps: ReadonlyMap<number, MapSpec>;
  readonly packets: readonly Uint8Array[];
  /** The array map's values before the first run (GENERATED_ARRAY_MAP); the runs share the map. */
  readonly mapValues: readonly Uint8Array[];
  /** Whether the maps are the generated ones (GENERATED_ARRAY_MAP), which the checked run and the kernel-sim offer. */
  readonly generatedMaps: boolean;
  /**
   * An XDP loader with CAP_PERFMON too (bypass_spec_v1, allow_ptr_leaks, allow_uninit_stack): the
   * verifier then lets variable offsets move packet pointers, but also lets pointers leak and
   * unwritten stack be read, so the checked run does not flag those reads and the JIT is not
   * compared (leaked addresses differ between the engines).
   */
  readonly privileged: boolean;
}

/** An XDP loader: CAP_BPF and CAP_NET_ADMIN, no CAP_PERFMON, so that uninitialised stack reads and pointer leaks are refused. */
const XDP_PRIVILEGES: readonly Capability[] = ['CAP_BPF', 'CAP_NET_ADMIN'];
const ALL_PRIVILEGES: readonly Capability[] = ['CAP_BPF', 'CAP_PERFMON', 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN'];

function verdictOf(c: Pick<SoundnessCase, 'progType' | 'expectedAttachType' | 'license' | 'insns' | 'maps' | 'privileged'>) {
  return verify({
    insns: c.insns,
    progType: c.progType,
    ...(c.expectedAttachType !== 0 && { expectedAttachType: c.expectedAttachType }),
    license: c.license,
    privileges: c.progType === ProgType.XDP && !c.privileged ? XDP_PRIVILEGES : ALL_PRIVILEGES,
    maps: c.maps,
  });
}

function randomPackets(rand: Prng): Uint8Array[] {
  return Array.from({ length: 3 }, () => rand.bytes(rand.chance(0.3) ? rand.int(14, 40) : rand.int(14, 200)));
}

/** The checked runs of an accepted program and the map values after them, or why it cannot have them. */
function runAll(c: SoundnessCase): { runs: CheckedRun[]; mapValues: Uint8Array[] } | 'accepted-unsupported' {
  const mapValues = c.mapValues.map((v) => v.slice());
  try {
    return { runs: c.packets.map((p) => checkedRun(c.insns, p, { privileged: c.privileged, mapValues })), mapValues };
  } catch (e) {
    if (e instanceof UnsupportedRun) return 'accepted-unsupported';
    throw e;
  }
}

/** The breach `c` shows (a SoundnessViolation's kind), or undefined when it shows none or is refused. */
function breachOf(c: SoundnessCase): string | undefined {
  if (verdictOf(c).verdict !== 'accept') return undefined;
  try {
    runAll(c);
    return undefined;
  } catch (e) {
    return e instanceof SoundnessViolation ? e.kind : undefined;
  }
}

/** Drops instructions one at a time while the program is still accepted and still shows `kind`. */
export function minimize(c: SoundnessCase, kind: string): SoundnessCase {
  let best = c;
  for (let i = best.insns.length - 2; i >= 0; i--) {
    const insns = best.insns.filter((_, j) => j !== i);
    const candidate = { ...best, insns };
    try {
      if (breachOf(candidate) === kind) best = candidate;
    } catch {
      // A candidate the verifier or the interpreter cannot take is not smaller.
    }
  }
  return best;
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export function describeCase(c: SoundnessCase): string {
  return [
    `${c.origin} (prog_type ${c.progType}${c.privileged ? ', CAP_PERFMON' : ''})`,
    ...disassemble(c.insns).split('\n').map((l) => `  ${l}`),
    ...c.packets.map((p) => `  packet ${hex(p)}`),
    ...(c.generatedMaps ? [`  map values ${c.mapValues.map(hex).join(' ')}`] : []),
  ].join('\n');
}

export function verifierSoundnessTarget(corpus: readonly RealProgram[]): FuzzTarget<SoundnessCase> & { readonly counts: { accepted: number } } {
  const jit = new KernelJit();
  const counts = { accepted: 0 };
  const { map_id, ...arraySpec } = GENERATED_ARRAY_MAP;
  const xdpMaps = new Map<number, MapSpec>([[map_id, arraySpec]]);
  return {
    name: 'verifier-soundness',
    counts,
    generate(rand) {
      const packets = randomPackets(rand);
      const privileged = rand.chance(0.5);
      const mapValues = Array.from({ length: GENERATED_ARRAY_MAP.max_entries }, () => (rand.chance(0.5) ? rand.bytes(GENERATED_ARRAY_MAP.value_size) : new Uint8Array(GENERATED_ARRAY_MAP.value_size)));
      const roll = rand.below(4);
      if (roll < 2 || corpus.length === 0) {
        const insns = randomXdpProgram(rand);
        return { origin: 'random', progType: ProgType.XDP, expectedAttachType: 0, license: 'GPL', insns: roll === 1 ? mutateInsns(rand, insns) : insns, maps: xdpMaps, generatedMaps: true, mapValues, packets, privileged };
      }
      const real = rand.pick(corpus);
      return { origin: `mutant of ${real.name}`, progType: real.progType, expectedAttachType: real.expectedAttachType, license: real.license, insns: mutateInsns(rand, real.insns), maps: real.maps, generatedMaps: false, mapValues, packets, privileged };
    },
    async run(c) {
      const verdict = verdictOf(c);
      if (verdict.errno === 'EFAULT') throw new Error(`verifier internal error: ${verdict.error?.message}\n${describeCase(c)}`);
      if (verdict.verdict !== 'accept') return 'rejected';
      counts.accepted++;
      if (c.progType !== ProgType.XDP || (!c.generatedMaps && verdict.facts.mapIdsUsed.length > 0)) return 'accepted-unrun';
      let checked: ReturnType<typeof runAll>;
      try {
        checked = runAll(c);
      } catch (e) {
        if (!(e instanceof SoundnessViolation)) throw e;
        const small = minimize(c, e.kind);
        throw new Error(`the verifier accepted a program that breaks a rule: ${e.message}\nminimised:\n${describeCase(small)}\nas generated:\n${describeCase(c)}`);
      }
      if (checked === 'accepted-unsupported') return checked;
      if (c.privileged) return 'accepted-run';
      const { runs } = checked;
      let jitted;
      try {
        jitted = await jit.run(c.insns, c.packets, c.mapValues);
      } catch (e) {
        throw new Error(`the kernel-sim refused or failed a program the verifier accepted: ${(e as Error).message}\n${describeCase(c)}`);
      }
      const jitValues = jitted.mapValues.map(hex).join(' ');
      if (checked.mapValues.map(hex).join(' ') !== jitValues) throw new Error(`the JIT and the interpreter leave different map values\n${describeCase(c)}`);
      runs.forEach((run, i) => {
        const other = jitted.runs[i]!;
        const retval = Number(run.r0 & 0xffffffffn);
        if (retval !== other.retval || hex(run.packet) !== hex(other.packet)) {
          throw new Error(`the JIT and the interpreter disagree on packet ${i}: interpreter r0 ${retval}, jit ${other.retval}${hex(run.packet) !== hex(other.packet) ? '; the packets differ' : ''}\n${describeCase(c)}`);
        }
      });
      return 'accepted-run';
    },
    show: describeCase,
  };
}
