import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { verify } from '../src/index.js';
import { parseCase } from './support/corpus.js';

/**
 * The corpus: for each rule a program that must pass and one that must fail (test/corpus/<topic>/
 * <name>.s, with directives in its header, see support/corpus.ts). Each run is compared with its
 * golden file (<name>.golden: verdict, error and the whole log). After a deliberate change to
 * the verifier's output, regenerate and review the diff:
 *   UPDATE_GOLDEN=1 npx vitest run test/corpus.test.ts
 */
const root = fileURLToPath(new URL('./corpus', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.s') ? [join(dir, e.name)] : []);
}

const files = sources(root).sort();

/** The golden text of a result: what a reviewer needs to see in a diff. */
function golden(result: ReturnType<typeof verify>): string {
  const head = [`verdict: ${result.verdict}${result.errno ? ` ${result.errno}` : ''}`];
  if (result.error) head.push(`error: insn ${result.error.insn}: ${result.error.message}${result.error.line ? ` (${result.error.line})` : ''}`);
  head.push(`facts: ${JSON.stringify(result.facts)}`);
  const { time_usec: _time, ...stats } = result.stats;
  head.push(`stats: ${JSON.stringify(stats)}`);
  return `${head.join('\n')}\n--- log\n${result.log}`;
}

describe('verifier corpus', () => {
  it('has at least 100 programs', () => {
    expect(files.length).toBeGreaterThanOrEqual(100);
  });

  it.each(files.map((f) => [relative(root, f), f]))('%s', (_name, file) => {
    const c = parseCase(readFileSync(file, 'utf8'), dirname(file));
    const result = verify(c.program);
    expect(result.verdict, result.log).toBe(c.expect.verdict);
    if (c.expect.errno) expect(result.errno).toBe(c.expect.errno);
    if (c.expect.message) expect(result.error?.message ?? '').toContain(c.expect.message);
    // A log always ends with the statistics; a rejection names its instruction just before.
    if (c.program.logLevel) {
      const lines = result.log.trimEnd().split('\n');
      expect(lines.at(-1)).toMatch(/^processed \d+ insns \(limit 1000000\) max_states_per_insn \d+ total_states \d+ peak_states \d+ mark_read \d+$/);
      if (result.verdict === 'reject') expect(lines.at(-2)).toMatch(/^verification failed( at insn \d+( \(.*\))?)?: /);
    }

    const goldenFile = file.replace(/\.s$/, '.golden');
    const text = golden(result);
    if (update) writeFileSync(goldenFile, text);
    if (!existsSync(goldenFile)) throw new Error(`no golden file for ${file}: run UPDATE_GOLDEN=1 npx vitest run test/corpus.test.ts and review it`);
    expect(text).toBe(readFileSync(goldenFile, 'utf8'));
  });
});
