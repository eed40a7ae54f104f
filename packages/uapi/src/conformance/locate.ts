import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Finds the conformance suite (`shared/conformance`) by walking up from `start` (a directory or
 * a file) to the root, checking `<dir>/shared/conformance` at every level. Throws Error naming
 * the starting point when no level has it.
 */
export function findConformanceDir(start: string): string {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, 'shared', 'conformance');
    if (existsSync(join(candidate, 'tests.assembled.jsonl'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`conformance: no shared/conformance/tests.assembled.jsonl above ${resolve(start)}`);
    }
    dir = parent;
  }
}
