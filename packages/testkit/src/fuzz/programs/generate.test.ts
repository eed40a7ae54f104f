import { disassemble } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Prng } from '../prng.js';
import { randomXdpProgram, randomXdpText } from './generate.js';
import { mutateInsns } from './mutate.js';

describe('fuzz programs', () => {
  it('programs - a seed gives the same program every time, and programs assemble and end with exit', () => {
    for (let seed = 1; seed <= 60; seed++) {
      expect(randomXdpText(new Prng(seed))).toBe(randomXdpText(new Prng(seed)));
      const insns = randomXdpProgram(new Prng(seed));
      expect(insns.at(-1)!.opcode).toBe(0x95);
    }
  });

  it('programs - seeds give different programs', () => {
    const texts = new Set(Array.from({ length: 50 }, (_, i) => randomXdpText(new Prng(i + 1))));
    expect(texts.size).toBeGreaterThan(45);
  });

  it('programs - a mutant differs from its program, leaves it unchanged, and still disassembles', () => {
    const insns = randomXdpProgram(new Prng(7));
    const before = disassemble(insns);
    let changed = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const mutant = mutateInsns(new Prng(seed), insns);
      if (disassemble(mutant) !== before) changed++;
      expect(() => disassemble(mutant)).not.toThrow();
    }
    expect(disassemble(insns)).toBe(before);
    expect(changed).toBeGreaterThan(80);
  });
});
