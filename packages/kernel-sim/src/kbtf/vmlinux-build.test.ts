/**
 * The committed btf/vmlinux.btf is what btf/build.sh makes from btf/vmlinux.c. Rebuilds it with
 * the local clang into a temporary file and compares bytes. clang 14 made the committed blob and
 * its output is deterministic, so the test runs only with clang 14 (another major version encodes
 * the same types in another, equally valid, order); without clang it is skipped.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { VMLINUX_BTF_URL } from './kernel-btf.js';

const COMMITTED_BY_MAJOR = 14;
const BUILD_SH = fileURLToPath(new URL('build.sh', VMLINUX_BTF_URL));

function clangMajor(): number | undefined {
  const run = spawnSync('clang', ['--version'], { encoding: 'utf8' });
  if (run.status !== 0) return undefined;
  const m = /clang version (\d+)\./.exec(run.stdout);
  return m ? Number(m[1]) : undefined;
}

describe.skipIf(clangMajor() !== COMMITTED_BY_MAJOR)(`vmlinux build - clang ${COMMITTED_BY_MAJOR} rebuilds the committed kernel BTF`, () => {
  const out = mkdtempSync(join(tmpdir(), 'bpfhive-vmlinux-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('vmlinux build - build.sh makes a byte-identical vmlinux.btf', () => {
    const fresh = join(out, 'vmlinux.btf');
    execFileSync('bash', [BUILD_SH, fresh], { stdio: 'pipe' });
    const same = readFileSync(fresh).equals(readFileSync(VMLINUX_BTF_URL));
    expect(same, 'btf/vmlinux.btf differs from btf/vmlinux.c: run `bash packages/kernel-sim/btf/build.sh` and commit vmlinux.btf').toBe(true);
  });
});
