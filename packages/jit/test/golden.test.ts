import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { type CompileOptions, compile } from '../src/compiler/compile.js';
import { assembleWat } from '../src/testing/wabt.js';

/**
 * Golden files: the WAT the JIT emits for representative programs (golden/*.s). A change to the
 * compiler that changes its output fails here until the files are regenerated and the diff read:
 *   UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts
 * A source may start with `# options: {json}`: compile options (inline maps, inlineKernelData).
 */
const dir = fileURLToPath(new URL('./golden', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';
const sources = readdirSync(dir).filter((f) => f.endsWith('.s')).sort();

describe('jit golden WAT', () => {
  it('has the representative programs', () => {
    expect(sources.length).toBeGreaterThanOrEqual(11);
  });

  it.each(sources)('%s', async (source) => {
    const text = readFileSync(join(dir, source), 'utf8');
    const options = /^# options: (.*)$/m.exec(text)?.[1];
    const extra = options === undefined ? {} : (JSON.parse(options) as CompileOptions);
    const compiled = compile(assemble(text), { ...extra, memory: { initial: 1, maximum: 1, shared: true } });
    const wat = compiled.wat();
    const golden = join(dir, source.replace(/\.s$/, '.wat'));
    if (update) writeFileSync(golden, wat);
    let expected: string;
    try {
      expected = readFileSync(golden, 'utf8');
    } catch {
      throw new Error(`no golden file ${golden}: run UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts and review it`);
    }
    expect(wat).toBe(expected);
    // The golden text is valid WebAssembly text that assembles to the very bytes the JIT emits.
    expect(Buffer.from(await assembleWat(source, wat)).equals(Buffer.from(compiled.bytes))).toBe(true);
  });
});
