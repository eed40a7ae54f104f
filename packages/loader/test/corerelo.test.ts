import {
  BTF_VOID,
  type Btf,
  type BtfEncodedType,
  type BtfMember,
  CALL,
  CoreReloKind as K,
  type Instruction,
  LD_IMM64,
  encodeBtf,
  insn,
  parseAccessString,
  parseBtf,
  slotIndex,
} from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import {
  CORE_POISON_IMM,
  type CoreProgramResult,
  CoreRelocationError,
  CoreRelocator,
  essentialName,
  explainPoisonedRejection,
} from '../src/corerelo/index.js';

/**
 * CO-RE relocations kind by kind, on small local and target BTFs encoded and parsed back with
 * the uapi codec, checked against values worked out by hand from the layouts below.
 */

const MOV64_K = 0xb7;
const LDX_W = 0x61;
const LDX_DW = 0x79;
const mov = (imm: number): Instruction => insn(MOV64_K, 1, 0, 0, imm);
const ldxw = (off: number): Instruction => insn(LDX_W, 0, 1, off, 0);
const lddw = (value: number): Instruction => insn(LD_IMM64, 1, 0, 0, value, 0);

const SIGNED = 1;
const int = (name: string, size: number, encoding = SIGNED): BtfEncodedType => ({ kind: 'INT', name, size, encoding, bitsOffset: 0, bits: size * 8 });
const member = (name: string, type: number, bitOffset: number, bitfieldSize = 0): BtfMember => ({ name, type, bitOffset, bitfieldSize });
const struct = (name: string, size: number, members: BtfMember[], kind: 'STRUCT' | 'UNION' = 'STRUCT'): BtfEncodedType => ({
  kind,
  name,
  size,
  kflag: members.some((m) => m.bitfieldSize > 0),
  members,
});
const array = (type: number, nelems: number): BtfEncodedType => ({ kind: 'ARRAY', name: '', type, indexType: 1, nelems });
/** A BTF of `types` (ids from 1), through the encoder and the parser. */
const btf = (...types: BtfEncodedType[]): Btf => parseBtf(encodeBtf({ types: [BTF_VOID, ...types] }));

/*
 * local                                        target
 * [1] int  [2] unsigned int                     [1] int  [2] unsigned int  [3] long unsigned int
 * [3] struct s (16) { int a @0;                 [4] struct s (40) { long unsigned pad @0;
 *     unsigned b @4; int arr[2] @8 }                union { unsigned a; } @8; long unsigned b @16;
 * [4] int[2]                                        int arr[4] @24 }
 * [5] enum e { E_A = 0, E_B = 1 }               [5] union (anon) { unsigned a; }
 * [6] struct bf (4) { unsigned x:3 @0;          [6] int[4]
 *     unsigned y:5 @3 }                         [7] enum64 e (8) { E_B = 100, E_C = 7 }
 * [7] struct missing_t { int q; }               [8] struct bf (8) { unsigned z:7 @0; unsigned y:5 @30 }
 * [8] struct w { int v; }                       [9] long int  [10] struct w { long v; }
 * [9] struct s___v2 (16) { int a @0 }           [11] struct far (40008) { int pad; int v @40004 }
 * [10] struct far { int v; }                    [12] struct c (8) { int a; int v @4 }
 * [11] struct c { int a; int v; }               [13] struct v (4) { struct w v }
 * [12] struct v { int v; }
 */
const LOCAL = btf(
  int('int', 4),
  int('unsigned int', 4, 0),
  struct('s', 16, [member('a', 1, 0), member('b', 2, 32), member('arr', 4, 64)]),
  array(1, 2),
  { kind: 'ENUM', name: 'e', size: 4, signed: false, values: [{ name: 'E_A', value: 0 }, { name: 'E_B', value: 1 }] },
  struct('bf', 4, [member('x', 2, 0, 3), member('y', 2, 3, 5)]),
  struct('missing_t', 4, [member('q', 1, 0)]),
  struct('w', 4, [member('v', 1, 0)]),
  struct('s___v2', 16, [member('a', 1, 0)]),
  struct('far', 4, [member('v', 1, 0)]),
  struct('c', 8, [member('a', 1, 0), member('v', 1, 32)]),
  struct('v', 4, [member('v', 1, 0)]),
);
const TARGET = btf(
  int('int', 4),
  int('unsigned int', 4, 0),
  int('long unsigned int', 8, 0),
  struct('s', 40, [member('pad', 3, 0), member('', 5, 64), member('b', 3, 128), member('arr', 6, 192)]),
  struct('', 4, [member('a', 2, 0)], 'UNION'),
  array(1, 4),
  { kind: 'ENUM64', name: 'e', size: 8, signed: false, values: [{ name: 'E_B', value: 100n }, { name: 'E_C', value: 7n }] },
  struct('bf', 8, [member('z', 2, 0, 7), member('y', 2, 30, 5)]),
  int('long int', 8),
  struct('w', 8, [member('v', 9, 0)]),
  struct('far', 40008, [member('pad', 1, 0), member('v', 1, 40004 * 8)]),
  struct('c', 8, [member('a', 1, 0), member('v', 1, 32)]),
  struct('v', 8, [member('v', 10, 0)]),
);

