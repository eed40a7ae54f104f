/**
 * A scenario: the machine (CPUs, devices, files), what arrives on the wire (generated traffic and
 * pcap replays), the processes, and a timeline of their system calls. Plain data, produced from
 * YAML by parseScenario and run by ScenarioRunner.
 */
import type { DeviceSpec } from '../net/device-table.js';
import type { ReplayOptions } from '../net/pcap/replay.js';
import type { TrafficSpec } from '../net/traffic/generator.js';
import type { SyscallRequest } from '../proc/syscall-request.js';
import type { TaskSpec } from '../proc/task.js';

export interface ScenarioDevice extends DeviceSpec {
  /** For `kind: veth`: the other end. */
  readonly peer?: DeviceSpec;
}

export type ScenarioTraffic =
  | { readonly kind: 'generator'; readonly device: string; readonly spec: TrafficSpec; readonly line: number }
  | { readonly kind: 'pcap'; readonly device: string; readonly path: string; readonly replay: ReplayOptions; readonly line: number };

export interface TimelineEntry {
  /** Virtual time in ns. */
  readonly at: number;
  readonly pid: number;
  readonly request: SyscallRequest;
  /** Line of the entry in the scenario file, for runtime errors. */
  readonly line: number;
}

export interface Scenario {
  readonly file: string;
  readonly name: string;
  readonly seed: number;
  readonly cpus: number;
  readonly devices: readonly ScenarioDevice[];
  /** Files added to the defaults (path → content). */
  readonly files: Readonly<Record<string, string>>;
  readonly traffic: readonly ScenarioTraffic[];
  readonly processes: readonly TaskSpec[];
  /** In time order (stable for equal times). */
  readonly timeline: readonly TimelineEntry[];
  /** Events after this time are not produced (default: until every source is done). */
  readonly end?: number;
}
