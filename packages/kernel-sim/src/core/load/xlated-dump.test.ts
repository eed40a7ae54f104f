import { PseudoLdImm64, assemble, encode, insn, LD_IMM64 } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness } from '../../testing/harness.js';
import { xlatedForDump } from './xlated-dump.js';

describe('prog info - xlated instructions name maps by id again (bpf_insn_prepare_dump)', () => {
  it('xlated dump - map pointers and value addresses become map-id references; other constants stay', async () => {
    const h = kernelHarness();
    const hash = h.map({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 4 });
    const array = h.map({ map_type: 'array', key_size: 4, value_size: 16, max_entries: 1 });
    const text = `ld_pseudo r1, 1, ${hash}\nld_pseudo r2, 2, ${array}, 12\nr3 = 0x1122334455667788 ll\nr0 = 0\nexit`;
    const { program } = await h.load(text);
    expect(program.xlated[0]).toMatchObject({ src: PseudoLdImm64.IMM64 });
    const dump = xlatedForDump(program.xlated, program.maps);
    expect(encode(dump)).toEqual(encode(assemble(text)));
    expect(dump[0]).toEqual(insn(LD_IMM64, 1, PseudoLdImm64.MAP_FD, 0, hash, 0));
    expect(dump[1]).toEqual(insn(LD_IMM64, 2, PseudoLdImm64.MAP_VALUE, 0, array, 12));
  });

  it('xlated dump - a constant that is no held map stays a constant', () => {
    const program = assemble('r1 = 4096 ll\nexit');
    expect(xlatedForDump(program, [])).toEqual(program);
  });
});