type Relo = readonly [index: number, typeId: number, access: string, kind: number];

/** Relocates `insns` of program `prog` with `relos` against `target`. */
function relocate(insns: Instruction[], relos: readonly Relo[], target: Btf = TARGET, local: Btf = LOCAL): CoreProgramResult {
  const slots = slotIndex(insns);
  const coreRelocations = relos.map(([index, typeId, accessStr, kind]) => ({ index, slot: slots[index]!, typeId, accessStr, access: parseAccessString(accessStr), kind }));
  return new CoreRelocator(local, target).relocate({ name: 'prog', coreRelocations }, insns);
}

/** The one instruction `insn` becomes with one relocation. */
const one = (i: Instruction, typeId: number, access: string, kind: number, target?: Btf): Instruction => relocate([i], [[0, typeId, access, kind]], target).insns[0]!;

/** The error relocating throws. */
function relocError(run: () => unknown): CoreRelocationError {
  try {
    run();
  } catch (e) {
    if (e instanceof CoreRelocationError) return e;
    throw e;
  }
  throw new Error('expected a CoreRelocationError');
}

const isPoison = (i: Instruction): boolean => i.opcode === CALL && i.imm === CORE_POISON_IMM && i.src === 0 && i.dst === 0;

describe('CO-RE - essential names', () => {
  it.each([
    ['task_struct', 'task_struct'],
    ['task_struct___2', 'task_struct'],
    ['sock___old___x', 'sock___old'],
    ['a____b', 'a____b'],
    ['___x', '___x'],
    ['x___', 'x___'],
  ])('%s is a flavour of %s', (name, essential) => {
    expect(essentialName(name)).toBe(essential);
  });
});

describe('CO-RE - FIELD_BYTE_OFFSET', () => {
  it('moves a mov immediate to the field found through an anonymous union', () => {
    expect(one(mov(0), 3, '0:0', K.FIELD_BYTE_OFFSET)).toEqual(mov(8));
  });

  it('moves a load offset and widens an unsigned load to the target size', () => {
    expect(one(ldxw(4), 3, '0:1', K.FIELD_BYTE_OFFSET)).toEqual({ ...ldxw(16), opcode: LDX_DW });
  });

  it('adds array element offsets: s.arr[1]', () => {
    expect(one(mov(12), 3, '0:2:1', K.FIELD_BYTE_OFFSET)).toEqual(mov(28));
  });

  it('indexes the root as an array: &p[1].b', () => {
    expect(one(mov(16 + 4), 3, '1:1', K.FIELD_BYTE_OFFSET)).toEqual(mov(40 + 16));
  });

  it('finds the type by essential name: s___v2 relocates against s', () => {
    const result = relocate([mov(0)], [[0, 9, '0:0', K.FIELD_BYTE_OFFSET]]);
    expect(result.insns).toEqual([mov(8)]);
    expect(result.outcomes[0]).toMatchObject({ local: '[9] struct s___v2.a (0:0 @ offset 0)', target: '[4] struct s.a (0:1:0 @ offset 8)', origVal: 0n, newVal: 8n });
  });

  it('poisons a signed load whose size would change, with a warning', () => {
    const result = relocate([ldxw(0)], [[0, 8, '0:0', K.FIELD_BYTE_OFFSET]]);
    expect(isPoison(result.insns[0]!)).toBe(true);
    expect(result.warnings).toEqual([
      "prog 'prog': relo #0: insn #0: kind <byte_off> (0), spec is [8] struct w.v (0:0 @ offset 0): insn (LDX/ST/STX) accesses field incorrectly. " +
        'Make sure you are accessing pointers, unsigned integers, or fields of matching type and size.; substituting insn #0 w/ invalid insn',
    ]);
  });

  it('refuses an offset a load cannot hold (ERANGE)', () => {
    const e = relocError(() => one(ldxw(0), 10, '0:0', K.FIELD_BYTE_OFFSET));
    expect(e.code).toBe('ERANGE');
    expect(e.message).toBe("prog 'prog': relo #0: insn #0: kind <byte_off> (0), spec is [10] struct far.v (0:0 @ offset 0): failed to patch insn #0: (LDX/ST/STX) value too big: 40004");
  });

  it('refuses an instruction that does not hold what the compiler should have written', () => {
    const e = relocError(() => one(mov(99), 3, '0:0', K.FIELD_BYTE_OFFSET));
    expect(e.message).toBe("prog 'prog': relo #0: insn #0: kind <byte_off> (0), spec is [3] struct s.a (0:0 @ offset 0): failed to patch insn #0: unexpected (ALU/ALU64) value: got 99, exp 0 -> 8");
  });

  it('does not match a member whose type is incompatible (int against a struct): the instruction is poisoned', () => {
    const result = relocate([mov(0)], [[0, 12, '0:0', K.FIELD_BYTE_OFFSET]]);
    expect(isPoison(result.insns[0]!)).toBe(true);
    expect(result.outcomes[0]!.reason).toBe('failed to find target candidate: no match in [13] struct v');
  });
});

