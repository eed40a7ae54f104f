/**
 * The valid programs and BTF the wire fuzzer starts its requests from, built with uapi's
 * assembler and BTF encoder.
 */
import { BTF_VOID, type Btf, assemble, encode, encodeBtf } from '@bpfhive/uapi';

const program = (text: string): Uint8Array => encode(assemble(text, { syntax: 'llvm' }));

/** Programs any type accepts: return a constant, loop a little, touch the stack. */
export const PLAIN_PROGRAMS: readonly Uint8Array[] = [
  program('r0 = 0\nexit'),
  program('r0 = 2\nexit'),
  program('r0 = 0\nr1 = 10\nr0 += r1\nr1 += -1\nif r1 != 0 goto -3\nexit'),
  program('r1 = 7\n*(u64 *)(r10 - 8) = r1\nr0 = *(u64 *)(r10 - 8)\nr0 &= 3\nexit'),
];

/** XDP (or any type): look a zero u32 key up in map `mapId` (key_size 4), return XDP_PASS. */
export const mapLookupProgram = (mapId: number): Uint8Array =>
  program(
    ['r1 = 0', '*(u32 *)(r10 - 4) = r1', 'r2 = r10', 'r2 += -4', `ld_pseudo r1, 1, ${mapId}`, 'call 1', 'r0 = 2', 'exit'].join('\n'),
  );

/** A small valid BTF: int, a pointer to it, a struct of two ints, and `int f(int *)`. */
const SMALL_BTF_TYPES: Btf = {
  types: [
    BTF_VOID,
    { kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 },
    { kind: 'PTR', name: '', type: 1 },
    {
      kind: 'STRUCT',
      name: 'pair',
      size: 8,
      kflag: false,
      members: [
        { name: 'a', type: 1, bitOffset: 0, bitfieldSize: 0 },
        { name: 'b', type: 1, bitOffset: 32, bitfieldSize: 0 },
      ],
    },
    { kind: 'FUNC_PROTO', name: '', returnType: 1, params: [{ name: 'p', type: 2 }] },
    { kind: 'FUNC', name: 'f', type: 4, linkage: 1 },
  ],
};

export const SMALL_BTF: Uint8Array = encodeBtf(SMALL_BTF_TYPES);
