import { assemble, encode, toBase64 } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { LIGHT_PROGRAM_SLOTS, isLightProgram } from './program-weight.js';

const wire = (text: string) => toBase64(encode(assemble(text)));
const straight = (slots: number) => wire(`${'r0 += 1\n'.repeat(slots - 1)}exit`);

describe('program weight', () => {
  it.each([
    ['a straight-line program', 'r0 = 0\nexit', true],
    ['forward branches and calls', 'r0 = 0\nif r1 > 3 goto out\ncall 5\nr0 = 1\nout:\nexit', true],
    ['a bpf-to-bpf call', 'call local f\nexit\nf:\nr0 = 1\nexit', true],
    ['a lddw (two slots)', 'r1 = 0x123456789 ll\nr0 = 0\nexit', true],
    ['a bounded loop', 'r1 = 0\nloop:\nr1 += 1\nif r1 < 100 goto loop\nr0 = 0\nexit', false],
    ['a jump to itself', 'r0 = 0\nself:\nif r0 == 0 goto self\nexit', false],
    ['a backward gotol', 'r0 = 0\ntop:\nr0 += 1\ngotol top\nexit', false],
    ['a may_goto loop', 'r0 = 0\ntop:\nmay_goto +1\ngoto top\nexit', false],
  ])('%s is light: %s', (_title, text, light) => {
    expect(isLightProgram(wire(text))).toBe(light);
  });

  it('bounds the light lane at BPF_MAXINSNS slots', () => {
    expect(isLightProgram(straight(LIGHT_PROGRAM_SLOTS))).toBe(true);
    expect(isLightProgram(straight(LIGHT_PROGRAM_SLOTS + 1))).toBe(false);
    expect(isLightProgram(straight(10_000))).toBe(false);
  });

  it('counts bytes that are not instructions as light (the verifier rejects them at once)', () => {
    expect(isLightProgram('not base64!')).toBe(true);
    expect(isLightProgram(toBase64(new Uint8Array([0xff, 0, 0, 0, 0, 0, 0, 0])))).toBe(true);
  });
});