describe('CO-RE - fields that are missing', () => {
  const local = btf(int('int', 4), struct('s', 8, [member('a', 1, 0), member('gone', 1, 32)]));
  const target = btf(int('int', 4), struct('s', 4, [member('a', 1, 0)]));

  it('FIELD_EXISTS is 1 for a field the target has and 0 for one it lacks', () => {
    const result = relocate([mov(1), mov(1)], [[0, 2, '0:0', K.FIELD_EXISTS], [1, 2, '0:1', K.FIELD_EXISTS]], target, local);
    expect(result.insns).toEqual([mov(1), mov(0)]);
    expect(result.warnings).toEqual([]);
  });

  it('FIELD_BYTE_OFFSET of a missing field poisons the instruction and says why', () => {
    const result = relocate([mov(4)], [[0, 2, '0:1', K.FIELD_BYTE_OFFSET]], target, local);
    expect(result.insns).toEqual([{ opcode: CALL, dst: 0, src: 0, off: 0, imm: 195896080 }]);
    expect(result.warnings).toEqual([
      "prog 'prog': relo #0: insn #0: kind <byte_off> (0), spec is [2] struct s.gone (0:1 @ offset 4): failed to find target candidate: no match in [2] struct s; substituting insn #0 w/ invalid insn",
    ]);
  });

  it('a type the target does not have at all is named in the reason', () => {
    const result = relocate([mov(0)], [[0, 7, '0:0', K.FIELD_BYTE_OFFSET]]);
    expect(result.outcomes[0]!.reason).toBe("failed to find target candidate: the target BTF has no struct named 'missing_t'");
  });
});

