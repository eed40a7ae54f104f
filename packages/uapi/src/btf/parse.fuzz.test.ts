/**
 * Fuzzing the BTF reader (`scripts/fuzz.mjs btf` runs it long): clang's `.BTF` sections of the
 * test objects (both byte orders) and the kernel-sim's vmlinux BTF, mutated word-wise. Every
 * outcome is a model or a BtfError — never another exception — and a model that parses (and so
 * validates) encodes and parses again to the same types.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type FuzzTarget, type Prng, formatFindings, fuzz, fuzzRun, mutateBytes } from '../../../testkit/src/fuzz/index.js';
import { bytesToHex } from '../insn/codec.js';
import { encodeBtf } from './encode.js';
import { BtfError } from './errors.js';
import { parseBtf } from './parse.js';

const TESTDATA = new URL('./testdata/', import.meta.url);
const VMLINUX = new URL('../../../kernel-sim/btf/vmlinux.btf', import.meta.url);
const CORPUS = [
  ...readdirSync(TESTDATA)
    .filter((f) => f.endsWith('.btf'))
    .map((f) => new Uint8Array(readFileSync(new URL(f, TESTDATA)))),
  new Uint8Array(readFileSync(VMLINUX)),
];

/** Word-aligned edits weigh most: the header and every type record are 32-bit words. */
const generate = (rand: Prng): Uint8Array =>
  mutateBytes(rand, rand.pick(CORPUS), { align: 4, unit: 4, corpus: CORPUS, weights: { interesting: 4, flip: 2, truncate: 0.3 } });

/** The property: a BtfError, or a model whose encoding parses to the same types. */
function parseOrRefuse(bytes: Uint8Array): string {
  let btf;
  try {
    btf = parseBtf(bytes);
  } catch (e) {
    if (e instanceof BtfError) return 'rejected';
    throw e;
  }
  const again = parseBtf(encodeBtf(btf, { endian: btf.header.endian }));
  if (!isDeepStrictEqual(again.types, btf.types)) {
    const id = btf.types.findIndex((t, i) => !isDeepStrictEqual(t, again.types[i]));
    throw new Error(`re-encoded BTF parses to other types: [${id}] ${JSON.stringify(btf.types[id])} became ${JSON.stringify(again.types[id])}`);
  }
  return 'parsed';
}

const TARGET: FuzzTarget<Uint8Array> = { name: 'btf', generate, run: parseOrRefuse, show: bytesToHex };

const RUN = fuzzRun({ seed: 0xb7f0001, cases: 1_000 });

describe('fuzz btf - the .BTF reader on mutated blobs', () => {
  it('gives a model that re-encodes to the same types, or a BtfError', async () => {
    const report = await fuzz(TARGET, RUN);
    expect(report.findings, formatFindings(report)).toEqual([]);
    if (!RUN.custom) expect(report.outcomes).toMatchObject({ parsed: expect.any(Number), rejected: expect.any(Number) });
  }, RUN.timeoutMs);
});
