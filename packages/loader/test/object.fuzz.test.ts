/**
 * Fuzzing readObject (`scripts/fuzz.mjs object` runs it long): the clang-built test objects,
 * mutated where a reader trusts them — the ELF header, section headers, the symbol and
 * relocation tables, .BTF, .BTF.ext, .maps and the code. Every outcome is a spec or a BpfError
 * (ElfError, BtfError, ObjectError) with a message naming its layer; never a RangeError, a
 * TypeError or a hang.
 */
import { BpfError } from '@bpfhive/uapi';
import { type ByteRange, type FuzzTarget, formatFindings, fuzz, fuzzRun, mutateBytes } from '@bpfhive/testkit';
import { describe, expect, it } from 'vitest';
import { readObject } from '../src/index.js';
import { OBJECT_NAMES, type ObjectName, Patcher, objectBytes } from './objects/fixtures.js';

/** Byte ranges worth mutating: the ELF header, the section headers, every non-debug section. */
function targets(p: Patcher): ByteRange[] {
  const { elf } = p;
  const out: ByteRange[] = [[0, 64], [elf.header.shoff, elf.header.shoff + elf.sections.length * 64]];
  for (const s of elf.sections) {
    if (s.index === 0 || s.data.length === 0 || s.name.startsWith('.debug') || s.name.startsWith('.rel.debug')) continue;
    out.push([s.offset, s.offset + s.data.length]);
  }
  return out;
}

const OBJECTS = OBJECT_NAMES.map((name) => {
  const bytes = objectBytes(name);
  return { name, bytes, ranges: targets(new Patcher(bytes.slice())) };
});

interface Input {
  readonly name: ObjectName;
  readonly bytes: Uint8Array;
}

/** Word-aligned edits inside the ranges (interesting values and bit flips most), now and then a cut. */
const TARGET: FuzzTarget<Input> = {
  name: 'object',
  generate: (rand) => {
    const { name, bytes, ranges } = rand.pick(OBJECTS);
    const weights = { interesting: 4, flip: 4, random: 1, truncate: 0.5, splice: 0.5, insert: 0, delete: 0, duplicate: 0 };
    return { name, bytes: mutateBytes(rand, bytes, { ranges, align: 4, weights }) };
  },
  run: ({ name, bytes }) => {
    try {
      readObject(bytes, { path: `${name}.o` });
      return 'spec';
    } catch (err) {
      if (!(err instanceof BpfError)) throw err;
      if (!/^(ELF|BTF|BTF\.ext|object):/.test(err.message)) throw new Error(`a message without its layer: ${err.message}`);
      return 'rejected';
    }
  },
  show: ({ name, bytes }) => `${name}.o mutated, ${bytes.length} bytes`,
};

const RUN = fuzzRun({ seed: 0x5eed_b9f, cases: 720 });

describe('fuzz object - mutated real objects give a spec or a typed error', () => {
  it('every outcome is a spec or a BpfError naming its layer', async () => {
    const report = await fuzz(TARGET, RUN);
    expect(report.findings, formatFindings(report)).toEqual([]);
    if (!RUN.custom) expect(report.outcomes).toMatchObject({ spec: expect.any(Number), rejected: expect.any(Number) });
  }, RUN.timeoutMs);
});
