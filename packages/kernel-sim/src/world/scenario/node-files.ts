/**
 * Scenario files from the local file system: the YAML itself and the captures it names,
 * relative to the scenario's folder. The only part of the world that does I/O.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseScenario } from './parse.js';
import type { ScenarioFiles } from './runner.js';
import type { Scenario } from './types.js';

export function nodeScenarioFiles(baseDir: string): ScenarioFiles {
  return { read: (path) => new Uint8Array(readFileSync(isAbsolute(path) ? path : resolve(baseDir, path))) };
}

/** Reads and parses a scenario file; returns it with a ScenarioFiles port for its folder. */
export function loadScenarioFile(path: string): { scenario: Scenario; files: ScenarioFiles } {
  const scenario = parseScenario(readFileSync(path, 'utf8'), path);
  return { scenario, files: nodeScenarioFiles(dirname(path)) };
}
