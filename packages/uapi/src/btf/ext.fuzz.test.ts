/**
 * Fuzzing the BTF.ext reader (`scripts/fuzz.mjs btf-ext` runs it long): clang's `.BTF.ext`
 * sections of the test objects (both byte orders), mutated word-wise, read against their own
 * `.BTF`. Every outcome is the records or a BtfError, never another exception. (There is no
 * BTF.ext encoder, so no round trip.)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type FuzzTarget, type Prng, formatFindings, fuzz, fuzzRun, mutateBytes } from '../../../testkit/src/fuzz/index.js';
import { bytesToHex } from '../insn/codec.js';
import { BtfError } from './errors.js';
import { parseBtfExt } from './ext.js';
import { type ParsedBtf, parseBtf } from './parse.js';

const TESTDATA = new URL('./testdata/', import.meta.url);
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, TESTDATA)));
/** Each `.BTF.ext` with the `.BTF` its string offsets point into. */
const PAIRS = readdirSync(TESTDATA)
  .filter((f) => f.endsWith('.btf.ext'))
  .map((f) => ({ ext: read(f), btf: parseBtf(read(f.replace(/\.ext$/, ''))) }));
const EXTS = PAIRS.map((p) => p.ext);

interface Input {
  readonly ext: Uint8Array;
  readonly btf: ParsedBtf;
}

const generate = (rand: Prng): Input => {
  const { ext, btf } = rand.pick(PAIRS);
  return { ext: mutateBytes(rand, ext, { align: 4, unit: 4, corpus: EXTS, weights: { interesting: 4, flip: 2, truncate: 0.3 } }), btf };
};

/** The property: the records, or a BtfError. */
function parseOrRefuse({ ext, btf }: Input): string {
  try {
    parseBtfExt(ext, btf);
    return 'parsed';
  } catch (e) {
    if (e instanceof BtfError) return 'rejected';
    throw e;
  }
}

const TARGET: FuzzTarget<Input> = { name: 'btf-ext', generate, run: parseOrRefuse, show: ({ ext }) => bytesToHex(ext) };

const RUN = fuzzRun({ seed: 0xb7fe001, cases: 5_000 });

describe('fuzz btf-ext - the .BTF.ext reader on mutated blobs', () => {
  it('gives the records or a BtfError', async () => {
    const report = await fuzz(TARGET, RUN);
    expect(report.findings, formatFindings(report)).toEqual([]);
    if (!RUN.custom) expect(report.outcomes).toMatchObject({ parsed: expect.any(Number), rejected: expect.any(Number) });
  }, RUN.timeoutMs);
});
