/**
 * The committed test objects are what build.sh makes from their sources. Rebuilds them with
 * the local clang into a temporary directory and compares bytes. clang 14 made the committed
 * objects and its output is deterministic, so the test runs only with clang 14 (another
 * major version emits other, equally valid, bytes); without clang it is skipped.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OBJECTS_DIR, OBJECT_NAMES } from './objects/fixtures.js';

const COMMITTED_BY_MAJOR = 14;

function clangMajor(): number | undefined {
  const run = spawnSync('clang', ['--version'], { encoding: 'utf8' });
  if (run.status !== 0) return undefined;
  const m = /clang version (\d+)\./.exec(run.stdout);
  return m ? Number(m[1]) : undefined;
}

const major = clangMajor();

describe.skipIf(major !== COMMITTED_BY_MAJOR)(`object build - clang ${COMMITTED_BY_MAJOR} rebuilds the committed objects`, () => {
  const out = mkdtempSync(join(tmpdir(), 'bpfhive-objects-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('build.sh makes byte-identical objects', () => {
    execFileSync('bash', [join(OBJECTS_DIR, 'build.sh'), out], { stdio: 'pipe' });
    const stale = OBJECT_NAMES.filter((name) => {
      const fresh = readFileSync(join(out, `${name}.o`));
      const committed = readFileSync(join(OBJECTS_DIR, `${name}.o`));
      return !fresh.equals(committed);
    });
    expect(stale, `these objects differ from their sources: run \`bash packages/loader/test/objects/build.sh\` and commit them`).toEqual([]);
  });
});
