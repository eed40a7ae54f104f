/**
 * Fuzzing the instruction decoder (`scripts/fuzz.mjs insn` runs it long): random bytes and the
 * conformance programs mutated slot-wise. Every outcome is a program or an InsnDecodeError —
 * never another exception — and a decoded program encodes back to the very same bytes.
 */
import { describe, expect, it } from 'vitest';
import { type FuzzTarget, type Prng, formatFindings, fuzz, fuzzRun, mutateBytes } from '../../../testkit/src/fuzz/index.js';
import { readAssembledTests } from '../conformance/assembled.js';
import { findConformanceDir } from '../conformance/locate.js';
import { InsnDecodeError } from '../errors.js';
import { type Endianness, bytesToHex, decode, encode, hexToBytes } from './codec.js';

const CORPUS = readAssembledTests(findConformanceDir(import.meta.dirname)).map((t) => hexToBytes(t.code));

interface Input {
  readonly bytes: Uint8Array;
  readonly endian: Endianness;
}

/** Mostly mutated programs (slot-aligned edits, splices between programs); one in ten random bytes. */
function generate(rand: Prng): Input {
  const endian = rand.chance(0.2) ? 'big' : 'little';
  if (rand.chance(0.1)) return { bytes: rand.bytes(rand.chance(0.8) ? 8 * rand.int(0, 16) : rand.int(0, 130)), endian };
  return { bytes: mutateBytes(rand, rand.pick(CORPUS), { align: 8, unit: 8, corpus: CORPUS }), endian };
}

/** The property: decoded and re-encoded to the same bytes, or refused with InsnDecodeError. */
function decodeOrRefuse({ bytes, endian }: Input): string {
  let insns;
  try {
    insns = decode(bytes, { endian });
  } catch (e) {
    if (e instanceof InsnDecodeError) return 'rejected';
    throw e;
  }
  const again = bytesToHex(encode(insns, { endian }));
  if (again !== bytesToHex(bytes)) throw new Error(`re-encoded bytes differ: ${again}`);
  return 'decoded';
}

const TARGET: FuzzTarget<Input> = {
  name: 'insn',
  generate,
  run: decodeOrRefuse,
  show: ({ bytes, endian }) => `${endian} ${bytesToHex(bytes)}`,
};

const RUN = fuzzRun({ seed: 0x1d5c0de, cases: 10_000 });

describe('fuzz insn - the decoder on random and mutated programs', () => {
  it('gives a program that re-encodes to its bytes, or an InsnDecodeError', async () => {
    const report = await fuzz(TARGET, RUN);
    expect(report.findings, formatFindings(report)).toEqual([]);
    if (!RUN.custom) expect(report.outcomes).toMatchObject({ decoded: expect.any(Number), rejected: expect.any(Number) });
  }, RUN.timeoutMs);
});