describe('CO-RE - sizes, signedness and bitfields', () => {
  it('FIELD_BYTE_SIZE follows the target field: 4 → 8', () => {
    expect(one(mov(4), 3, '0:1', K.FIELD_BYTE_SIZE)).toEqual(mov(8));
  });

  it('FIELD_SIGNED reads the target field: int a became unsigned', () => {
    expect(one(mov(1), 3, '0:0', K.FIELD_SIGNED)).toEqual(mov(0));
    expect(one(mov(0), 3, '0:1', K.FIELD_SIGNED)).toEqual(mov(0));
  });

  it('bitfield y:5 moves from bit 3 to bit 30, so its load widens to 8 bytes', () => {
    const result = relocate(
      [mov(0), mov(4), mov(56), mov(59)],
      [
        [0, 6, '0:1', K.FIELD_BYTE_OFFSET],
        [1, 6, '0:1', K.FIELD_BYTE_SIZE],
        [2, 6, '0:1', K.FIELD_LSHIFT_U64],
        [3, 6, '0:1', K.FIELD_RSHIFT_U64],
      ],
    );
    // A u64 load at 0 holds bits 30..34 at 30..34: shift left 64 - 35 = 29, right 64 - 5 = 59.
    expect(result.insns).toEqual([mov(0), mov(8), mov(29), mov(59)]);
  });

  it('a bitfield past the first word is loaded from the word that holds it', () => {
    const target = btf(int('unsigned int', 4, 0), struct('bf', 8, [member('pad', 1, 0), member('y', 1, 40, 5)]));
    const result = relocate(
      [mov(0), mov(4), mov(56), mov(59)],
      [
        [0, 6, '0:1', K.FIELD_BYTE_OFFSET],
        [1, 6, '0:1', K.FIELD_BYTE_SIZE],
        [2, 6, '0:1', K.FIELD_LSHIFT_U64],
        [3, 6, '0:1', K.FIELD_RSHIFT_U64],
      ],
      target,
    );
    // The u32 at byte 4 holds bits 40..44 at 8..12: shift left 64 - 13 = 51.
    expect(result.insns).toEqual([mov(4), mov(4), mov(51), mov(59)]);
  });

  it('bitfield offsets and sizes are not checked against the instruction (the compiler may differ)', () => {
    expect(one(mov(123), 6, '0:1', K.FIELD_LSHIFT_U64)).toEqual(mov(29));
  });

  it('an array element takes only offset and size relocations', () => {
    expect(one(mov(4), 3, '0:2:1', K.FIELD_BYTE_SIZE)).toEqual(mov(4));
    const e = relocError(() => one(mov(0), 3, '0:2:1', K.FIELD_SIGNED));
    expect(e.message).toMatch(/spec is \[3\] struct s\.arr\[1\] \(0:2:1 @ offset 12\): failed to relocate: relo 3 at insn #0 can't be applied to array access$/);
  });
});

describe('CO-RE - type relocations', () => {
  it('TYPE_ID_LOCAL keeps the local id; TYPE_ID_TARGET becomes the target id', () => {
    const result = relocate([lddw(3), lddw(3)], [[0, 3, '0', K.TYPE_ID_LOCAL], [1, 3, '0', K.TYPE_ID_TARGET]]);
    expect(result.insns).toEqual([lddw(3), lddw(4)]);
  });

  it('TYPE_EXISTS is 1 for a type the target has, 0 for one it lacks', () => {
    expect(relocate([mov(1), mov(1)], [[0, 3, '0', K.TYPE_EXISTS], [1, 7, '0', K.TYPE_EXISTS]]).insns).toEqual([mov(1), mov(0)]);
  });

  it("TYPE_SIZE is the target's size: 16 → 40", () => {
    expect(one(mov(16), 3, '0', K.TYPE_SIZE)).toEqual(mov(40));
  });

  it('TYPE_MATCHES needs every member with a matching type: c matches, s does not (int a became unsigned)', () => {
    expect(relocate([mov(1), mov(1)], [[0, 11, '0', K.TYPE_MATCHES], [1, 3, '0', K.TYPE_MATCHES]]).insns).toEqual([mov(1), mov(0)]);
  });
});

describe('CO-RE - enum values', () => {
  it('ENUMVAL_EXISTS finds enumerators by name in an ENUM64 of the same name', () => {
    expect(relocate([mov(1), mov(1)], [[0, 5, '0', K.ENUMVAL_EXISTS], [1, 5, '1', K.ENUMVAL_EXISTS]]).insns).toEqual([mov(0), mov(1)]);
  });

  it("ENUMVAL_VALUE takes the target's value: E_B 1 → 100", () => {
    expect(one(lddw(1), 5, '1', K.ENUMVAL_VALUE)).toEqual(lddw(100));
    expect(one(mov(1), 5, '1', K.ENUMVAL_VALUE)).toEqual(mov(100));
  });

  it('ENUMVAL_VALUE of an enumerator the target lacks poisons both slots of a lddw', () => {
    const result = relocate([lddw(0), insn(0x95, 0, 0, 0, 0)], [[0, 5, '0', K.ENUMVAL_VALUE]]);
    expect(result.insns.length).toBe(3);
    expect(result.insns.slice(0, 2).every(isPoison)).toBe(true);
    expect(result.outcomes[0]!.local).toBe('[5] enum e::E_A = 0');
  });
});

describe('CO-RE - several candidates', () => {
  const local = btf(int('int', 4), struct('s', 8, [member('a', 1, 0), member('b', 1, 32)]));

  it('candidates that agree are fine', () => {
    const target = btf(int('int', 4), struct('s', 8, [member('a', 1, 0), member('b', 1, 32)]), struct('s___2', 16, [member('a', 1, 0), member('b', 1, 32)]));
    expect(relocate([mov(4)], [[0, 2, '0:1', K.FIELD_BYTE_OFFSET]], target, local).insns).toEqual([mov(4)]);
  });

  it('candidates that disagree make the relocation ambiguous', () => {
    const target = btf(int('int', 4), struct('s', 8, [member('a', 1, 0), member('b', 1, 32)]), struct('s___2', 16, [member('b', 1, 0), member('a', 1, 32)]));
    const e = relocError(() => relocate([mov(4)], [[0, 2, '0:1', K.FIELD_BYTE_OFFSET]], target, local));
    expect(e.message).toBe(
      "prog 'prog': relo #0: insn #0: kind <byte_off> (0), spec is [2] struct s.b (0:1 @ offset 4): failed to relocate: field offset ambiguity: 0 != 32 ([3] struct s___2.b (0:0 @ offset 0) vs [2] struct s.b (0:1 @ offset 4))",
    );
  });

  it('only the candidates that matched are kept for later relocations of the same type', () => {
    // s___2 lacks b: it drops out at the first relocation, so it cannot make the second ambiguous.
    const target = btf(int('int', 4), struct('s', 8, [member('a', 1, 0), member('b', 1, 32)]), struct('s___2', 8, [member('x', 1, 0), member('a', 1, 32)]));
    const result = relocate([mov(4), mov(0)], [[0, 2, '0:1', K.FIELD_BYTE_OFFSET], [1, 2, '0:0', K.FIELD_BYTE_OFFSET]], target, local);
    expect(result.insns).toEqual([mov(4), mov(0)]);
  });
});

describe('CO-RE - when the verifier reaches a poisoned instruction', () => {
  const local = btf(int('int', 4), struct('s', 8, [member('a', 1, 0), member('gone', 1, 32)]));
  const target = btf(int('int', 4), struct('s', 4, [member('a', 1, 0)]));
  const relocated = relocate([mov(0), mov(4)], [[0, 2, '0:0', K.FIELD_BYTE_OFFSET], [1, 2, '0:1', K.FIELD_BYTE_OFFSET]], target, local);

  it('the refusal at that instruction becomes the relocation error, naming program, relocation, instruction and type path', () => {
    const e = explainPoisonedRejection(relocated, { insn: 1, message: 'invalid func unknown#195896080', code: 'EACCES' });
    expect(e).toBeInstanceOf(CoreRelocationError);
    expect(e!.code).toBe('EACCES');
    expect(e!.message).toBe(
      "prog 'prog': relo #1: insn #1: kind <byte_off> (0), spec is [2] struct s.gone (0:1 @ offset 4): failed to find target candidate: no match in [2] struct s; the verifier reached the poisoned instruction",
    );
  });

  it("reads the instruction from the kernel-sim's summary or from the log", () => {
    expect(explainPoisonedRejection(relocated, { message: 'load program: the verifier rejected the program at instruction 1: invalid func unknown#195896080' })).toBeDefined();
    expect(explainPoisonedRejection(relocated, { message: 'permission denied', log: '0: (b7) r1 = 0\n1: (85) call unknown#195896080\ninvalid func unknown#195896080\n' })).toBeDefined();
  });

  it('other refusals are left alone', () => {
    expect(explainPoisonedRejection(relocated, { insn: 1, message: 'R0 !read_ok' })).toBeUndefined();
    expect(explainPoisonedRejection(relocated, { insn: 0, message: 'invalid func unknown#195896080' })).toBeUndefined();
  });
});

describe('CO-RE - malformed relocations', () => {
  it('an access string beyond the type is refused while parsing, naming the root type', () => {
    const e = relocError(() => one(mov(0), 3, '0:7', K.FIELD_BYTE_OFFSET));
    expect(e.message).toBe("prog 'prog': relo #0: insn #0: kind <byte_off> (0): parsing [3] struct s + 0:7 failed: [3] struct s has no member #7");
  });

  it('anonymous root types are not searched for', () => {
    const local = btf(int('int', 4), struct('', 4, [member('a', 1, 0)]));
    const e = relocError(() => relocate([mov(0)], [[0, 2, '0:0', K.FIELD_BYTE_OFFSET]], TARGET, local));
    expect(e.code).toBe('EOPNOTSUPP');
    expect(e.message).toMatch(/spec is \[2\] struct <anon>\.a \(0:0 @ offset 0\): failed to relocate: relocation of an anonymous struct is not supported$/);
  });

  it('a relocation on a jump is refused', () => {
    const e = relocError(() => one(insn(0x05, 0, 0, 0, 0), 3, '0:0', K.FIELD_BYTE_OFFSET));
    expect(e.message).toMatch(/failed to patch insn #0: trying to relocate unrecognized insn, code:0x5/);
  });
});
