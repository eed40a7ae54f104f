/**
 * Fuzzing the assembler (`scripts/fuzz.mjs asm` runs it long): the conformance suite's assembly
 * (positive and negative tests) and its programs disassembled in LLVM syntax, mutated by token,
 * line and character. Every outcome is instructions or an AsmError — never another exception —
 * and whatever assembles disassembles (explicit pseudo style) and assembles again to the same bytes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FuzzTarget, formatFindings, fuzz, fuzzRun, mutateText } from '../../../testkit/src/fuzz/index.js';
import { readAssembledTests } from '../conformance/assembled.js';
import { parseDataFile } from '../conformance/data-file.js';
import { findConformanceDir } from '../conformance/locate.js';
import { bytesToHex, decode, encode, hexToBytes } from '../insn/codec.js';
import { AsmError, assemble } from './assemble.js';
import { disassemble } from './disasm.js';

const SUITE = findConformanceDir(import.meta.dirname);

/** The `-- asm` sections of the suite's tests and negative tests (files it cannot read are skipped). */
function suiteAssembly(): string[] {
  return ['tests', 'negative'].flatMap((dir) =>
    readdirSync(join(SUITE, dir)).flatMap((file) => {
      try {
        const asm = parseDataFile(readFileSync(join(SUITE, dir, file), 'utf8')).asm;
        return asm ? [asm] : [];
      } catch {
        return [];
      }
    }),
  );
}

/** A listing in LLVM syntax that assemble() reads back: the explicit pseudo style, slot numbers cut. */
const listing = (bytes: Uint8Array): string => disassemble(decode(bytes), { pseudo: 'explicit' }).replace(/^\s*\d+: /gm, '');

const CORPUS = [...suiteAssembly(), ...readAssembledTests(SUITE).map((t) => listing(hexToBytes(t.code)))];

/** Every word of the corpus, plus spellings it lacks: operators, wide registers, pseudo forms. */
const DICTIONARY = [
  ...new Set(CORPUS.flatMap((text) => text.match(/[^\s,[\]()]+/g) ?? [])),
  ...['r11', '%r11', 'w11', 'r-1', '+=', 's>>=', '=', '==', 's<=', 'goto', 'gotol', 'may_goto', 'callx', 'call', 'ld_pseudo', 'kfunc#1', 'pc+1', 'll', 'exit:', 'L:'],
];

/** The property: refused with AsmError, or bytes that survive disassembly and a second assembly. */
function assembleOrRefuse(text: string): string {
  let bytes;
  try {
    bytes = encode(assemble(text));
  } catch (e) {
    if (e instanceof AsmError) return 'rejected';
    throw e;
  }
  const again = bytesToHex(encode(assemble(listing(bytes), { syntax: 'llvm' })));
  if (again !== bytesToHex(bytes)) throw new Error(`re-assembled bytes differ: ${bytesToHex(bytes)} became ${again}`);
  return 'assembled';
}

const TARGET: FuzzTarget<string> = {
  name: 'asm',
  generate: (rand) => mutateText(rand, rand.pick(CORPUS), { dictionary: DICTIONARY, corpus: CORPUS }),
  run: assembleOrRefuse,
  show: (text) => JSON.stringify(text),
};

const RUN = fuzzRun({ seed: 0xa55e3b1, cases: 3_000 });

describe('fuzz asm - the assembler on mutated assembly', () => {
  it('gives instructions that round-trip through the disassembler, or an AsmError', async () => {
    const report = await fuzz(TARGET, RUN);
    expect(report.findings, formatFindings(report)).toEqual([]);
    if (!RUN.custom) expect(report.outcomes).toMatchObject({ assembled: expect.any(Number), rejected: expect.any(Number) });
  }, RUN.timeoutMs);
});
