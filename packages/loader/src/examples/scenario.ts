/**
 * An example's scenario (examples/NAME/scenario.yaml, the kernel-sim's scenario format) run over
 * `bpf.v1.sim.scenario.run`. A scenario's machine replaces the world and links stay by ifindex,
 * so an example runs it in two steps: first the machine alone (devices, processes, files), to
 * learn the devices' ifindexes and attach its programs there; then the whole scenario, whose
 * machine gets the same ifindexes (they follow the order of `devices:`), with its traffic and
 * timeline going through those programs.
 */
import { readFile } from 'node:fs/promises';
import { SimSubjects, type SimScenarioRunReply } from '@bpfhive/uapi';
import type { BpfClient } from '../client/index.js';
import { type SimDevice, simRequest } from './sim.js';

/** The top-level sections of a scenario that make things happen rather than describe the machine. */
const ACTIVITY = new Set(['traffic', 'timeline', 'end']);

/**
 * The scenario without its `traffic:`, `timeline:` and `end:` sections: the machine alone. Works
 * on the text (a section is a top-level `key:` line and the indented or blank lines after it),
 * so comments and the rest stay as written.
 */
export function scenarioMachine(yaml: string): string {
  const kept: string[] = [];
  let skipping = false;
  for (const line of yaml.split('\n')) {
    const top = /^([A-Za-z_][\w-]*)\s*:/.exec(line);
    if (top) skipping = ACTIVITY.has(top[1]!);
    else if (/^\S/.test(line) && !line.startsWith('#')) skipping = false;
    if (!skipping) kept.push(line);
  }
  return kept.join('\n');
}

/** One scenario, read from its file. */
export interface ExampleScenario {
  /** The file's path, for error messages. */
  readonly file: string;
  readonly yaml: string;
}

export async function readScenario(file: string): Promise<ExampleScenario> {
  return { file, yaml: await readFile(file, 'utf8') };
}

/** Makes the scenario's machine the world; returns its devices (with ifindexes). */
export async function buildMachine(client: BpfClient, scenario: ExampleScenario): Promise<SimDevice[]> {
  const reply = await simRequest<SimScenarioRunReply>(client, SimSubjects.scenarioRun, { yaml: scenarioMachine(scenario.yaml), file: scenario.file });
  return reply.devices as SimDevice[];
}

/**
 * Runs the whole scenario. `maxEvents` small keeps every batch's flow log records under the
 * kernel-sim's per-batch limit, so a subscriber sees a verdict for every frame.
 */
export async function runScenario(client: BpfClient, scenario: ExampleScenario, maxEvents = 128): Promise<SimScenarioRunReply> {
  return simRequest<SimScenarioRunReply>(client, SimSubjects.scenarioRun, { yaml: scenario.yaml, file: scenario.file, max_events: maxEvents }, 120_000);
}

/** The ifindex of device `name` among `devices`; throws when the scenario has no such device. */
export function deviceOf(devices: readonly SimDevice[], name: string): SimDevice {
  const device = devices.find((d) => d.name === name);
  if (!device) throw new Error(`the scenario has no device '${name}' (it has ${devices.map((d) => d.name).join(', ')})`);
  return device;
}
