/**
 * Mutated real objects, with a fixed seed: every outcome of readObject is either a spec or
 * a BpfError (ElfError, BtfError, ObjectError) with a message; never a RangeError, a
 * TypeError or a hang. Mutations aim at the parts a reader trusts: the ELF header, section
 * headers, the symbol and relocation tables, .BTF, .BTF.ext, .maps and the code.
 */
import { BpfError } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { readObject } from '../src/index.js';
import { OBJECT_NAMES, type ObjectName, Patcher, objectBytes, prng } from './objects/fixtures.js';

const SEED = 0x5eed_b9f;
const ROUNDS = 120;

/** Byte ranges worth mutating: [start, end) in the file. */
function targets(p: Patcher): [number, number][] {
  const { elf } = p;
  const out: [number, number][] = [[0, 64], [elf.header.shoff, elf.header.shoff + elf.sections.length * 64]];
  for (const s of elf.sections) {
    if (s.index === 0 || s.data.length === 0 || s.name.startsWith('.debug') || s.name.startsWith('.rel.debug')) continue;
    out.push([s.offset, s.offset + s.data.length]);
  }
  return out;
}

const EDGE_VALUES = [0, 1, 7, 8, 0x7f, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 0x80000000, 24, 64];

function mutate(original: Uint8Array, p: Patcher, rand: () => number): Uint8Array {
  const bytes = original.slice();
  const view = new DataView(bytes.buffer);
  const ranges = targets(p);
  const pick = (): number => {
    const [start, end] = ranges[Math.floor(rand() * ranges.length)]!;
    return start + Math.floor(rand() * (end - start));
  };
  const kind = rand();
  if (kind < 0.1) return bytes.subarray(0, Math.floor(rand() * bytes.length));
  const edits = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < edits; i++) {
    const at = pick() & ~3;
    if (at + 4 > bytes.length) continue;
    if (rand() < 0.5) view.setUint32(at, EDGE_VALUES[Math.floor(rand() * EDGE_VALUES.length)]!, rand() < 0.5);
    else {
      const byte = at + Math.floor(rand() * 4);
      bytes[byte] = bytes[byte]! ^ (1 << Math.floor(rand() * 8));
    }
  }
  return bytes;
}

describe('object fuzz - mutated real objects give a spec or a typed error', () => {
  it.each(OBJECT_NAMES)('%s', (name: ObjectName) => {
    const original = objectBytes(name);
    const patcher = new Patcher(original.slice());
    const rand = prng(SEED ^ name.length * 7919);
    const outcomes = { spec: 0, error: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const bytes = mutate(original, patcher, rand);
      try {
        readObject(bytes, { path: `${name}.o` });
        outcomes.spec++;
      } catch (err) {
        if (!(err instanceof BpfError)) {
          throw new Error(`round ${round}: ${String(err)}\n${(err as Error).stack ?? ''}`);
        }
        expect(err.message).toMatch(/^(ELF|BTF|BTF\.ext|object):/);
        outcomes.error++;
      }
    }
    expect(outcomes.spec + outcomes.error).toBe(ROUNDS);
    expect(outcomes.error).toBeGreaterThan(0);
  });
});
